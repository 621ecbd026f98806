/**
 * The contract's done-when rule, as a test: outside blueprints/monolith-cache/, no generator file names a
 * monolith-only fact (its entry files, its job library, its built-in tables, its token endpoint, its
 * Fastify plugins). The exceptions are listed with the reason, so the list can only shrink.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const FACTS = /dist\/server\.js|dist\/worker\.js|bullmq|auth_users|job_runs|\/auth\/token|@fastify\/[a-z-]+|fastify-plugin/gi;

/**
 * How the monolith is operated: its pool variable, its alert rules, the metric names its processes export.
 * The decision record's scaling path and performance targets name them only in the monolith's
 * architectureFacts; a shared check that needs one reads it from the plan (dynamic.metrics-series finds
 * the API's request counter by route in plan.metrics).
 */
const OPERATIONS = /DATABASE_POOL_MAX|DatabasePoolExhaustion|SlowResponses|HighErrorRate|\bhttp_requests?_[a-z_]+|\bdb_pool_[a-z_]+|\bcache_(?:hits|misses)_total\b|\bqueue_jobs\b|\bjob_(?:duration_seconds|failures_total)\b/g;

/**
 * The engines the monolith's operations name (its cache and queue store, its metrics scraper): the plan
 * core (generators/plan/: the domain plan, the decision record's defaults) names neither. Elsewhere they
 * are legitimate: verify starts a throwaway Redis and reads Prometheus rule files for the blueprints that
 * use them, and advise's data (generators/advise/: trade-offs, capacity formulas, prices) describes the
 * architectures it compares.
 */
const ENGINES = /\bredis\b|prometheus|grafana/gi;

/**
 * Where generators/plan/ may name an engine, each with why (removed before matching; a stale one fails).
 * The readiness dependencies are the vocabulary observability.health-endpoints judges: a plan's
 * httpProcesses say which of them each process must check.
 */
const ENGINE_EXCEPTIONS: Record<string, string[]> = {
  'generators/plan/types.ts': ["readinessChecks: ('postgresql' | 'redis')[];"],
};

/**
 * No exceptions: a check that can only be stated in the monolith's libraries (the rate-limit plugin's
 * registration, BullMQ's job options) lives in blueprints/monolith-cache/checks/; the shared checks take
 * their facts from the plan (the audit log table) or the runtime adapter (the 202 + worker check finds
 * the consumer through plan.jobConsumer); the decision record's diagram and security list come from the
 * blueprint's architectureFacts (blueprints/monolith-cache/planner/architecture.js), and the capacity
 * estimate describes each architecture by its deployment shape (generators/advise/capacity.ts
 * CAPACITY_SHAPES), not by its libraries.
 */
async function sources(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith('.ts')).map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

describe('no monolith-only fact outside blueprints/monolith-cache/', () => {
  it('generators/ names none', async () => {
    const offenders: string[] = [];
    for (const file of await sources('generators')) {
      const found = (await readFile(file, 'utf8')).match(FACTS);
      if (found) offenders.push(`${file}: ${[...new Set(found)].join(', ')}`);
    }
    expect(offenders).toEqual([]);
  });

  it('generators/ names none of the monolith\'s operations (pool variable, alerts, metric names)', async () => {
    const offenders: string[] = [];
    for (const file of await sources('generators')) {
      const found = (await readFile(file, 'utf8')).match(OPERATIONS);
      if (found) offenders.push(`${file}: ${[...new Set(found)].join(', ')}`);
    }
    expect(offenders).toEqual([]);
  });

  it('generators/plan/ names no engine of the monolith (Redis, Prometheus, Grafana)', async () => {
    const offenders: string[] = [];
    for (const file of await sources('generators/plan')) {
      let text = await readFile(file, 'utf8');
      for (const allowed of ENGINE_EXCEPTIONS[file] ?? []) {
        expect(text, `stale exception in ${file}`).toContain(allowed);
        text = text.replaceAll(allowed, '');
      }
      const found = text.match(ENGINES);
      if (found) offenders.push(`${file}: ${[...new Set(found)].join(', ')}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the monolith\'s architecture facts do name its operations and engines (the rules would notice a rename)', async () => {
    const text = await readFile('blueprints/monolith-cache/planner/architecture.js', 'utf8');
    expect(new Set(text.match(OPERATIONS))).toEqual(
      new Set(['DATABASE_POOL_MAX', 'DatabasePoolExhaustion', 'http_request_duration_seconds', 'http_requests_total', 'db_pool_connections_in_use', 'db_pool_waiting_requests', 'cache_hits_total', 'cache_misses_total']),
    );
    expect(new Set(text.match(ENGINES)?.map((m) => m.toLowerCase()))).toEqual(new Set(['redis', 'prometheus', 'grafana']));
  });

  it('the monolith blueprint does name them (the rule would notice a rename)', async () => {
    const text = (await Promise.all(['index.js', 'runtime.js', '../_shared/planner/built-in-tables.js', 'planner/versions.js', 'planner/architecture.js'].map((f) => readFile(path.join('blueprints/monolith-cache', f), 'utf8')))).join('\n');
    expect(new Set(text.match(FACTS)?.map((m) => m.toLowerCase()))).toEqual(new Set(['dist/server.js', 'dist/worker.js', 'auth_users', 'job_runs', '/auth/token', 'bullmq', '@fastify/cors', '@fastify/jwt', '@fastify/rate-limit', '@fastify/swagger', '@fastify/swagger-ui', '@fastify/type-provider-typebox', 'fastify-plugin']));
  });
});
