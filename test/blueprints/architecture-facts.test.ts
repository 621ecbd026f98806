/**
 * docs/architecture.md's blueprint-specific parts come from the blueprint: the core's record is neutral
 * (a client → API → database diagram, no security item claimed, targets measured only by the shared verify
 * checks, a scaling path naming no engine, variable, alert or metric) and each blueprint's
 * `architectureFacts({ plan, estimate })` replaces them: the monolith's (blueprints/monolith-cache/planner/
 * architecture.js), which hybrid and microservices start from and adjust, and serverless' own.
 */
import { describe, expect, it } from 'vitest';
import { resolveBlueprint } from '../../generators/blueprints/registry.js';
import type { ArchitectureFactsArgs, ResolvedBlueprint } from '../../generators/blueprints/contract.js';
import { answersSchema } from '../../generators/core/manifest.js';
import { GENERATOR_VERSION } from '../../generators/core/version.js';
import { loadSpecFile } from '../../generators/domain/load.js';
import { planInputFrom } from '../../generators/plan/input.js';
import { planProject } from '../../generators/plan/plan.js';

const spec = await loadSpecFile('test/fixtures/specs/shop.yaml');
const hybridSpec = await loadSpecFile('test/fixtures/specs/shop-hybrid.yaml');
const resolve = (id: string) => resolveBlueprint(id, { from: process.cwd(), what: 'test' });
const planWith = (blueprint: ResolvedBlueprint, context?: Record<string, unknown>, s = spec) =>
  planProject(planInputFrom(answersSchema.parse({ name: 'shop', blueprint: blueprint.id, ...(context ? { context } : {}) }), s, GENERATOR_VERSION), blueprint);
const text = (rows: object[]) => rows.map((r) => Object.values(r).join(' | ')).join('\n');
const step = (plan: ReturnType<typeof planWith>, name: string) => plan.architecture!.scalingPath.find((s) => s.step === name);

/** What the core's defaults must not name: the monolith's engine, variables, alerts and metrics. */
const MONOLITH_OPS = /redis|prometheus|grafana|bullmq|fastify|DATABASE_POOL_MAX|DatabasePoolExhaustion|_total\b|_seconds\b|db_pool_/i;

/** The monolith's planner without its facts, under an id advise compares (so the core's defaults show). */
async function bare(): Promise<ResolvedBlueprint> {
  const monolith = await resolve('monolith-cache');
  return {
    ...monolith,
    id: 'hybrid',
    manifest: { ...monolith.manifest, id: 'hybrid', title: 'Hybrid' },
    module: { ...monolith.module, plan: (args) => ({ ...monolith.module.plan(args), architectureFacts: undefined }) },
  };
}

describe("the decision record's diagram and security checklist", () => {
  it('the monolith supplies its own: its processes and how it meets each item', async () => {
    const plan = planWith(await resolve('monolith-cache'));
    expect(plan.architecture!.diagram).toContain('  client(["Client"]) -->|"HTTP + JWT"| api["API process (Fastify)"]');
    expect(plan.architecture!.security.find((s) => s.item.startsWith('Authentication'))).toMatchObject({ done: true, how: expect.stringContaining('@fastify/jwt') });
  });

  it('microservices draws its gateway, services and events and keeps the monolith\'s security items; serverless has its own', async () => {
    const monolith = planWith(await resolve('monolith-cache'));
    const micro = planWith(await resolve('microservices'));
    const diagram = micro.architecture!.diagram.join('\n');
    expect(diagram).toContain('gateway["gateway (Fastify)');
    expect(diagram).toContain('nats{{"NATS JetStream');
    for (const service of micro.services as { name: string; database: string }[]) expect(diagram).toContain(`${service.database}_db[("PostgreSQL ${service.database}:`);
    expect(diagram).not.toContain('API process (Fastify)');
    expect(micro.architecture!.security).toEqual(monolith.architecture!.security);
    const serverless = planWith(await resolve('serverless'));
    expect(serverless.architecture!.diagram.join('\n')).toContain('Worker: fetch handler');
    expect(serverless.architecture!.diagram.join('\n')).not.toContain('Fastify');
  });

  it('the hybrid claims the monolith\'s security items for its container half and adds the signed ingress', async () => {
    const plan = planWith(await resolve('hybrid'), undefined, hybridSpec);
    const security = plan.architecture!.security;
    expect(security.filter((s) => s.done).map((s) => s.item)).toEqual(planWith(await resolve('monolith-cache')).architecture!.security.filter((s) => s.done).map((s) => s.item));
    expect(security.find((s) => s.item.startsWith('Authentication'))!.how).toMatch(/@fastify\/jwt.*HMAC-SHA256.*hybrid\.ingress-verifies/);
    expect(security.find((s) => s.item.startsWith('Secrets'))!.how).toContain('OFFLOAD_SIGNING_SECRET');
  });

  it('without architectureFacts the core claims nothing about the shape: a neutral diagram, no security item done', async () => {
    const plan = planWith(await bare());
    expect(plan.architecture!.diagram).toEqual([
      'flowchart LR',
      '  client(["Client"]) -->|"HTTP"| api["API"]',
      `  api -->|"SQL"| pg[("PostgreSQL: ${plan.entities.length} entity tables")]`,
    ]);
    expect(plan.architecture!.security).toHaveLength(8);
    expect(plan.architecture!.security.every((s) => !s.done && s.how === 'not described by the hybrid blueprint')).toBe(true);
  });
});

describe('the performance targets and the scaling path', () => {
  it("the core's defaults name no engine, variable, alert or metric: targets by the shared verify checks, steps from the estimate", async () => {
    const plan = planWith(await bare(), { rpsAverage: 500, rpsPeak: 2000 });
    const { targets, scalingPath, estimate } = plan.architecture!;
    expect(targets.map((t) => t.target)).toEqual(['API response time p95 < 100 ms', 'Database query time p95 < 50 ms', 'Cache hit rate > 80%', 'Uptime 99.9%']);
    expect(targets.every((t) => t.monitoredBy.endsWith('in production: not described by the hybrid blueprint'))).toBe(true);
    expect(targets[0]!.monitoredBy).toContain('dynamic.load-p95');
    expect(targets[1]!.monitoredBy).toContain('dynamic.explain-access-patterns');
    const all = `${text(targets)}\n${text(scalingPath)}`;
    expect(all).not.toMatch(MONOLITH_OPS);
    // No alert of the plan and no variable it declares is named by the defaults.
    for (const name of [...plan.alerts.map((a) => a.name), ...plan.env.map((v) => v.name)]) expect(all).not.toContain(name);
    // "More API capacity" starts where the estimate first needs more instances than at 1×.
    const more = estimate.rows.find((r) => r.apiInstances > estimate.rows[0]!.apiInstances)!;
    expect(scalingPath.find((s) => s.step === 'More API capacity')!.when).toBe(`from ${more.multiplier}× (${more.rpsPeak} req/s at the peak): ${more.apiInstances} API instances`);
    expect(scalingPath.at(-1)).toMatchObject({ step: 'Next architecture', what: 'Follow the migration path (towards microservices)' });
  });

  it('architectureFacts gets the merged plan and the core\'s estimate', async () => {
    const monolith = await resolve('monolith-cache');
    let seen: ArchitectureFactsArgs | undefined;
    const spied: ResolvedBlueprint = {
      ...monolith,
      module: {
        ...monolith.module,
        plan: (args) => {
          const parts = monolith.module.plan(args);
          return { ...parts, architectureFacts: (a: ArchitectureFactsArgs) => ((seen = a), parts.architectureFacts!(a)) };
        },
      },
    };
    const plan = planWith(spied, { rpsAverage: 300, rpsPeak: 1200 });
    expect(seen!.estimate).toBe(plan.architecture!.estimate);
    expect(seen!.plan.alerts).toBe(plan.alerts);
    expect(seen!.plan.metrics).toBe(plan.metrics);
  });

  it('an architectureFacts that is not a function (the shape before the estimate was passed) is refused, naming the blueprint', async () => {
    const monolith = await resolve('monolith-cache');
    const old: ResolvedBlueprint = { ...monolith, module: { ...monolith.module, plan: (args) => ({ ...monolith.module.plan(args), architectureFacts: { diagram: ['flowchart LR'] } as never }) } };
    expect(() => planWith(old)).toThrow('blueprint monolith-cache: architectureFacts must be a function ({ plan, estimate }) =>');
  });

  it('the monolith names its own: its pool variable and alert, Redis, its metrics and alerts per target, steps from the estimate', async () => {
    const plan = planWith(await resolve('monolith-cache'), { rpsAverage: 500, rpsPeak: 2000 });
    const { targets, estimate } = plan.architecture!;
    expect(step(plan, 'Pool sizing')).toMatchObject({ when: 'DatabasePoolExhaustion fires (pool > 80%)', what: expect.stringContaining('DATABASE_POOL_MAX') });
    const more = estimate.rows.find((r) => r.apiInstances > estimate.rows[0]!.apiInstances)!;
    expect(step(plan, 'More API instances')).toMatchObject({ when: `from ${more.multiplier}× (${more.rpsPeak} req/s at the peak): ${more.apiInstances} API instances`, what: expect.stringContaining('Redis') });
    expect(targets[0]!.monitoredBy).toBe('alert SlowResponses; dynamic.load-p95 (verify)');
    expect(targets[2]!.monitoredBy).toBe('no alert rule; the Grafana dashboard over cache_hits_total / cache_misses_total');
    // Monitoring off: the same targets say no rule is generated.
    const off = planProject(planInputFrom(answersSchema.parse({ name: 'shop', blueprint: 'monolith-cache', features: [] }), spec, GENERATOR_VERSION), await resolve('monolith-cache'));
    expect(off.architecture!.targets[0]!.monitoredBy).toBe('monitoring feature off: no alert rule generated; dynamic.load-p95 (verify)');
  });

  it('microservices scales per service and through its event path, ending at the service boundaries', async () => {
    const plan = planWith(await resolve('microservices'));
    const steps = plan.architecture!.scalingPath.map((s) => s.step);
    expect(steps).toEqual(['Cache', 'Pool sizing', 'More service instances', 'Events', 'Bigger database, then read replicas', 'Partitions', 'Service boundaries']);
    expect(step(plan, 'Pool sizing')!.what).toContain("that service's DATABASE_POOL_MAX");
    // The alerts it names are alerts the plan declares.
    expect(step(plan, 'Events')!.when).toBe('OutboxLag or ReadModelStale fires');
    for (const alert of ['OutboxLag', 'ReadModelStale']) expect(plan.alerts.map((a) => a.name)).toContain(alert);
    expect(text(plan.architecture!.scalingPath)).not.toMatch(/hybrid first|Split services/);
    // Its services are the monolith's app: the same metrics and alerts show the targets.
    expect(plan.architecture!.targets).toEqual(planWith(await resolve('monolith-cache')).architecture!.targets);
  });

  it('the hybrid adds the offload step and leads to services, with alerts its plan declares', async () => {
    const plan = planWith(await resolve('hybrid'), undefined, hybridSpec);
    const steps = plan.architecture!.scalingPath.map((s) => s.step);
    expect(steps).toEqual(['Cache', 'Pool sizing', 'More API instances', 'Offload', 'Bigger database, then read replicas', 'Partitions', 'Split services']);
    for (const alert of ['OutboxLag', 'OffloadedQueueBacklog', 'DatabasePoolExhaustion']) expect(plan.alerts.map((a) => a.name)).toContain(alert);
    expect(step(plan, 'Split services')!.what).toBe('Follow the migration path: services per bounded context, each with its database (microservices)');
    expect(plan.architecture!.migration.to).toBe('microservices');
  });

  it('serverless takes its database steps from the estimate too', async () => {
    const plan = planWith(await resolve('serverless'), { rpsAverage: 500, rpsPeak: 2000, dataGb: 50 });
    const { estimate } = plan.architecture!;
    const big = estimate.rows.find((r) => r.dbGb >= 100)!;
    expect(step(plan, 'Partitions')!.when).toBe(`from ${big.multiplier}× (${big.rpsPeak} req/s at the peak): ${big.dbGb} GB`);
    expect(text(plan.architecture!.scalingPath)).not.toMatch(/DATABASE_POOL_MAX|Redis/);
  });
});
