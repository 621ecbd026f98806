/**
 * The ingress: the relay's signed deliveries of offloaded jobs. The signature (HMAC-SHA256 over
 * "<timestamp>.<body>" with OFFLOAD_SIGNING_SECRET, compared in constant time by crypto.subtle.verify)
 * is checked before anything else, and a timestamp older than the tolerance is refused, so only the
 * relay can enqueue and a captured delivery cannot be replayed later. A valid message goes to its
 * job's queue; the answer tells the relay to mark the outbox row sent (202) or retry (anything else).
 */
import { loadConfig, type WorkerEnv } from './env.js';
import { isJobName, JOBS, type JobMessage } from './jobs/definitions.js';
import { createLogger } from './observability/log.js';

export const SIGNATURE_HEADER = 'x-offload-signature';
export const TIMESTAMP_HEADER = 'x-offload-timestamp';
const TOLERANCE_SECONDS = 300;
const encoder = new TextEncoder();

function hexToBytes(hex: string): Uint8Array | null {
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** True when `signature` is `sha256=<hex HMAC of "<timestamp>.<body>">` under the secret. */
export async function verifySignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
): Promise<boolean> {
  const mac = signature.startsWith('sha256=') ? hexToBytes(signature.slice(7)) : null;
  if (!mac) return false;
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  return crypto.subtle.verify('HMAC', key, mac, encoder.encode(`${timestamp}.${body}`));
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function isMessage(value: unknown): value is JobMessage {
  if (value === null || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m.jobId === 'string' &&
    m.jobId.length > 0 &&
    m.jobId.length <= 128 &&
    typeof m.job === 'string' &&
    isJobName(m.job) &&
    typeof m.entityId === 'string' &&
    /^[0-9a-f-]{36}$/i.test(m.entityId) &&
    (m.requestedBy === null || typeof m.requestedBy === 'string') &&
    typeof m.requestId === 'string'
  );
}

export async function handleIngress(request: Request, env: WorkerEnv): Promise<Response> {
  const config = loadConfig(env);
  const log = createLogger(config.LOG_LEVEL, { route: 'ingress' });
  const body = await request.text();
  const timestamp = request.headers.get(TIMESTAMP_HEADER) ?? '';
  const signature = request.headers.get(SIGNATURE_HEADER) ?? '';
  const age = Math.abs(Date.now() / 1000 - Number(timestamp));
  if (!/^\d{1,12}$/.test(timestamp) || !(age <= TOLERANCE_SECONDS)) {
    log.warn('delivery refused: missing or stale timestamp');
    return json(401, { error: 'missing or stale signature timestamp' });
  }
  if (!(await verifySignature(config.OFFLOAD_SIGNING_SECRET, timestamp, body, signature))) {
    log.warn('delivery refused: bad signature');
    return json(401, { error: 'bad signature' });
  }
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return json(400, { error: 'body is not JSON' });
  }
  if (!isMessage(message)) return json(422, { error: 'not a job message of this Worker' });
  await JOBS[message.job].producer(env).send(message);
  log.info('job enqueued', { jobId: message.jobId, job: message.job, requestId: message.requestId });
  return json(202, { jobId: message.jobId });
}
