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

  it('the monolith blueprint does name them (the rule would notice a rename)', async () => {
    const text = (await Promise.all(['index.js', 'runtime.js', '../_shared/planner/built-in-tables.js', 'planner/versions.js', 'planner/architecture.js'].map((f) => readFile(path.join('blueprints/monolith-cache', f), 'utf8')))).join('\n');
    expect(new Set(text.match(FACTS)?.map((m) => m.toLowerCase()))).toEqual(new Set(['dist/server.js', 'dist/worker.js', 'auth_users', 'job_runs', '/auth/token', 'bullmq', '@fastify/cors', '@fastify/jwt', '@fastify/rate-limit', '@fastify/swagger', '@fastify/swagger-ui', '@fastify/type-provider-typebox', 'fastify-plugin']));
  });
});
