/**
 * No false failures: projects generated from specs of different shapes pass every static check that
 * applies (fails 0, nothing left unrun). Shapes: reserved words and composite access patterns (shop),
 * no soft delete, many entities with a chain of references, decimal/bigint/json/date columns, a soft-
 * deleted entity with unique fields, no jobs and no access patterns. The full (dynamic) checklist runs
 * on two installed projects in dynamic.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../generators/verify/run.js';
import { evidenceText, generate, removeProject } from './helpers.js';

const SPECS: Record<string, string> = {
  manyEntities: `name: many
entities:
  region: { fields: { code: { type: string, max: 8, unique: true } } }
  country: { fields: { name: { type: string, max: 80 }, region_id: { type: uuid, references: region } }, access: [{ where: [region_id], order: name asc }] }
  city: { fields: { name: { type: string, max: 80 }, country_id: { type: uuid, references: country } }, access: [{ where: [country_id] }] }
  venue: { softDelete: true, fields: { name: { type: string, max: 80 }, city_id: { type: uuid, references: city }, capacity: { type: integer, min: 1 } }, access: [{ where: [city_id, capacity], order: created_at desc }] }
  event: { fields: { title: { type: string, max: 120 }, venue_id: { type: uuid, references: venue }, starts_on: { type: date } }, access: [{ where: [venue_id], order: starts_on asc }] }
  ticket: { fields: { event_id: { type: uuid, references: event }, price: { type: decimal, precision: 10, scale: 2, min: 0 } } }
jobs:
  recount-tickets: { entity: event, retries: 3 }
`,
  numericAndJson: `name: ledger
entities:
  account:
    fields:
      label: { type: string, max: 60, unique: true }
      balance: { type: decimal, precision: 18, scale: 4 }
      sequence: { type: bigint, min: 0 }
      settings: { type: json, optional: true }
      opened_at: { type: timestamp, default: now }
      active: { type: boolean, default: true }
    access:
      - { where: [active], order: opened_at desc }
`,
  softUnique: `name: soft
entities:
  member:
    softDelete: true
    fields:
      email: { type: email, unique: true }
      handle: { type: string, max: 40, unique: true }
      tier: { type: enum, values: [free, paid], default: free }
    access:
      - { where: [tier], order: created_at desc }
jobs:
  welcome-member: { entity: member }
`,
  noJobsNoAccess: `name: bare
entities:
  note:
    fields:
      body: { type: text }
`,
};

const dirs: Record<string, string> = {};
let specDir: string;

beforeAll(async () => {
  specDir = await mkdtemp(path.join(tmpdir(), 'cba-specs-'));
  const entries = await Promise.all(
    Object.entries(SPECS).map(async ([name, text]) => {
      const file = path.join(specDir, `${name}.yaml`);
      await writeFile(file, text);
      return [name, await generate(name.toLowerCase(), ['--spec', file])] as const;
    }),
  );
  entries.push(['shop', await generate('shop', ['--spec', 'test/fixtures/specs/shop.yaml'])]);
  for (const [name, dir] of entries) dirs[name] = dir;
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(dirs).map(removeProject));
  if (specDir) await rm(specDir, { recursive: true, force: true });
});

describe('every static check that applies passes on projects from different specs', () => {
  for (const name of [...Object.keys(SPECS), 'shop']) {
    it(name, async () => {
      const report = await runVerify({ dir: dirs[name]!, staticOnly: true });
      const wrong = report.results.filter((r) => r.status === 'fail' || r.notRun).map((r) => `${r.id}: ${r.summary}\n${evidenceText(r)}`);
      expect(wrong).toEqual([]);
      expect(report.totals.pass).toBeGreaterThan(15);
    });
  }
});
