/**
 * Durable pull consumers with explicit ack, one per read model of this service. Each event is applied
 * in one transaction with its inbox row: a redelivered or replayed event finds the row and has no second
 * effect. A failing event is redelivered with exponential backoff; after EVENTS_MAX_DELIVER deliveries
 * it is dead-lettered (a dead_letters row + the deadletter.<service>.<entity> subject) and terminated,
 * so one poison message never blocks the ones behind it.
 */
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type pg from 'pg';
import { withTransaction } from '../db/pool.js';
import { sql } from '../db/sql.js';
import type { EventBus } from './nats.js';
import { applyEvent, parseEvent } from './read-models.js';
import { EVENTS_STREAM, READ_MODELS, type ReadModelSpec } from './topology.js';

export interface EventConsumerOptions {
  service: string;
  db: pg.Pool;
  events: EventBus;
  maxDeliver: number;
  ackWaitMs: number;
  backoffMs: number;
  log: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  metrics?: {
    redelivered(consumer: string): void;
    deadLettered(consumer: string): void;
    applied(consumer: string): void;
    /** Seconds between the event's commit in its owning service and its effect here: the read model's staleness. */
    eventAge(consumer: string, seconds: number): void;
  };
}

/**
 * Applies one delivered event exactly once. Returns whether it had an effect (false: the inbox says it
 * was applied before) and, when it did, the event's age at that moment in seconds (null when the event
 * does not say when it occurred).
 */
export async function handleEvent(
  db: pg.Pool,
  model: ReadModelSpec,
  subject: string,
  body: string,
): Promise<{ applied: boolean; ageSeconds: number | null }> {
  const event = parseEvent(body, model);
  const applied = await withTransaction(db, async (tx) => {
    const first = await tx.query(
      sql`INSERT INTO inbox (event_id, subject) VALUES (${event.id}, ${subject}) ON CONFLICT (event_id) DO NOTHING`,
    );
    if (first.rowCount === 0) return false;
    await applyEvent(tx, model, event);
    return true;
  });
  // Clocks of two hosts may disagree by a little: a negative age is counted as 0.
  const ageSeconds = applied && event.occurredAt ? Math.max(0, (Date.now() - event.occurredAt.getTime()) / 1000) : null;
  return { applied, ageSeconds };
}

async function deadLetter(
  options: EventConsumerOptions,
  model: ReadModelSpec,
  msg: JsMsg,
  error: string,
): Promise<void> {
  const body = msg.string();
  const eventId = /"id"\s*:\s*"([0-9a-f-]{36})"/.exec(body)?.[1] ?? null;
  await options.db.query(
    sql`INSERT INTO dead_letters (consumer, subject, event_id, deliveries, error, payload) VALUES (${model.durable}, ${msg.subject}, ${eventId}, ${msg.info.deliveryCount}, ${error}, ${body})`,
  );
  await options.events.js.publish(`deadletter.${options.service}.${model.entity}`, body, {
    msgID: `${model.durable}:${msg.seq}`,
  });
}

async function onMessage(options: EventConsumerOptions, model: ReadModelSpec, msg: JsMsg): Promise<void> {
  if (msg.info.deliveryCount > 1) options.metrics?.redelivered(model.durable);
  try {
    const { ageSeconds } = await handleEvent(options.db, model, msg.subject, msg.string());
    options.metrics?.applied(model.durable);
    if (ageSeconds !== null) options.metrics?.eventAge(model.durable, ageSeconds);
    msg.ack();
  } catch (err) {
    const error = (err as Error).message;
    if (msg.info.deliveryCount >= options.maxDeliver) {
      options.log.error({ err, subject: msg.subject, deliveries: msg.info.deliveryCount }, 'event dead-lettered');
      try {
        await deadLetter(options, model, msg, error);
        options.metrics?.deadLettered(model.durable);
        msg.term(error.slice(0, 200));
      } catch (dlqErr) {
        // Could not record it: leave it for redelivery rather than lose it.
        options.log.error({ err: dlqErr }, 'dead-lettering failed');
        msg.nak(options.backoffMs);
      }
      return;
    }
    options.log.warn(
      { err, subject: msg.subject, deliveries: msg.info.deliveryCount },
      'event failed; redelivering with backoff',
    );
    msg.nak(options.backoffMs * 2 ** (msg.info.deliveryCount - 1));
  }
}

/** Creates (or updates) the service's durable consumers and processes messages until stop(). */
export async function startConsumers(options: EventConsumerOptions): Promise<{ stop(): Promise<void> }> {
  const running: { messages: ConsumerMessages; done: Promise<void> }[] = [];
  for (const model of READ_MODELS[options.service] ?? []) {
    const config = {
      durable_name: model.durable,
      filter_subject: model.subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: options.maxDeliver,
      ack_wait: nanos(options.ackWaitMs),
    };
    const exists = await options.events.jsm.consumers.info(EVENTS_STREAM, model.durable).then(
      () => true,
      () => false,
    );
    if (exists) await options.events.jsm.consumers.update(EVENTS_STREAM, model.durable, config);
    else await options.events.jsm.consumers.add(EVENTS_STREAM, config);
    const consumer = await options.events.js.consumers.get(EVENTS_STREAM, model.durable);
    const messages = await consumer.consume({ max_messages: 50 });
    const done = (async () => {
      for await (const msg of messages) await onMessage(options, model, msg);
    })();
    running.push({ messages, done });
  }
  return {
    async stop() {
      for (const r of running) await r.messages.close();
      await Promise.all(running.map((r) => r.done.catch(() => undefined)));
    },
  };
}
