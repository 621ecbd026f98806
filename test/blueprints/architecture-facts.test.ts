/**
 * docs/architecture.md's blueprint-specific parts come from the blueprint: the core's record is neutral
 * (a client → API → database diagram, no security item claimed) and the monolith's planner supplies its
 * diagram and security checklist (blueprints/monolith-cache/planner/architecture.js), which the
 * microservices blueprint inherits through its parent's parts; serverless supplies its own.
 */
import { describe, expect, it } from 'vitest';
import { resolveBlueprint } from '../../generators/blueprints/registry.js';
import type { ResolvedBlueprint } from '../../generators/blueprints/contract.js';
import { answersSchema } from '../../generators/core/manifest.js';
import { GENERATOR_VERSION } from '../../generators/core/version.js';
import { loadSpecFile } from '../../generators/domain/load.js';
import { planInputFrom } from '../../generators/plan/input.js';
import { planProject } from '../../generators/plan/plan.js';

const spec = await loadSpecFile('test/fixtures/specs/shop.yaml');
const planWith = (blueprint: ResolvedBlueprint) => planProject(planInputFrom(answersSchema.parse({ name: 'shop', blueprint: blueprint.id }), spec, GENERATOR_VERSION), blueprint);

describe('the decision record\'s diagram and security checklist', () => {
  it('the monolith supplies its own: its processes and how it meets each item', async () => {
    const plan = planWith(await resolveBlueprint('monolith-cache', { from: process.cwd(), what: 'test' }));
    expect(plan.architecture!.diagram).toContain('  client(["Client"]) -->|"HTTP + JWT"| api["API process (Fastify)"]');
    expect(plan.architecture!.security.find((s) => s.item.startsWith('Authentication'))).toMatchObject({ done: true, how: expect.stringContaining('@fastify/jwt') });
  });

  it('microservices inherits the monolith\'s; serverless has its own', async () => {
    const micro = planWith(await resolveBlueprint('microservices', { from: process.cwd(), what: 'test' }));
    expect(micro.architecture!.diagram[1]).toContain('API process (Fastify)');
    const serverless = planWith(await resolveBlueprint('serverless', { from: process.cwd(), what: 'test' }));
    expect(serverless.architecture!.diagram.join('\n')).toContain('Worker: fetch handler');
    expect(serverless.architecture!.diagram.join('\n')).not.toContain('Fastify');
  });

  it('without architectureFacts the core claims nothing about the shape: a neutral diagram, no security item done', async () => {
    const monolith = await resolveBlueprint('monolith-cache', { from: process.cwd(), what: 'test' });
    // The monolith's planner without its facts, under an id advise compares (hybrid has no planner yet).
    const bare: ResolvedBlueprint = {
      ...monolith,
      id: 'hybrid',
      manifest: { ...monolith.manifest, id: 'hybrid', title: 'Hybrid' },
      module: { ...monolith.module, plan: (args) => ({ ...monolith.module.plan(args), architectureFacts: undefined }) },
    };
    const plan = planWith(bare);
    expect(plan.architecture!.diagram).toEqual([
      'flowchart LR',
      '  client(["Client"]) -->|"HTTP"| api["API"]',
      `  api -->|"SQL"| pg[("PostgreSQL: ${plan.entities.length} entity tables")]`,
    ]);
    expect(plan.architecture!.security).toHaveLength(8);
    expect(plan.architecture!.security.every((s) => !s.done && s.how === 'not described by the hybrid blueprint')).toBe(true);
  });
});
