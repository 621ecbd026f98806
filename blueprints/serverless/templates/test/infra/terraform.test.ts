/**
 * infra/*.tf checked offline as far as a kept tool goes: every file parsed by HashiCorp's HCL parser
 * (@cdktf/hcl2json ships it compiled to WebAssembly: no terraform binary, no network), then its
 * structure and references — the provider pinned, every `var.x` declared, every resource referenced
 * declared, every queue wrangler.jsonc binds created here with its dead-letter queue, Hyperdrive's query
 * cache off. What needs the provider's schema (attribute names and types, `terraform validate`) needs
 * `terraform init`, which downloads the provider: run `terraform -chdir=infra init && terraform -chdir=infra validate`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

// Loaded without its type declarations: they pull in the DOM library, which clashes with the Worker's types.
const { parse } = createRequire(import.meta.url)('@cdktf/hcl2json') as {
  parse(file: string, text: string): Promise<unknown>;
};

const root = fileURLToPath(new URL('../..', import.meta.url));
const infra = path.join(root, 'infra');

type Block = Record<string, Record<string, unknown>[]>;
interface Hcl {
  terraform?: { required_providers?: Record<string, { source?: string; version?: string }>[] }[];
  variable?: Block;
  resource?: Record<string, Block>;
  output?: Block;
}

let files: { file: string; hcl: Hcl }[];
const merged: Required<Pick<Hcl, 'variable' | 'resource'>> & Hcl = { variable: {}, resource: {} };

beforeAll(async () => {
  files = [];
  for (const file of readdirSync(infra).filter((f) => f.endsWith('.tf')))
    files.push({ file, hcl: (await parse(file, readFileSync(path.join(infra, file), 'utf8'))) as Hcl });
  for (const { hcl } of files) {
    Object.assign(merged.variable, hcl.variable);
    for (const [type, named] of Object.entries(hcl.resource ?? {}))
      merged.resource[type] = { ...merged.resource[type], ...named };
    merged.terraform = [...(merged.terraform ?? []), ...(hcl.terraform ?? [])];
  }
});

/** Every `${…}` expression in a parsed value. */
function expressions(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(/\$\{([\s\S]*?)\}/g)].map((m) => m[1]!);
  if (Array.isArray(value)) return value.flatMap(expressions);
  if (value && typeof value === 'object') return Object.values(value).flatMap(expressions);
  return [];
}

function resources(type: string): Record<string, unknown>[] {
  return Object.values(merged.resource[type] ?? {}).flat();
}

describe('infra/*.tf (offline)', () => {
  it('parses with HashiCorp HCL, and pins the Cloudflare provider', () => {
    expect(files.length).toBeGreaterThan(0);
    const providers = (merged.terraform ?? []).flatMap((t) => t.required_providers ?? []);
    const cloudflare = providers.find((p) => p.cloudflare)?.cloudflare;
    expect(cloudflare?.source).toBe('cloudflare/cloudflare');
    expect(cloudflare?.version).toMatch(/^~> \d+\.\d+$/);
  });

  it('references only declared variables and resources', () => {
    const problems: string[] = [];
    for (const { file, hcl } of files) {
      const skipTypes = (e: string) => e.replace(/\b(object|string|number|bool|list|map|set)\b\(?/g, '');
      for (const e of expressions({ resource: hcl.resource, output: hcl.output })) {
        for (const [, name] of skipTypes(e).matchAll(/\bvar\.(\w+)/g))
          if (!merged.variable[name!]) problems.push(`${file}: var.${name} is not declared`);
        for (const [, type, name] of e.matchAll(/\b(cloudflare_\w+)\.(\w+)\b/g))
          if (!merged.resource[type!]?.[name!]) problems.push(`${file}: ${type}.${name} is not declared`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('creates every queue wrangler.jsonc binds, each work queue with its dead-letter queue', () => {
    const { config } = ts.parseConfigFileTextToJson(
      'wrangler.jsonc',
      readFileSync(path.join(root, 'wrangler.jsonc'), 'utf8'),
    );
    const queues =
      (
        config as {
          queues?: { producers?: { queue: string }[]; consumers?: { queue: string; dead_letter_queue?: string }[] };
        }
      ).queues ?? {};
    const bound = new Set([
      ...(queues.producers ?? []).map((q) => q.queue),
      ...(queues.consumers ?? []).flatMap((c) => [c.queue, ...(c.dead_letter_queue ? [c.dead_letter_queue] : [])]),
    ]);
    const created = new Set(resources('cloudflare_queue').map((q) => q.queue_name));
    expect([...bound].filter((q) => !created.has(q))).toEqual([]);
    for (const c of queues.consumers ?? []) if (c.dead_letter_queue) expect(created).toContain(c.dead_letter_queue);
  });

  it('configures Hyperdrive from variables (no credentials in the file) with its query cache off', () => {
    const [hyperdrive] = resources('cloudflare_hyperdrive_config') as {
      origin?: Record<string, string>;
      caching?: { disabled?: boolean };
    }[];
    expect(hyperdrive?.caching?.disabled).toBe(true);
    for (const key of ['host', 'user', 'password', 'database'])
      expect(hyperdrive?.origin?.[key], key).toMatch(/^\$\{var\./);
    expect(Object.values(merged.variable.database ?? []).flat()[0]).toMatchObject({ sensitive: true });
  });
});
