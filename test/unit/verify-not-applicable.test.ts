/**
 * verify's n/a status: a shared check whose property does not exist for a blueprint (its checklist's
 * notApplicable reason) is reported as not applicable, counted apart from skips in the text and Markdown
 * summaries and in the JSON totals; a shared check left out without a reason stays a skip.
 */
import { describe, expect, it } from 'vitest';
import { checksFor } from '../../generators/verify/registry.js';
import { formatMarkdown, formatText } from '../../generators/verify/report.js';
import type { CheckResult, VerifyReport } from '../../generators/verify/types.js';
import type { BlueprintModule } from '../../generators/blueprints/contract.js';

const module = {
  plan: () => ({}),
  checklist: () => ({ shared: ['schema.'], notApplicable: { 'delivery.dockerfile-non-root': 'there is no container image' } }),
} as unknown as BlueprintModule;

const result = (id: string, status: CheckResult['status'], summary: string): CheckResult => ({ id, title: id, seed: { file: 's', section: 'x' }, kind: 'static', status, summary, evidence: [], durationMs: 1 });

function report(results: CheckResult[]): VerifyReport {
  const totals = { pass: 0, fail: 0, skip: 0, notApplicable: 0 };
  for (const r of results) totals[r.status === 'n/a' ? 'notApplicable' : r.status]++;
  return { schemaVersion: 1, project: '/tmp/p', blueprint: 'fake', generatorVersion: '0', mode: 'full', startedAt: 'now', durationMs: 1000, totals, results };
}

describe('not applicable (n/a) apart from skipped', () => {
  it("a shared check named in notApplicable runs to n/a with the reason; one left out without a reason is a skip", async () => {
    const checks = checksFor({ id: 'fake', module });
    const ctx = {} as never;
    const docker = await checks.find((c) => c.id === 'delivery.dockerfile-non-root')!.run(ctx);
    expect(docker).toMatchObject({ status: 'n/a', summary: 'does not apply to the fake blueprint (there is no container image)' });
    const ci = await checks.find((c) => c.id === 'delivery.ci-workflow')!.run(ctx);
    expect(ci).toMatchObject({ status: 'skip', summary: 'does not apply to the fake blueprint (not in its checklist)' });
  });

  it('the text and Markdown reports count n/a apart, and say nothing of it when there is none', () => {
    const mixed = report([result('a', 'pass', 'ok'), result('b', 'skip', 'declares no jobs'), result('c', 'n/a', 'does not apply to the fake blueprint (no container)')]);
    const text = formatText(mixed);
    expect(text).toMatch(/^n\/a c — does not apply to the fake blueprint \(no container\)$/m);
    expect(text).toMatch(/^skipped b — declares no jobs$/m);
    expect(text).toContain('1 passed, 0 failed, 1 skipped, 1 not applicable (static and dynamic; 1.0 s)');
    expect(formatMarkdown(mixed)).toContain('**1 passed, 0 failed, 1 skipped, 1 not applicable**');
    expect(formatMarkdown(mixed)).toMatch(/^\| n\/a \| `c` \|/m);
    const none = report([result('a', 'pass', 'ok'), result('b', 'skip', 'declares no jobs')]);
    expect(formatText(none)).toContain('1 passed, 0 failed, 1 skipped (static and dynamic; 1.0 s)');
    expect(formatMarkdown(none)).toContain('**1 passed, 0 failed, 1 skipped** (');
  });
});
