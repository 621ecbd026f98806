/**
 * `advise` recommends differently for clearly different contexts. Each row: a context, the expected
 * recommendation, and the rule that must be among its reasons (the rule that puts it ahead of the
 * runner-up) — so every expectation traces to a documented rule in generators/advise/rules.ts.
 */
import { describe, expect, it } from 'vitest';
import { advise } from '../../generators/advise/advice.js';
import type { AdviceContextInput } from '../../generators/advise/context.js';
import { BASELINE, scoreContext } from '../../generators/advise/matrix.js';
import { CRITERIA, RULES } from '../../generators/advise/rules.js';
import { resolveContext } from '../../generators/advise/context.js';

const TABLE: [string, AdviceContextInput, string, string][] = [
  ['a new small product (no answers)', {}, 'monolith-cache', 'few-teams'],
  ['bursty but steady-shaped load with a strict p95, small team, small budget', { traffic: 'steady', rpsAverage: 20, rpsPeak: 200, p95Ms: 50, teams: 1, teamSize: 3, budgetUsdPerMonth: 150 }, 'monolith-cache', 'steady-strict-p95'],
  ['an internal tool idle most of the day on a tiny budget', { traffic: 'idle', rpsAverage: 2, rpsPeak: 50, teams: 1, teamSize: 2, budgetUsdPerMonth: 50, p95Ms: 300 }, 'serverless', 'low-duty'],
  ['spiky traffic, relaxed p95, small team', { traffic: 'spiky', rpsAverage: 100, rpsPeak: 2000, p95Ms: 200, teamSize: 3 }, 'serverless', 'spiky-or-idle'],
  ['six independently deploying teams at high load', { teams: 6, teamSize: 40, rpsAverage: 2000, rpsPeak: 5000, traffic: 'steady', p95Ms: 150 }, 'microservices', 'many-teams'],
  ['replacing an existing system', { replacesSystem: true, teams: 2, rpsAverage: 300, rpsPeak: 600 }, 'hybrid', 'replaces-system'],
  ['real-time push with spiky traffic', { realtime: true, traffic: 'spiky', teamSize: 3, budgetUsdPerMonth: 300, p95Ms: 200 }, 'monolith-cache', 'realtime'],
  ['PCI-DSS scope, three teams', { compliance: ['pci-dss'], teams: 3, teamSize: 12, rpsAverage: 800, rpsPeak: 1500 }, 'monolith-cache', 'strict-compliance'],
  ['high sustained load and a large, growing database', { teams: 3, teamSize: 15, rpsAverage: 1500, rpsPeak: 3000, dataGb: 2000, dataGrowthGbPerMonth: 200 }, 'hybrid', 'large-data'],
  ['a tight budget at steady load', { budgetUsdPerMonth: 100, rpsAverage: 10, rpsPeak: 30 }, 'monolith-cache', 'tight-budget'],
];

describe('advise: the recommendation per context, traced to a rule', () => {
  it.each(TABLE)('%s → %s', (_name, context, expected, rule) => {
    const advice = advise(context);
    expect(advice.recommended).toBe(expected);
    expect(advice.reasons.map((r) => r.rule)).toContain(rule);
    // The reason's rule really fires for this context and favours the recommendation over the runner-up.
    const reason = advice.reasons.find((r) => r.rule === rule)!;
    expect(reason.margin).toBeGreaterThan(0);
    expect(advice.matrix.fired).toContain(rule);
  });

  it('recommends at least three different blueprints across the table', () => {
    expect(new Set(TABLE.map(([, c]) => advise(c).recommended)).size).toBeGreaterThanOrEqual(3);
  });
});

describe('the matrix is derived from the rules only', () => {
  it('without rules every blueprint scores the baseline on every criterion', () => {
    const matrix = scoreContext(resolveContext({}).context, []);
    for (const s of matrix.scores) for (const c of CRITERIA) expect(s.criteria[c].score).toBe(BASELINE);
  });

  it('every score is the baseline plus the contributions it lists, each from a fired rule', () => {
    for (const [, context] of TABLE) {
      const matrix = scoreContext(resolveContext(context).context);
      for (const s of matrix.scores)
        for (const c of CRITERIA) {
          const { score, contributions } = s.criteria[c];
          expect(score).toBe(BASELINE + contributions.reduce((sum, x) => sum + x.delta, 0));
          for (const x of contributions) expect(matrix.fired).toContain(x.rule);
        }
    }
  });

  it('every rule names its condition, reason and source; web sources are links', () => {
    const ids = new Set<string>();
    for (const r of RULES) {
      expect(ids.has(r.id)).toBe(false);
      ids.add(r.id);
      expect(r.condition.length).toBeGreaterThan(3);
      expect(r.reason.length).toBeGreaterThan(20);
      expect(r.effects.length).toBeGreaterThan(0);
      expect(r.source.title).toMatch(/Seed 000|Fowler|Azure|AWS/);
      if (r.source.url) expect(r.source.url).toMatch(/^https:\/\//);
    }
    // The examples exist as rules.
    expect([...ids]).toEqual(expect.arrayContaining(['few-teams', 'spiky-or-idle', 'steady-strict-p95', 'replaces-system']));
  });
});

describe('advice details', () => {
  it('says what would change the answer, verified by re-scoring', () => {
    const advice = advise({});
    const teams = advice.wouldChangeIf.find((w) => /teams/.test(w.if));
    expect(teams?.then).toBe('microservices');
    expect(advise({ teams: 4, teamSize: 25 }).recommended).toBe('microservices');
  });

  it('an available recommendation is generated as it is (all four architectures ship)', () => {
    const advice = advise({ replacesSystem: true, teams: 2 });
    expect(advice.recommended).toBe('hybrid');
    expect(advice.available).toBe(true);
    expect(advice.generate).toBe('hybrid');
    expect(advice.meanwhile).toBeNull();
  });

  it('an unavailable recommendation says so and generates monolith-cache meanwhile', () => {
    const advice = advise({ replacesSystem: true, teams: 2 }, { isAvailable: (id) => id !== 'hybrid' });
    expect(advice.recommended).toBe('hybrid');
    expect(advice.available).toBe(false);
    expect(advice.generate).toBe('monolith-cache');
    expect(advice.meanwhile).toMatch(/not available yet.*monolith-cache now as the MonolithFirst step/);
  });

  it('a rule decides: the same context with a relaxed p95 flips to serverless', () => {
    const strict = { traffic: 'steady', rpsAverage: 20, rpsPeak: 200, p95Ms: 50, teams: 1, teamSize: 3, budgetUsdPerMonth: 150 } as const;
    expect(advise(strict).recommended).toBe('monolith-cache');
    expect(advise({ ...strict, p95Ms: 300 }).recommended).toBe('serverless');
  });

  it('lists the answers that took their default', () => {
    expect(advise({ rpsAverage: 10 }).defaulted).not.toContain('rpsAverage');
    expect(advise({ rpsAverage: 10 }).defaulted).toContain('teams');
  });
});

describe('README documents the rules and the price table', () => {
  it('names every rule, every price source and the recorded date', async () => {
    const { readFile } = await import('node:fs/promises');
    const { priceTable } = await import('../../generators/advise/capacity.js');
    const readme = await readFile('README.md', 'utf8');
    for (const r of RULES) expect(readme, r.id).toContain(`| \`${r.id}\` | ${r.condition} |`);
    const table = priceTable();
    expect(readme).toContain(`recorded **${table.recorded}**`);
    for (const provider of Object.values(table.providers)) for (const p of Object.values(provider.prices)) expect(readme).toContain(p.source);
  });
});
