/** The capacity and cost estimate: its numbers follow from the context, the formulas and the dated price table. */
import { describe, expect, it } from 'vitest';
import { estimateCapacity, measuredFromReport, priceTable, ASSUMPTIONS } from '../../generators/advise/capacity.js';
import { resolveContext } from '../../generators/advise/context.js';

const ctx = (input = {}) => resolveContext(input).context;

describe('price table', () => {
  it('every price of every provider has a source URL and a date', () => {
    const table = priceTable();
    expect(Object.keys(table.providers).sort()).toEqual(['aws', 'gcp']);
    for (const provider of Object.values(table.providers))
      for (const [key, p] of Object.entries(provider.prices)) {
        expect(p.source, key).toMatch(/^https:\/\//);
        expect(p.date, key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(p.usd, key).toBeGreaterThan(0);
      }
  });
});

describe('estimateCapacity', () => {
  it('rows at 1×, 2×, 5×, 10×; instances follow the formula; totals never fall', () => {
    const e = estimateCapacity(ctx({ rpsAverage: 400, rpsPeak: 1200 }), 'monolith-cache');
    expect(e.rows.map((r) => r.multiplier)).toEqual([1, 2, 5, 10]);
    for (const r of e.rows) {
      expect(r.apiInstances).toBe(Math.max(2, Math.ceil((1200 * r.multiplier) / ASSUMPTIONS.ruleOfThumbRpsPerInstance)));
      expect(r.workerInstances).toBe(Math.max(1, Math.ceil(r.apiInstances / 4)));
      const c = r.cost;
      expect(c.total).toBeCloseTo(c.compute + c.loadBalancer + c.functions + c.database + c.cache + c.queue + c.monitoring, 1);
    }
    for (let i = 1; i < e.rows.length; i++) expect(e.rows[i]!.cost.total).toBeGreaterThanOrEqual(e.rows[i - 1]!.cost.total);
    expect(e.formulas.join('\n')).toContain(`⌈peak req/s ÷ ${ASSUMPTIONS.ruleOfThumbRpsPerInstance}⌉`);
    expect(e.throughput.basis).toBe('rule of thumb');
  });

  it('compute cost is instances × the listed container prices × hours', () => {
    const table = priceTable();
    const e = estimateCapacity(ctx({ rpsAverage: 10, rpsPeak: 20 }), 'monolith-cache');
    const p = table.providers.aws!.prices;
    const hour = p['container.vcpuHour'].usd + 2 * p['container.gbHour'].usd;
    expect(e.rows[0]!.cost.compute).toBeCloseTo(3 * hour * 730, 1);
  });

  it('uses a measured throughput instead of the rule of thumb, and says so', () => {
    const measured = { rps: 8000, source: 'docs/verification.md, dynamic.load-p95' };
    const e = estimateCapacity(ctx({ rpsPeak: 10_000, rpsAverage: 5000 }), 'monolith-cache', measured);
    expect(e.throughput.basis).toBe('measured');
    expect(e.throughput.perInstanceRps).toBe(2000);
    expect(e.throughput.note).toContain('8000 req/s');
    expect(e.rows[0]!.apiInstances).toBe(5);
  });

  it('the provider selects the prices', () => {
    const aws = estimateCapacity(ctx({ provider: 'aws' }), 'monolith-cache');
    const gcp = estimateCapacity(ctx({ provider: 'gcp' }), 'monolith-cache');
    expect(gcp.prices.every((p) => p.source.includes('cloud.google.com'))).toBe(true);
    expect(aws.prices.every((p) => p.source.includes('aws.amazon.com'))).toBe(true);
    expect(gcp.rows[0]!.cost.total).not.toBe(aws.rows[0]!.cost.total);
  });

  it('serverless bills per request: cheaper than containers when idle, dearer at high sustained load', () => {
    const idle = ctx({ rpsAverage: 1, rpsPeak: 20, traffic: 'idle' });
    expect(estimateCapacity(idle, 'serverless').rows[0]!.cost.total).toBeLessThan(estimateCapacity(idle, 'monolith-cache').rows[0]!.cost.total);
    const busy = ctx({ rpsAverage: 3000, rpsPeak: 4000 });
    expect(estimateCapacity(busy, 'serverless').rows[0]!.cost.total).toBeGreaterThan(estimateCapacity(busy, 'monolith-cache').rows[0]!.cost.total);
  });
});

describe('measuredFromReport', () => {
  const report = (mark: string) =>
    `# Verification report\n\nChecked by \`backend-arch verify\` (create-backend-arch 0.1.0, blueprint \`monolith-cache\`) on 2026-11-26T09:00:00.000Z:\n\n| | check | kind | result | seed |\n| --- | --- | --- | --- | --- |\n| ${mark} | \`dynamic.load-p95\` | dynamic | p95 4 ms < 100 ms at 5321 req/s [requests=16000, rps=5321, p95ms=4] | x |\n`;
  it('reads the rps figure of a passed load check', () => {
    expect(measuredFromReport(report('✓'))).toEqual({ rps: 5321, source: 'docs/verification.md, dynamic.load-p95, 2026-11-26T09:00:00.000Z' });
  });
  it('ignores a failed or skipped load check and an absent report', () => {
    expect(measuredFromReport(report('✗'))).toBeUndefined();
    expect(measuredFromReport(report('-'))).toBeUndefined();
    expect(measuredFromReport(undefined)).toBeUndefined();
  });
});
