/**
 * Free text from a spec cannot escape into generated code. Every blueprint is generated twice from the
 * same spec: once with plain descriptions, once with hostile ones (comment closers, newlines followed by
 * SQL, quotes, template-literal holes, Markdown/HTML, Unicode line separators) in every place a spec
 * carries free text — project, entity, field, access pattern and job descriptions, and a string default.
 * Then, per output context, the context's own parser must see the same structure in both projects: the
 * same TypeScript tokens (text only changes inside comments and literals), the same SQL statements
 * (PostgreSQL's parser), the same YAML/JSON keys, the same Markdown blocks. The hostile project must
 * type-check, lint, and apply its migrations to a real PostgreSQL, where the default is stored as written.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseSql } from 'libpg-query';
import { execa } from 'execa';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLUEPRINTS } from '../../generators/blueprints/registry.js';
import { findServerBinaries } from '../../generators/servers/throwaway.js';
import { freshDatabase, requireServers } from '../support/servers.js';
import { generateFromSpec, linkDependencies, removeGenerated, typecheckAndLint } from './support.js';

const TEN_MINUTES = 600_000;
const TOKEN = 'pwned';
// Each line tries another way out of a context; the whole stays within the 200-character description limit.
const HOSTILE = [
  `*/ ${TOKEN}(); /* -- '`,
  `DROP TABLE team; -- "`,
  '` ${' + TOKEN + '} \\',
  `# ${TOKEN} <b>${TOKEN}</b> [${TOKEN}](javascript:${TOKEN}) | ${TOKEN}`,
  `\r${TOKEN}\u2028${TOKEN}\u2029x`,
].join('\n');
const HOSTILE_DEFAULT = `it's ${TOKEN}'); DROP TABLE team; -- \\ "x"`;

function spec(blueprint: string, text: (where: string) => string) {
  return {
    name: 'hostile',
    blueprint,
    description: text('project'),
    entities: {
      team: {
        description: text('entity'),
        fields: {
          name: { type: 'string', max: 120, description: text('field') },
          note: { type: 'text', default: HOSTILE_DEFAULT, description: text('field2') },
        },
        access: [{ where: ['name'], description: text('access') }],
      },
    },
    jobs: { 'export-team': { entity: 'team', description: text('job') } },
  };
}

async function files(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true }))
    .map(String)
    .filter((f) => !f.split(path.sep).includes('node_modules') && !f.startsWith('.backend-arch') && f.split(path.sep)[0] !== '.git')
    .sort();
}

/** The syntax tree of a TypeScript file, comments dropped and literal contents blanked: its code structure. */
function codeShape(source: string, name: string): string[] {
  const file = ts.createSourceFile(name, source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    const literal = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node);
    out.push(ts.isIdentifier(node) || ts.isPrivateIdentifier(node) ? `${ts.SyntaxKind[node.kind]}:${node.text}` : literal ? 'literal' : ts.SyntaxKind[node.kind]!);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** A parsed SQL file without positions; string constants that hold spec text are reported separately. */
async function sqlShape(source: string): Promise<{ shape: string; constants: string[] }> {
  const constants: string[] = [];
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        if (/location|stmt_len/.test(key)) continue;
        if (key === 'sval' && typeof value === 'object' && value && 'sval' in value && String((value as { sval: string }).sval).includes(TOKEN)) {
          constants.push((value as { sval: string }).sval);
          out[key] = '<spec text>';
        } else out[key] = strip(value);
      }
      return out;
    }
    return node;
  };
  return { shape: JSON.stringify(strip(await parseSql(source))), constants };
}

/** Every document of a YAML file (Kubernetes manifests hold several, separated by ---). */
function parseYamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS() as unknown);
}

/** Keys of a parsed YAML/JSON document, with every leaf value blanked. */
function keyShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyShape);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keyShape(v)]));
  return typeof value;
}

/** Block structure of Markdown: per line, the marker that starts it and, for table rows, the cell count. */
function markdownShape(source: string): string[] {
  return source.split('\n').map((line) => {
    const marker = /^(\s*)(#{1,6} |[-*+] |\d+[.)] |> |\||```|<)?/.exec(line)?.[2] ?? '';
    const cells = marker === '|' ? line.replace(/\\\|/g, '').split('|').length : 0;
    const inline = [...line.matchAll(/(?<!\\)(\]\(|<[a-z/])/gi)].length;
    return `${marker}|${cells}|${inline}`;
  });
}

for (const { id: blueprint } of BLUEPRINTS.filter((b) => b.available)) {
  describe(`hostile spec text cannot escape (${blueprint})`, () => {
    let plain: string;
    let hostile: string;

    beforeAll(async () => {
      plain = await generateFromSpec('plain', spec(blueprint, (where) => `A plain ${where} description.`));
      hostile = await generateFromSpec('hostile', spec(blueprint, () => HOSTILE));
    }, TEN_MINUTES);
    afterAll(async () => {
      for (const dir of [plain, hostile]) if (dir) await removeGenerated(dir);
    });

    it('the hostile text reached the output (the test exercises something)', async () => {
      const all = await Promise.all((await files(hostile)).filter((f) => /\.(ts|sql|md|json|ya?ml)$/.test(f)).map((f) => readFile(path.join(hostile, f), 'utf8')));
      const withToken = all.filter((text) => text.includes(TOKEN)).length;
      expect(withToken).toBeGreaterThanOrEqual(6);
    });

    it('every output file has the same structure in its own language as with plain text', async () => {
      const names = await files(hostile);
      expect(names).toEqual(await files(plain));
      const checked: Record<string, number> = {};
      for (const name of names) {
        const ext = path.extname(name);
        const [a, b] = await Promise.all([readFile(path.join(plain, name), 'utf8'), readFile(path.join(hostile, name), 'utf8')]).catch(() => ['', '']);
        if (ext === '.ts') expect(codeShape(b, name), name).toEqual(codeShape(a, name));
        else if (ext === '.sql') {
          const [pa, pb] = [await sqlShape(a), await sqlShape(b)];
          expect(pb.shape, name).toEqual(pa.shape);
          for (const constant of pb.constants) expect(constant, name).toBe(HOSTILE_DEFAULT);
        } else if (ext === '.yml' || ext === '.yaml') expect(keyShape(parseYamlDocuments(b)), name).toEqual(keyShape(parseYamlDocuments(a)));
        else if (ext === '.json') expect(keyShape(JSON.parse(b)), name).toEqual(keyShape(JSON.parse(a)));
        else if (ext === '.md') expect(markdownShape(b), name).toEqual(markdownShape(a));
        else continue;
        checked[ext] = (checked[ext] ?? 0) + 1;
      }
      // Every language the output uses was compared (microservices adds .yaml: its Kubernetes manifests).
      for (const ext of ['.json', '.md', '.sql', '.ts', '.yml']) expect(checked[ext], ext).toBeGreaterThan(0);
    });

    it('type-checks and lints', async () => {
      await linkDependencies(hostile);
      const checked = await typecheckAndLint(hostile);
      expect(checked.ok, checked.output).toBe(true);
    }, TEN_MINUTES);

    it('applies its migrations to a real PostgreSQL; the table exists and the default is stored as written', async () => {
      requireServers();
      if (!existsSync(path.join(hostile, 'node_modules'))) await linkDependencies(hostile);
      const url = await freshDatabase('hostile');
      // The project's own migrate script (each blueprint names its runner there).
      const migrate = await execa('npm', ['run', 'migrate', '--silent'], { cwd: hostile, env: { DATABASE_URL: url }, reject: false, all: true });
      expect(migrate.exitCode, migrate.all).toBe(0);
      const psql = (query: string) => execa(findServerBinaries().psql ?? 'psql', [url, '-v', 'ON_ERROR_STOP=1', '-tAc', query]).then((r) => r.stdout);
      expect(await psql(`INSERT INTO team (name) VALUES ('x') RETURNING note`)).toBe(`${HOSTILE_DEFAULT}\nINSERT 0 1`);
      expect(await psql(`SELECT count(*) FROM pg_tables WHERE tablename = 'team'`)).toBe('1');
    }, TEN_MINUTES);
  });
}
