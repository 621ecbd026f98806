/**
 * The connection to NATS JetStream and the streams every process expects. Creating a stream that
 * exists already is a no-op, so any process may be the first to start. Published message ids are
 * remembered for DUPLICATE_WINDOW_MS: a relay that publishes a row again within it (it crashed before
 * marking the row sent) is acknowledged as a duplicate and the stream keeps one copy.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECTS, EVENTS_STREAM, EVENTS_SUBJECTS } from './topology.js';

export const DUPLICATE_WINDOW_MS = 10 * 60_000;

export interface EventBus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  close(): Promise<void>;
}

export async function connectEvents(url: string, name: string): Promise<EventBus> {
  const nc = await connect({ servers: url, name, timeout: 5000 });
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, EVENTS_STREAM, EVENTS_SUBJECTS);
  await ensureStream(jsm, DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECTS);
  return { nc, jsm, js: jetstream(nc), close: () => nc.drain() };
}

async function ensureStream(jsm: JetStreamManager, name: string, subjects: string): Promise<void> {
  const exists = await jsm.streams.info(name).then(
    () => true,
    () => false,
  );
  if (!exists) await jsm.streams.add({ name, subjects: [subjects], duplicate_window: nanos(DUPLICATE_WINDOW_MS) });
}
