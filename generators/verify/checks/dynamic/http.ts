/** HTTP helpers for the dynamic checks: every exchange is kept as a one-line transcript for evidence. */
import { request } from 'node:http';
import ts from 'typescript';
import type { EntityPlan } from '../../../plan/types.js';

export interface Exchange {
  status: number;
  headers: Headers;
  body: unknown;
  /** "POST /projects {…} → 201 {…}" */
  transcript: string;
}

export async function http(base: string, method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Exchange> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const payload = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${base}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}), signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  const short = (s: string) => (s.length > 160 ? `${s.slice(0, 159)}…` : s);
  return {
    status: r.status,
    headers: r.headers,
    body,
    transcript: `${method} ${path}${options.token ? ' (bearer)' : ''}${payload ? ` ${short(payload)}` : ''} → ${r.status} ${short(text.replace(/\s+/g, ' '))}`,
  };
}

/**
 * A create whose body names a row of another service (a database per service): that service's events
 * reach this one's read model asynchronously, so a 422 (unknown id) right after the parent was created
 * is sent again until the event has arrived — at most `waitMs`. Any other answer is returned at once.
 */
export async function createEventually(entity: EntityPlan, send: () => Promise<Exchange>, waitMs = 15_000): Promise<Exchange> {
  let x = await send();
  const deadline = Date.now() + waitMs;
  while (x.status === 422 && (entity.externalReferences?.length ?? 0) > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    x = await send();
  }
  return x;
}

const compiled = new Map<string, (n: number) => unknown>();

/** A valid create body for an entity: each field's example expression (from the plan), FKs from `parents`. */
export function createBody(entity: EntityPlan, n: number, parents: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of entity.fields) {
    // A row of this service (a foreign key) or of another one (an id its read model knows).
    const parent = f.references ?? entity.externalReferences?.find((r) => r.column === f.name)?.entity;
    if (parent) {
      const id = parents[parent];
      if (id) body[f.name] = id;
      continue;
    }
    if (!f.exampleExpr) continue;
    let fn = compiled.get(f.exampleExpr);
    if (!fn) {
      // The plan's examples are TypeScript expressions: strip the types, then evaluate with `n`.
      const js = ts.transpileModule(`export default (n: number) => (${f.exampleExpr});`, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } }).outputText;
      const mod: { exports: { default?: (n: number) => unknown } } = { exports: {} };
      new Function('module', 'exports', 'crypto', js)(mod, mod.exports, globalThis.crypto);
      fn = mod.exports.default!;
      compiled.set(f.exampleExpr, fn);
    }
    body[f.name] = fn(n);
  }
  return body;
}

/** Loose equality of an API value and a database value (timestamps, numerics, json). */
export function sameValue(api: unknown, db: unknown): boolean {
  if (api === db) return true;
  if (api === null || db === null || api === undefined || db === undefined) return (api ?? null) === (db ?? null);
  if (typeof api === 'object' || typeof db === 'object') return JSON.stringify(api) === JSON.stringify(db);
  const a = String(api);
  const b = String(db);
  if (a === b) return true;
  if (!Number.isNaN(Number(a)) && !Number.isNaN(Number(b)) && a.trim() !== '' && b.trim() !== '') return Number(a) === Number(b);
  const da = Date.parse(a);
  const dbt = Date.parse(b);
  return !Number.isNaN(da) && !Number.isNaN(dbt) && da === dbt;
}

/** A request through node:http (any header, including Origin and the CORS preflight ones); the body is read and dropped. */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: string, timeoutMs = 15_000): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; transcript: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, transcript: `${method} ${path}${headers.origin ? ` (Origin: ${headers.origin})` : ''} → ${res.statusCode}` }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
