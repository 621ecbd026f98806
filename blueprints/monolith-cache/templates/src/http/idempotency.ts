/**
 * Idempotency-Key support for creates. The first request with a key runs and its response is stored
 * in Redis (24 h); a repeat with the same key from the same user gets the stored response back
 * (with `idempotent-replayed: true`) instead of creating a second row. A repeat that arrives while the
 * first is still running gets 409. The same key with a different request (method, path or body) is a
 * client error: 422, as the IETF Idempotency-Key draft specifies. If Redis is unavailable the request
 * runs without the guarantee.
 */
import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './problem.js';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const PENDING_TTL_SECONDS = 60;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

export interface StoredResponse<T> {
  /** What the response answered (see fingerprint()); absent on responses stored before it was recorded. */
  fingerprint?: string;
  statusCode: number;
  headers: Record<string, string>;
  body: T;
}

/** The request a key was first used for: method, path and body. */
function fingerprint(request: FastifyRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([request.method, request.url, request.body ?? null]))
    .digest('base64url');
}

const REUSED = 'This Idempotency-Key was already used for a different request; use a new key for a new request';

export async function idempotent<T>(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  scope: string,
  run: () => Promise<StoredResponse<T>>,
): Promise<T> {
  const header = request.headers['idempotency-key'];
  const key = typeof header === 'string' && header.length > 0 ? header : null;
  const redisKey = key
    ? `${app.config.REDIS_KEY_PREFIX}:idempotency:${scope}:${request.auth?.id ?? 'anonymous'}:${key}`
    : null;

  let locked = false;
  const requestFingerprint = redisKey ? fingerprint(request) : '';
  if (redisKey) {
    try {
      // Claim the key; if it is already taken, replay what it holds.
      const pending = `pending:${requestFingerprint}`;
      locked = (await app.redis.set(redisKey, pending, 'EX', PENDING_TTL_SECONDS, 'NX')) === 'OK';
      if (!locked) {
        const stored = await app.redis.get(redisKey);
        if (stored?.startsWith('pending')) {
          if (stored !== pending && stored !== 'pending') throw new HttpError(422, REUSED);
          throw new HttpError(409, 'A request with this Idempotency-Key is still in progress');
        }
        if (stored) {
          const response = JSON.parse(stored) as StoredResponse<T>;
          if (response.fingerprint !== undefined && response.fingerprint !== requestFingerprint)
            throw new HttpError(422, REUSED);
          reply.code(response.statusCode).headers(response.headers).header('idempotent-replayed', 'true');
          return response.body;
        }
      }
    } catch (err) {
      if (err instanceof HttpError) throw err;
      request.log.warn({ err }, 'idempotency store unavailable; running the request without it');
    }
  }

  let response: StoredResponse<T>;
  try {
    response = await run();
  } catch (err) {
    // A failed request releases the key so the client can retry it.
    if (redisKey && locked) await app.redis.del(redisKey).catch(() => undefined);
    throw err;
  }
  if (redisKey && locked) {
    await app.redis
      .set(redisKey, JSON.stringify({ ...response, fingerprint: requestFingerprint }), 'EX', IDEMPOTENCY_TTL_SECONDS)
      .catch((err: unknown) => request.log.warn({ err }, 'could not store the idempotent response'));
  }
  reply.code(response.statusCode).headers(response.headers);
  return response.body;
}
