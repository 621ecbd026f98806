/**
 * Names a spec may not use because of what the chosen blueprint binds: the identifiers its templates
 * import or declare at module level (derived from the templates: generators/blueprints/identifiers.ts,
 * no hand-kept list) and the first route segments its API serves (its manifest's `routes`). A name one
 * blueprint bars is accepted by another; the refusal names the spec file, line and blueprint.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileIdentifiers, printsDomainNames } from '../../generators/blueprints/identifiers.js';
import { resolveBlueprint } from '../../generators/blueprints/registry.js';
import { InvalidInputError } from '../../generators/core/errors.js';
import { answersSchema } from '../../generators/core/manifest.js';
import { GENERATOR_VERSION } from '../../generators/core/version.js';
import { checkSpecForBlueprint, parseSpecText } from '../../generators/domain/load.js';
import { planInputFrom } from '../../generators/plan/input.js';
import { planProject } from '../../generators/plan/plan.js';

const blueprint = (id: string) => resolveBlueprint(id, { from: process.cwd(), what: 'test' });
/** The entity under test on line 6. */
const specText = (entity: string) => `name: t\nentities:\n  note:\n    fields:\n      body: { type: string }\n  ${entity}:\n    fields:\n      a: { type: integer }\n`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cba-names-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `new --spec spec.yaml --blueprint <id>`'s check (located) and the planner's (every path): undefined when accepted. */
async function refusal(id: string, entity: string): Promise<InvalidInputError | undefined> {
  const file = path.join(dir, `${id}-${entity}.yaml`);
  const text = specText(entity);
  await writeFile(file, text);
  const resolved = await blueprint(id);
  const spec = parseSpecText(text, 'spec.yaml');
  const located = await checkSpecForBlueprint(file, 'spec.yaml', spec, resolved).then(
    () => undefined,
    (err: unknown) => err as InvalidInputError,
  );
  let planned: unknown;
  try {
    planProject(planInputFrom(answersSchema.parse({ name: 't', blueprint: id }), spec, GENERATOR_VERSION), resolved);
  } catch (err) {
    planned = err;
  }
  // Both paths agree: the planner refuses what `new` refuses (without a line: it knows no file).
  expect(planned === undefined, `${id} ${entity}: planner and new disagree`).toBe(located === undefined);
  if (located) expect(planned).toBeInstanceOf(InvalidInputError);
  return located;
}

describe('fileIdentifiers: what one template binds at module level', () => {
  const text = [
    "import Fastify, { type FastifyInstance, Foo as Bar } from 'fastify';",
    "import * as ns from 'x';",
    'import {',
    '  Alpha,',
    '  type Beta,',
    "} from 'y';",
    "import type { Gamma } from 'z';",
    "import { <%- more ? 'eventually, ' : '' %>Delta, <%- entity.pascal %>Schema, type Epsilon } from './support.js';",
    "import 'side-effect';",
    'export const ROLES = [];',
    'export interface List<%- entity.pluralPascal %>Query {}',
    'export const <%- entity.pascal %>Schema = 1;',
    '  const Indented = 1;',
    'async function helper() {}',
    'export type Shape = {};',
  ].join('\n');
  const imports = ['Fastify', 'FastifyInstance', 'Bar', 'ns', 'Alpha', 'Beta', 'Gamma', 'Epsilon'];

  it('reads every import form (EJS tags inside a clause included), and the top-level declarations of a file that prints entity names — never a name glued to an EJS tag', () => {
    expect(new Set(fileIdentifiers(text, true))).toEqual(new Set([...imports, 'ROLES', 'helper', 'Shape']));
  });

  it('a file that prints no per-entity name: only its imports count', () => {
    expect(new Set(fileIdentifiers(text, false))).toEqual(new Set(imports));
  });

  it('which templates print per-entity or per-job names', () => {
    expect(printsDomainNames('src/modules/[entity]/routes.ts.ejs', '')).toBe(true);
    expect(printsDomainNames('src/jobs/definitions.ts.ejs', '<% for (const job of plan.jobs) { %>')).toBe(true);
    expect(printsDomainNames('src/app.ts.ejs', 'import { <%- e.camel %>Routes } …<% for (const e of plan.entities) { %>')).toBe(true);
    expect(printsDomainNames('src/config.ts.ejs', '<%- plan.project.name %>')).toBe(false);
    expect(printsDomainNames('src/modules/[entity]/routes.ts', '')).toBe(false);
  });
});

describe('identifiers come from the chosen blueprint\'s templates', () => {
  it('each blueprint has its own libraries\' names, and inherits its parent\'s', async () => {
    const [monolith, serverless, microservices] = await Promise.all(['monolith-cache', 'serverless', 'microservices'].map(blueprint));
    for (const name of ['Static', 'Type', 'Worker', 'Queue', 'FastifyInstance', 'ROLES', 'PROCESSORS']) expect(monolith!.identifiers, name).toContain(name);
    for (const name of ['Static', 'TypeBoxValue', 'HttpRoute', 'WorkerEnv']) expect(serverless!.identifiers, name).toContain(name);
    for (const name of ['Worker', 'FastifyInstance', 'Queue']) expect(serverless!.identifiers, name).not.toContain(name);
    for (const name of ['JsMsg', 'Upstream', 'NatsConnection', 'Worker', 'Static']) expect(microservices!.identifiers, name).toContain(name);
    expect(monolith!.identifiers).not.toContain('Upstream');
  });

  it.each(['monolith-cache', 'serverless', 'microservices'])('%s: every PascalCase name its own templates import is in its set', async (id) => {
    const resolved = await blueprint(id);
    const root = path.join('blueprints', id, 'templates');
    const missing = new Set<string>();
    for (const file of (await readdir(root, { recursive: true })).map(String).filter((f) => /\.ts(\.ejs)?$/.test(f))) {
      const text = await readFile(path.join(root, file), 'utf8');
      for (const m of text.matchAll(/^import\s+(?:type\s+)?(?:(\w+)|\{([^}]*)\})/gm)) {
        const names = m[1] ? [m[1]] : (m[2] ?? '').split(',').map((n) => n.trim().replace(/^type\s+/, '').replace(/.*\s+as\s+/, ''));
        for (const name of names) if (/^[A-Z][A-Za-z0-9]*$/.test(name) && !resolved.identifiers.has(name)) missing.add(name);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

describe('a name barred in one blueprint is accepted in another', () => {
  it('upstream (the microservices gateway imports Upstream): refused by microservices with the spec line, accepted by monolith-cache', async () => {
    const err = await refusal('microservices', 'upstream');
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err!.issues).toEqual([
      {
        file: 'spec.yaml',
        line: 6,
        column: 3,
        path: 'entities.upstream',
        message: '"upstream" would generate the identifier Upstream, which the microservices blueprint\'s generated code already uses; choose another name',
      },
    ]);
    expect(await refusal('monolith-cache', 'upstream')).toBeUndefined();
  });

  it('worker (BullMQ\'s Worker in the monolith): refused by monolith-cache, accepted by serverless', async () => {
    expect((await refusal('monolith-cache', 'worker'))!.issues).toEqual([expect.objectContaining({ line: 6, path: 'entities.worker', message: expect.stringContaining('identifier Worker, which the monolith-cache blueprint') })]);
    expect(await refusal('serverless', 'worker')).toBeUndefined();
  });

  it('static (TypeBox\'s Static) is refused by every blueprint whose templates import it', async () => {
    for (const id of ['monolith-cache', 'serverless', 'microservices']) expect((await refusal(id, 'static'))?.issues[0]?.message, id).toContain('identifier Static');
  });

  it('routes come from the blueprint\'s manifest: /metrics is the monolith\'s, not the serverless Worker\'s', async () => {
    expect((await refusal('monolith-cache', 'metric'))!.issues).toEqual([
      { file: 'spec.yaml', line: 6, column: 3, path: 'entities.metric', message: '"metric" would collide with the monolith-cache blueprint\'s built-in /metrics routes; choose another entity name' },
    ]);
    expect(await refusal('serverless', 'metric')).toBeUndefined();
    // microservices extends the monolith: its routes are merged with its parent's.
    expect((await refusal('microservices', 'doc'))?.issues[0]?.message).toContain('/docs routes');
    expect((await refusal('serverless', 'health'))?.issues[0]?.message).toContain('/healths routes');
  });
});
