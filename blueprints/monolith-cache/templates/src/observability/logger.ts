import type { LoggerOptions } from 'pino';

/** pino options shared by the API (through Fastify) and the worker: JSON lines, credentials redacted. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password'],
      censor: '[redacted]',
    },
  };
}
