/**
 * Structured logs: one JSON object per line on the Worker's console, which Workers Logs
 * (observability.enabled in wrangler.jsonc) indexes and `wrangler tail` streams. Every line of a
 * request carries its requestId; a queue batch's lines carry the queue and the message id.
 */
export type Level = 'error' | 'warn' | 'info' | 'debug' | 'silent';

const ORDER: Record<Level, number> = { silent: -1, error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function serialize(value: unknown): unknown {
  return value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
}

export function createLogger(level: Level, bound: Record<string, unknown> = {}): Logger {
  const write = (at: Exclude<Level, 'silent'>, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[at] > ORDER[level]) return;
    const line = {
      level: at,
      time: new Date().toISOString(),
      msg,
      ...bound,
      ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, serialize(v)])),
    };
    const text = JSON.stringify(line);
    if (at === 'error') console.error(text);
    else if (at === 'warn') console.warn(text);
    else console.log(text);
  };
  return {
    error: (msg, fields) => write('error', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    debug: (msg, fields) => write('debug', msg, fields),
    child: (fields) => createLogger(level, { ...bound, ...fields }),
  };
}
