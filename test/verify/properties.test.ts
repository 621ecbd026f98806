/**
 * Rules judged as properties, not shapes (issue 12): each rule is broken SEVERAL different ways — the
 * way a user or another codebase would write the same defect — and every variant must fail with the
 * right check id and evidence; equivalent correct rewrites must pass. Static checks only (no install).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFile, breakFile, checkOnCopy, evidenceText, generate, removeProject } from './helpers.js';

let acme: string;
/** A soft-deleted entity with a unique field (acme's soft-deleted project has none). */
let soft: string;
const SOFT_SPEC = `name: soft
entities:
  account:
    softDelete: true
    fields:
      handle: { type: string, max: 40, unique: true }
      kind: { type: enum, values: [a, b], default: a }
    access:
      - { where: [kind], order: created_at desc }
`;

beforeAll(async () => {
  const specDir = await mkdtemp(path.join(tmpdir(), 'cba-soft-spec-'));
  await writeFile(path.join(specDir, 'soft.yaml'), SOFT_SPEC);
  [acme, soft] = await Promise.all([generate('acme'), generate('soft', ['--spec', path.join(specDir, 'soft.yaml')])]);
  await rm(specDir, { recursive: true, force: true });
}, 90_000);

afterAll(async () => {
  await Promise.all([acme, soft].filter(Boolean).map(removeProject));
});

type Edit = (dir: string) => Promise<void>;
const REPO = 'src/modules/project/repository.ts';
const BY_ID = 'sql`SELECT ${COLUMNS} FROM project WHERE id = ${id} AND deleted_at IS NULL`';
/** Replaces the by-id query of the project repository with `expr`, and appends `extra` to the file. */
const byIdQuery =
  (expr: string, extra = '', imports = ''): Edit =>
  async (d) => {
    await breakFile(d, REPO, BY_ID, expr);
    if (extra || imports) await breakFile(d, REPO, /^/, `${imports}`);
    if (extra) await breakFile(d, REPO, /$/, `\n${extra}\n`);
  };

const MIG = 'migrations/0001_initial.sql';
const UP = (sql: string) => `-- Up Migration\n${sql}\n\n-- Down Migration\n`;
const CONFIG_JWT = /(JWT_SECRET: \{\n\s*schema: str\(32\),\n\s*default: )undefined/;

const ROUTES = 'src/modules/project/routes.ts';
const withBody = (body: string, extra = ''): Edit => async (d) => {
  await breakFile(d, ROUTES, 'body: CreateProjectBody,', `body: ${body},`);
  if (extra) await breakFile(d, ROUTES, /$/, `\n${extra}\n`);
};
const laterMigration = (sql: string): Edit => (d) => addFile(d, 'migrations/0002_later.sql', UP(sql));

/** [check id, how the rule is broken, the edit, evidence that must be named]; a description starting with "soft:" edits the soft project. */
const BROKEN: [string, string, Edit, RegExp][] = [
  // Soft-deleted rows are skipped by their indexes — as the database has them after every migration.
  ['schema.soft-delete-indexes', 'a later migration recreates an access-pattern index without its predicate', laterMigration('DROP INDEX project_status_updated_at_desc_idx;\nCREATE INDEX project_status_updated_at_desc_idx ON project (status, updated_at DESC, id DESC);'), /0002_later\.sql:3 project: project_status_updated_at_desc_idx serves GET \/projects\?status=…&sort=updated_at:desc but is not partial/],
  ['schema.soft-delete-indexes', 'the predicate removed in the first migration', (d) => breakFile(d, MIG, 'ON project (team_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;', 'ON project (team_id, created_at DESC, id DESC);'), /0001_initial\.sql:\d+ project: project_team_id_created_at_desc_idx serves .* but is not partial/],
  ['schema.soft-delete-indexes', 'a predicate on another column', (d) => breakFile(d, MIG, 'ON project (team_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;', "ON project (team_id, created_at DESC, id DESC) WHERE status <> 'archived';"), /project_team_id_created_at_desc_idx serves .* partial on a predicate that does not imply deleted_at IS NULL/],
  ['schema.soft-delete-indexes', 'an OR that lets deleted rows in', (d) => breakFile(d, MIG, 'ON project (team_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;', "ON project (team_id, created_at DESC, id DESC) WHERE deleted_at IS NULL OR status = 'active';"), /project_team_id_created_at_desc_idx serves .* does not imply deleted_at IS NULL/],
  ['schema.soft-delete-indexes', 'soft: the live-rows unique index replaced by a UNIQUE constraint', laterMigration('DROP INDEX account_handle_live_key;\nALTER TABLE account ADD CONSTRAINT account_handle_key UNIQUE (handle);'), /0002_later\.sql:3 account: UNIQUE constraint account_handle_key on \(handle\) counts soft-deleted rows/],
  ['schema.soft-delete-indexes', 'soft: the unique index recreated over every row', laterMigration('DROP INDEX account_handle_live_key;\nCREATE UNIQUE INDEX account_handle_key ON account (handle);'), /account: unique index account_handle_key on \(handle\) counts soft-deleted rows/],
  ['schema.soft-delete-indexes', 'soft: the unique index dropped', laterMigration('DROP INDEX account_handle_live_key;'), /account\.handle is declared unique but no unique index on \(handle\) exists/],
  // Every route has a request schema — and a schema that accepts anything is not one.
  ['api.route-schemas', 'body: {}', withBody('{}'), /routes\.ts:\d+ POST \/projects: the body schema has no constraining keyword/],
  ['api.route-schemas', "body: { type: 'object' }", withBody("{ type: 'object' }"), /POST \/projects: the body schema is an object with no properties and additionalProperties allowed/],
  ['api.route-schemas', 'body: Type.Any()', withBody('Type.Any()'), /POST \/projects: the body schema is Type\.Any\(\)/],
  ['api.route-schemas', 'body: Type.Unknown()', withBody('Type.Unknown()'), /POST \/projects: the body schema is Type\.Unknown\(\)/],
  ['api.route-schemas', 'an empty open Type.Object', withBody('Type.Object({}, { additionalProperties: true })'), /the body schema is an object with no properties/],
  ['api.route-schemas', 'a record of anything through a constant', withBody('AnyBody', 'const AnyBody = Type.Record(Type.String(), Type.Unknown());'), /the body schema is a record of anything/],
  // Parameterized queries only: text built from a value, whatever the operation or route.
  ['code.sql-parameterized', '+ concatenation in a query config', byIdQuery(`{ text: "SELECT * FROM project WHERE id = '" + id + "'", values: [] } as never`), /repository\.ts:\d+ SQL text built by string concatenation from request\.params\.id \(not a constant\) reaches db\.query\(\)/],
  ['code.sql-parameterized', 'an untagged template', byIdQuery("`SELECT * FROM project WHERE id = '${id}'` as never"), /SQL text built by template interpolation from request\.params\.id/],
  ['code.sql-parameterized', 'sql.raw() of a value', byIdQuery('sql`SELECT ${COLUMNS} FROM project WHERE id = ${sql.raw(id)}`'), /built by sql\.raw\(\) of a value from request\.params\.id .*reaches sql\.raw\(\)/],
  ['code.sql-parameterized', 'sql.raw() of a template built from a value', byIdQuery('sql`SELECT ${COLUMNS} FROM project ORDER BY ${sql.raw(`${id} DESC`)}`'), /sql\.raw\(\) of a value from request\.params\.id/],
  ['code.sql-parameterized', 'a helper function returning built text', byIdQuery("byId('project', id) as never", "function byId(table: string, key: string): string {\n  return 'SELECT * FROM ' + table + ` WHERE id = '${key}'`;\n}"), /repository\.ts:\d+ SQL text built by (string concatenation|template interpolation) from request\.params\.id .*reaches db\.query\(\)/],
  ['code.sql-parameterized', 'String.prototype.concat', byIdQuery("'SELECT * FROM project WHERE id = '.concat(id) as never"), /SQL text built by \.concat\(\) from request\.params\.id/],
  ['code.sql-parameterized', 'an array join', byIdQuery("['SELECT * FROM project WHERE id =', quote(id)].join(' ') as never", "const quote = (v: string) => `'${v}'`;"), /built by \.join\(\) from|built by template interpolation from v/],
  ['code.sql-parameterized', 'util.format', byIdQuery("format('SELECT * FROM project WHERE id = %s', id) as never", '', "import { format } from 'node:util';\n"), /SQL text built by format\(\) from request\.params\.id/],
  ['code.sql-parameterized', 'the request value itself as the whole query text', byIdQuery('id as never'), /SQL text built by a value used as the whole text from request(\.params)?.* reaches db\.query\(\)/],
  ['code.sql-parameterized', 'the request value itself as a query config text', byIdQuery('{ text: id, values: [] } as never'), /SQL text built by a value used as the whole text from request(\.params)?.* reaches db\.query\(\)/],
  ['code.sql-parameterized', 'the String.raw tag', byIdQuery("String.raw`SELECT * FROM project WHERE id = '${id}'` as never"), /SQL text built by the String\.raw`…` tag from request\.params\.id/],
  [
    'code.sql-parameterized',
    'a wrapper forwarding to the driver, text built with +=',
    async (d) => {
      await breakFile(d, REPO, `db.query<Project>(${BY_ID})`, 'runText(db, where(id))');
      await breakFile(d, REPO, /$/, "\nfunction runText(q: Queryable, text: string) {\n  return q.query(text as never) as Promise<{ rows: Project[] }>;\n}\nfunction where(key: string): string {\n  let text = 'SELECT * FROM project';\n  text += ` WHERE id = '${key}'`;\n  return text;\n}\n");
    },
    /^src\/modules\/project\/repository\.ts:\d+ SQL text built by string concatenation from request\.params\.id \(not a constant\) reaches q\.query\(\) at [^\n]*text \+= [^\n]*$/,
  ],
  // Secrets only from the environment: a literal reaching a secret sink by any route.
  ['code.no-secret-literals', 'the JWT secret written in the plugin options', (d) => breakFile(d, 'src/app.ts', 'secret: config.JWT_SECRET', "secret: 'hard-coded-jwt-secret-0123456789abcdef'"), /app\.ts:\d+ "hard…ef" \(38 chars\) \(a literal\) reaches the secret option/],
  ['code.no-secret-literals', 'a ?? fallback to a literal', (d) => breakFile(d, 'src/app.ts', 'secret: config.JWT_SECRET', "secret: process.env.JWT_SECRET ?? 'dev-only-secret-0123456789abcdef0123'"), /\(a literal\) reaches the secret option/],
  [
    'code.no-secret-literals',
    'a constant in another module, built with +',
    async (d) => {
      await addFile(d, 'src/auth/keys.ts', "export const SIGNING = { key: 'dev-signing-key-' + 'abcdef0123456789' };\n");
      await breakFile(d, 'src/app.ts', 'secret: config.JWT_SECRET', 'secret: SIGNING.key');
      await breakFile(d, 'src/app.ts', /^/, "import { SIGNING } from './auth/keys.js';\n");
    },
    /keys\.ts:1 .*\(a literal\) reaches the secret option .* via .*SIGNING\.key/,
  ],
  [
    'code.no-secret-literals',
    'a helper function returning the key',
    async (d) => {
      await breakFile(d, 'src/app.ts', 'secret: config.JWT_SECRET', 'secret: signingKey()');
      await breakFile(d, 'src/app.ts', /$/, "\nfunction signingKey(): string {\n  return 'fallback-secret-0123456789abcdef0123';\n}\n");
    },
    /app\.ts:\d+ "fall…23" .*reaches the secret option/,
  ],
  ['code.no-secret-literals', 'a default in the config table', (d) => breakFile(d, 'src/config.ts', CONFIG_JWT, "$1'change-me-0123456789abcdef0123456789'"), /config\.ts:\d+ "chan…89" .*\(a literal\) reaches the secret option/],
  ['code.no-secret-literals', 'a database URL fallback', (d) => breakFile(d, 'src/db/pool.ts', 'connectionString: config.DATABASE_URL,', "connectionString: config.DATABASE_URL || 'postgres://app@localhost:5432/app',"), /pool\.ts:\d+ "post…pp" \(33 chars\) \(a literal\) reaches the connectionString/],
  ['code.no-secret-literals', "a parameter's default Redis URL", (d) => breakFile(d, 'src/cache/redis.ts', 'export function createRedis(url: string): Redis {', "export function createRedis(url: string = 'redis://cache.internal:6379'): Redis {"), /redis\.ts:\d+ .*\(a literal\) reaches the connection URL of Redis\(\)/],
  ['code.no-secret-literals', 'an HMAC key constant', (d) => addFile(d, 'src/http/webhook.ts', "import { createHmac } from 'node:crypto';\nconst KEY = 'whsec-0123456789abcdef';\nexport const signBody = (body: string) => createHmac('sha256', KEY).update(body).digest('hex');\n"), /webhook\.ts:2 .*reaches the HMAC key of createHmac\(\)/],
  ['code.no-secret-literals', 'a connection string with a password anywhere', (d) => addFile(d, 'scripts/seed.ts', "export const URL_FOR_SEED = 'postgres://admin:s3cret@db.internal:5432/app';\n"), /seed\.ts:1 a connection string with a password/],
];

/** Correct code written differently from the templates: must pass. */
const CORRECT: [string, string, Edit][] = [
  ['schema.soft-delete-indexes', 'the partial index renamed and recreated with an extra condition', laterMigration("DROP INDEX project_status_updated_at_desc_idx;\nCREATE INDEX project_live_by_status ON project (status, updated_at DESC, id DESC) WHERE deleted_at IS NULL AND status <> 'archived';")],
  ['api.route-schemas', 'a JSON Schema literal with properties', withBody("{ type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false }")],
  ['code.sql-parameterized', 'constant text in a variable with a values array', byIdQuery('{ text: BY_ID_TEXT, values: [id] } as never', "const BY_ID_TEXT = 'SELECT * FROM project WHERE id = $1 AND deleted_at IS NULL';")],
  ['code.sql-parameterized', 'sql.raw() of text built only from constants', byIdQuery("sql`SELECT ${sql.raw(['id', 'name'].join(', '))} FROM project WHERE id = ${id}`")],
  ['code.sql-parameterized', 'a constant picked by a ternary', byIdQuery("(id ? 'SELECT 1' : 'SELECT 2') as never")],
  ['code.no-secret-literals', 'the secret read straight from process.env', (d) => breakFile(d, 'src/app.ts', 'secret: config.JWT_SECRET', 'secret: process.env.JWT_SECRET!')],
  ['code.no-secret-literals', 'a literal that is not a secret beside one from the environment', (d) => breakFile(d, 'src/app.ts', 'secret: config.JWT_SECRET', "secret: process.env.JWT_SECRET ?? (() => { throw new Error('JWT_SECRET is required'); })()")],
];

describe('each rule fails however it is broken (several differently written edits)', () => {
  for (const [id, what, edit, evidence] of BROKEN) {
    it(`${id}: ${what}`, async () => {
      const r = await checkOnCopy(what.startsWith('soft:') ? soft : acme, edit, id);
      expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('fail');
      expect(evidenceText(r)).toMatch(evidence);
      expect(r.fix).toBeTruthy();
    });
  }
});

describe('correct code written differently passes', () => {
  for (const [id, what, edit] of CORRECT) {
    it(`${id}: ${what}`, async () => {
      const r = await checkOnCopy(acme, edit, id);
      expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
    });
  }
});

