/** The advice as terminal text (the command prints it; `new`'s "help me choose" step shows it too). */
import { QUESTIONS, describeValue } from './context.js';
import { CRITERIA, CRITERION_TITLES } from './rules.js';
import { BASELINE } from './matrix.js';
import type { Advice } from './advice.js';

export function formatMatrix(advice: Advice): string[] {
  const head = ['option', ...CRITERIA.map((c) => CRITERION_TITLES[c]), 'total'];
  const rows = advice.ranking.map(({ blueprint, total }) => {
    const s = advice.matrix.scores.find((x) => x.blueprint === blueprint)!;
    return [`${blueprint}${s.available ? '' : ' (not available yet)'}`, ...CRITERIA.map((c) => String(s.criteria[c].score)), String(total)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  return [line(head), ...rows.map(line)];
}

export function formatAdvice(advice: Advice, command: string, saved: string | undefined): string {
  const out: string[] = [];
  const given = QUESTIONS.filter((q) => !advice.defaulted.includes(q.field));
  out.push('Context:');
  for (const q of QUESTIONS) out.push(`  ${q.message}: ${describeValue(q.field, advice.context[q.field])}${advice.defaulted.includes(q.field) ? ' (default)' : ''}`);
  if (given.length === 0) out.push('  (no answers given: every value is the stated default; pass flags or --answers FILE)');
  out.push('', `Decision matrix (every criterion starts at ${BASELINE}; the rules that hold add or remove points; higher is better):`, ...formatMatrix(advice), '');
  const title = `${advice.recommended}${advice.available ? '' : ' (not available yet)'}`;
  out.push(`Recommendation: ${title}, ahead of ${advice.runnerUp}.`);
  for (const r of advice.reasons) out.push(`  - ${r.rule} (${r.condition}): ${r.reason}. Source: ${r.source.title}${r.source.url ? ` <${r.source.url}>` : ''}`);
  if (advice.meanwhile) out.push('', `Meanwhile: ${advice.meanwhile}`);
  if (advice.wouldChangeIf.length) {
    out.push('', 'The recommendation would change if:');
    for (const w of advice.wouldChangeIf) out.push(`  - ${w.if} → ${w.then}`);
  }
  const e = advice.estimate;
  out.push('', `Capacity and cost of ${e.blueprint} on ${e.providerTitle} (prices recorded ${e.recorded}; ${e.throughput.note}):`);
  for (const r of e.rows)
    out.push(
      `  ${`${r.multiplier}×`.padStart(3)}  ${`${r.rpsPeak} req/s peak`.padEnd(18)} ${r.apiInstances ? `${r.apiInstances} API + ${r.workerInstances} worker instances, ` : ''}${r.functionInvocations ? `${r.functionInvocations} invocations, ` : ''}db ${r.dbTier} (${r.dbGb} GB${r.dbReplicas ? `, ${r.dbReplicas} replicas` : ''})  $${r.cost.total}/month`,
    );
  out.push('  formulas:', ...e.formulas.map((f) => `    ${f}`));
  if (advice.overBudget) out.push(`  note: ${advice.overBudget}`);
  out.push('', saved ? `Answers written to ${saved}. Generate with them (the context goes into docs/architecture.md):` : 'Generate it:', `  ${command}`);
  if (!saved) out.push('  (add --save FILE to record this context; `create-backend-arch --answers FILE` then draws docs/architecture.md from it)');
  return out.join('\n');
}
