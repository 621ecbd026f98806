/**
 * Seed 000's Validation Criteria as checks on docs/architecture.md: every check passes on fresh
 * projects from two specs (one with an advice context that replaces a system), and fails — naming the
 * evidence — on copies broken on purpose in several different ways.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHITECTURE_CHECKS } from '../../generators/verify/checks/architecture/index.js';
import { runVerify } from '../../generators/verify/run.js';
import { addFile, breakFile, copyProject, evidenceText, generate, removeProject, runCheck } from '../verify/helpers.js';

const ADR = 'docs/architecture.md';
const MIG = (sql: string) => `-- Up Migration\n${sql}\n\n-- Down Migration\n`;
let acme: string;
let shop: string;
let answersDir: string;

beforeAll(async () => {
  answersDir = await mkdtemp(path.join(tmpdir(), 'cba-adr-answers-'));
  const answers = path.join(answersDir, 'answers.json');
  await writeFile(answers, JSON.stringify({ context: { replacesSystem: true, stack: 'java', teams: 2, rpsAverage: 800, rpsPeak: 2400, dataGb: 300, provider: 'gcp' } }));
  [acme, shop] = await Promise.all([generate('acme'), generate('shop', ['--spec', 'test/fixtures/specs/shop.yaml', '--answers', answers])]);
}, 120_000);

afterAll(async () => {
  await Promise.all([acme, shop].filter(Boolean).map(removeProject));
  await rm(answersDir, { recursive: true, force: true });
});

describe('fresh projects pass every architecture check', () => {
  for (const name of ['acme', 'shop']) {
    it(name, async () => {
      const report = await runVerify({ dir: name === 'acme' ? acme : shop, staticOnly: true, only: ['architecture.'] });
      expect(report.results.map((r) => r.id).sort()).toEqual(ARCHITECTURE_CHECKS.map((c) => c.id).sort());
      expect(report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.summary}\n${evidenceText(r)}`)).toEqual([]);
    });
  }

  it('the shop record follows its answers: gcp prices, the migration from the replaced system is required', async () => {
    const migration = await runCheck(shop, 'architecture.migration-path');
    expect(migration.summary).toContain('required: the project replaces a system');
    const cost = await runCheck(shop, 'architecture.cost-projections');
    expect(cost.status).toBe('pass');
  });
});

type Break = (dir: string) => Promise<void>;
const CASES: [string, 'acme' | 'shop', string, Break, RegExp][] = [
  // ≥ 3 patterns in a decision matrix, and a decision
  ['architecture.patterns-evaluated', 'acme', 'two options dropped from the matrix', (d) => breakFile(d, ADR, /\| (Serverless|Microservices) \(`(serverless|microservices)`\)[^\n]*\n\| (Serverless|Microservices) \(`(serverless|microservices)`\)[^\n]*\n/, ''), /2 pattern\(s\) scored on every criterion; at least 3/],
  ['architecture.patterns-evaluated', 'acme', 'a score replaced by a placeholder', (d) => breakFile(d, ADR, /(\| Hybrid \(`hybrid`\)\s*\|)\s*\d+/, '$1 TBD'), /Hybrid \(hybrid\): no score for Scalability/],
  ['architecture.patterns-evaluated', 'acme', 'the Decision section removed', (d) => breakFile(d, ADR, /\n## Decision\n[\s\S]*?(?=\n## What was generated)/, '\n'), /no Decision section naming one of the evaluated patterns/],
  ['architecture.patterns-evaluated', 'acme', 'the matrix turned into prose', (d) => breakFile(d, ADR, /\| option\s*\| Scalability[^\n]*\n/, '| option | notes | more | total |\n'), /no table whose header names at least three criteria/],
  ['architecture.patterns-evaluated', 'acme', 'the record deleted', (d) => rm(path.join(d, ADR)), /docs\/architecture\.md: not found/],
  // the schema section matches the migrations
  ['architecture.schema-matches', 'acme', 'a later migration adds an index the record does not list', (d) => addFile(d, 'migrations/0002_task_due.sql', MIG('CREATE INDEX task_due_on_idx ON task (due_on);')), /0002_task_due\.sql:\d+ index task_due_on_idx on task is not in the record's index table/],
  ['architecture.schema-matches', 'acme', "an access pattern's index row removed", (d) => breakFile(d, ADR, /\| `project`\s*\| `project_status_updated_at_desc_idx`[^\n]*\n/, ''), /access pattern GET \/projects\?status=…&sort=updated_at:desc \(project\) has no index in the record/],
  ['architecture.schema-matches', 'acme', 'an index listed that the migrations do not create', (d) => breakFile(d, ADR, '`team_plan_created_at_desc_idx`', '`team_plan_idx`'), /lists index team_plan_idx, which the migrations do not create/],
  ['architecture.schema-matches', 'acme', 'the query an index serves left blank', (d) => breakFile(d, ADR, /(\| `project_team_id_fk_idx`\s*\|[^|]*\|[^|]*\|)[^|\n]*\|\n/, '$1  |\n'), /index project_team_id_fk_idx: the query it serves is not stated/],
  ['architecture.schema-matches', 'shop', 'a table created by a later migration', (d) => addFile(d, 'migrations/0002_coupon.sql', MIG('CREATE TABLE coupon (id uuid PRIMARY KEY, code text NOT NULL);')), /table coupon is not in the record's table of tables/],
  // cost projections 1×–10×
  ['architecture.cost-projections', 'acme', 'the 10× column removed', (d) => breakFile(d, ADR, /\| 10×(\s*)\|/, '| 20×$1|'), /no 10× column/],
  ['architecture.cost-projections', 'acme', 'a total replaced by TBD', (d) => breakFile(d, ADR, /(\| \*\*total \$\/month\*\*\s*\|[^|]*\|)[^|]*\|/, '$1 TBD |'), /the 2× total "TBD" is not an amount/],
  ['architecture.cost-projections', 'shop', 'the 10× total below the 5× one', (d) => breakFile(d, ADR, /\*\*[\d.]+\*\*(\s*\|\s*)$/m, '**1.00**$1'), /the total falls from [\d.]+ at 5× to 1 at 10×/],
  ['architecture.cost-projections', 'acme', 'the formulas removed', (d) => breakFile(d, ADR, /(Formulas:\n\n)(- [^\n]*\n)+/, '$1'), /no formula \(a list item with "="\) in the cost section/],
  ['architecture.cost-projections', 'acme', 'a price without its date', (d) => breakFile(d, ADR, /\| 2026-11-26 \|/, '| |'), /price "[^"]+" lacks a source URL or a date/],
  // security claims backed by code checks
  ['architecture.security-claims', 'acme', 'TLS claimed as implemented', (d) => breakFile(d, ADR, '- [ ] Encryption in transit', '- [x] Encryption in transit'), /claims Encryption in transit as implemented, but it is a deployment property/],
  ['architecture.security-claims', 'acme', 'rate limiting claimed while the code unregistered it', (d) => breakFile(d, 'src/app.ts', 'app.register(rateLimit,', 'app.register(async () => {},'), /claims Rate limiting, but api\.rate-limit fails/],
  ['architecture.security-claims', 'shop', 'secrets management claimed while a secret is hard-coded', (d) => breakFile(d, 'src/app.ts', 'secret: config.JWT_SECRET', "secret: 'hard-coded-jwt-secret-0123456789abcdef'"), /claims Secrets management, but code\.no-secret-literals fails/],
  ['architecture.security-claims', 'acme', 'TLS slipped into a checked line', (d) => breakFile(d, ADR, '- [x] Authentication (JWT, OAuth, API keys):', '- [x] Authentication (JWT, OAuth, API keys) and TLS 1.3 everywhere:'), /claims Encryption in transit as implemented/],
  ['architecture.security-claims', 'acme', 'an item of the seed checklist dropped', (d) => breakFile(d, ADR, /- \[x\] Audit logging[^\n]*\n/, ''), /the checklist does not address Audit logging/],
  ['architecture.security-claims', 'acme', 'a claim no check can confirm', (d) => breakFile(d, ADR, '- [ ] Encryption at rest', '- [x] Quantum-safe key exchange\n- [ ] Encryption at rest'), /claims "Quantum-safe key exchange", which no code check can confirm/],
  // scaling path and monitoring strategy
  ['architecture.scaling-monitoring', 'acme', 'the scaling path removed', (d) => breakFile(d, ADR, '## Scaling path', '## Notes'), /no scaling path section/],
  ['architecture.scaling-monitoring', 'acme', 'the scaling path cut to two steps', (d) => breakFile(d, ADR, /\n3\. \*\*More API instances[\s\S]*?(?=\n## Migration path)/, '\n'), /the scaling path has 2 ordered step\(s\); at least 3/],
  ['architecture.scaling-monitoring', 'acme', 'an alert renamed in alerts.yml', (d) => breakFile(d, 'monitoring/alerts.yml', 'alert: SlowResponses', 'alert: SlowAnswers'), /names alert SlowResponses, which monitoring\/alerts\.yml does not define[\s\S]*alert SlowAnswers is not part of the record's monitoring strategy/],
  ['architecture.scaling-monitoring', 'shop', 'a seed target dropped', (d) => breakFile(d, ADR, 'Cache hit rate > 80%', 'Cache hit rate high'), /does not state the target cache hit rate > 80%/],
  ['architecture.scaling-monitoring', 'acme', 'the monitoring section removed', (d) => breakFile(d, ADR, /\n## Performance targets and monitoring\n[\s\S]*?(?=\n## Security checklist)/, '\n'), /no monitoring section/],
  // migration path when the project replaces a system
  ['architecture.migration-path', 'shop', 'the rollback plan removed', (d) => breakFile(d, ADR, /\n### Rollback\n[\s\S]*$/, '\n'), /no rollback plan/],
  ['architecture.migration-path', 'shop', 'the phases collapsed into one', (d) => breakFile(d, ADR, /\n### Phase 2[^\n]*\n/, '\n').then(() => breakFile(d, ADR, /\n### Phase 3[^\n]*\n/, '\n')), /1 phase\(s\) with steps; at least 2/],
  ['architecture.migration-path', 'shop', 'the migration section removed', (d) => breakFile(d, ADR, /\n## Migration path\n[\s\S]*$/, '\n'), /no migration path section/],
  ['architecture.migration-path', 'shop', 'the record deleted', (d) => rm(path.join(d, ADR)), /docs\/architecture\.md: not found/],
];

describe('architecture checks fail on broken projects', () => {
  it.each(CASES)('%s on %s: %s', async (id, base, _what, breakIt, evidence) => {
    const dir = await copyProject(base === 'acme' ? acme : shop);
    try {
      await breakIt(dir);
      const result = await runCheck(dir, id);
      expect(result.status, `${result.summary}\n${evidenceText(result)}`).toBe('fail');
      expect(evidenceText(result)).toMatch(evidence);
      expect(result.fix).toBeTruthy();
    } finally {
      await removeProject(dir);
    }
  });

  it('without "replaces a system", an incomplete migration path is not a failure', async () => {
    const dir = await copyProject(acme);
    try {
      await breakFile(dir, ADR, /\n## Migration path\n[\s\S]*$/, '\n');
      const result = await runCheck(dir, 'architecture.migration-path');
      expect(result.status).toBe('pass');
      expect(result.summary).toContain('not required');
    } finally {
      await removeProject(dir);
    }
  });
});
