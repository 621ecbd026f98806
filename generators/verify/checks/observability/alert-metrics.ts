import ts from 'typescript';
import { findAll, type Sources } from '../../analysis/source.js';
import { evaluate } from '../../analysis/evaluate.js';
import type { ProjectContext } from '../../context.js';
import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { exportedMetrics, isExported } from './exported-metrics.js';
import { parsePromql } from './promql.js';
import { alertRules, missingAlertRules, type AlertRule } from './alert-rules.js';

export const alertMetrics: Check = {
  id: 'observability.alert-metrics',
  title: 'Every metric an alert rule reads is exported by the app',
  seed: seed('s000', 'Monitoring Setup: metrics and alerts'),
  kind: 'static',
  async run({ project }) {
    const rules = await alertRules(project);
    if (rules === null) return missingAlertRules(project);
    const sources = await project.sources();
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    if (project.plan.metricsPush) {
      await judgePushed(project, sources, rules, problems, ok);
      if (problems.length) return fail(`${problems.length} alert quer(y/ies) read data the app does not write`, problems, `Make the alert query read the dataset and event kind the app writes with ${project.plan.metricsPush.method}(…) (see src/observability/metrics.ts), or a table the migrations create; an alert on data nobody writes never fires.`);
      return pass(`${rules.length} alert rule(s); every one reads data points the app writes to ${project.plan.metricsPush.sink} or a table its migrations create`, ok);
    }
    const exported = exportedMetrics(sources);
    for (const rule of rules) {
      for (const s of parsePromql(rule.expr).series) {
        if (isExported(s, exported)) ok.push({ file: rule.file, line: rule.line, text: `${rule.name}: ${s}` });
        else problems.push({ file: rule.file, line: rule.line, text: `alert ${rule.name} reads ${s}, which the app does not export` });
      }
    }
    const names = [...exported.keys()].filter((n) => n !== '__defaults__');
    if (problems.length) return fail(`${problems.length} alert metric(s) not exported`, [...problems, { text: `exported: ${names.join(', ')}` }], 'Rename the metric in the alert expression (or in src/observability/metrics.ts) so both agree; an alert on a missing series never fires.');
    return pass(`${rules.length} alert rule(s); every metric they read is exported (${names.length} metrics)`, ok);
  },
};

/** What the app writes to one dataset, per event kind (the first blob): how many blobs and doubles its data points carry. */
interface Written {
  blobs: number;
  doubles: number;
  at: Evidence;
}

/**
 * Pushed metrics (plan.metricsPush, e.g. Workers Analytics Engine): the data points are the
 * `<binding>.<method>({ blobs: ['<kind>', …], doubles: [...] })` calls in src/; a binding's dataset is
 * the plan's `datasets[binding]`. An alert rule's SQL may read a dataset only for the kinds written to
 * it (`blob1 = '<kind>'`) and only the blobN/doubleN those data points carry; a table that is not a
 * dataset must be one the migrations create (job states kept in PostgreSQL).
 */
async function judgePushed(project: ProjectContext, sources: Sources, rules: AlertRule[], problems: Evidence[], ok: Evidence[]): Promise<void> {
  const push = project.plan.metricsPush!;
  const datasets = push.datasets ?? {};
  const written = new Map<string, Map<string, Written>>();
  for (const { sf } of sources.app)
    for (const c of findAll(sf, ts.isCallExpression)) {
      if (!ts.isPropertyAccessExpression(c.expression) || c.expression.name.text !== push.method) continue;
      const receiver = c.expression.expression;
      const binding = ts.isPropertyAccessExpression(receiver) ? receiver.name.text : ts.isIdentifier(receiver) ? receiver.text : '';
      const dataset = datasets[binding] ?? binding;
      const arr = (name: string) => {
        const a = sources.resolve(sources.prop(c.arguments[0], name));
        return a && ts.isArrayLiteralExpression(a) ? a.elements : undefined;
      };
      const blobs = arr('blobs');
      const kind = blobs?.[0] ? evaluate(sources, blobs[0]) : undefined;
      if (typeof kind !== 'string') continue;
      const kinds = written.get(dataset) ?? new Map<string, Written>();
      const prev = kinds.get(kind);
      const here = { blobs: blobs!.length, doubles: arr('doubles')?.length ?? 0, at: sources.at(c, `${binding}.${push.method}({ blobs: ['${kind}', …] })`) };
      kinds.set(kind, prev ? { blobs: Math.min(prev.blobs, here.blobs), doubles: Math.min(prev.doubles, here.doubles), at: prev.at } : here);
      written.set(dataset, kinds);
    }
  const schema = await project.schema();
  for (const rule of rules) {
    const at = { file: rule.file, line: rule.line };
    if (rule.language !== 'sql') {
      problems.push({ ...at, text: `alert ${rule.name} is a PromQL rule, but the app pushes its metrics to ${push.sink}: no series reaches Prometheus` });
      continue;
    }
    const tables = [...rule.expr.matchAll(/\bFROM\s+"?([\w.]+)"?/gi)].map((m) => m[1]!);
    if (tables.length === 0) problems.push({ ...at, text: `alert ${rule.name}: its query reads no table` });
    for (const table of tables) {
      const kinds = written.get(table);
      if (kinds) {
        const selected = [...rule.expr.matchAll(/\bblob1\s*=\s*'([^']*)'/gi)].map((m) => m[1]!);
        const judged = selected.length ? selected : [...kinds.keys()];
        const before = problems.length;
        for (const kind of judged) {
          const w = kinds.get(kind);
          if (!w) {
            problems.push({ ...at, text: `alert ${rule.name} reads ${table} data points of kind '${kind}', which the app never writes (it writes ${[...kinds.keys()].map((k) => `'${k}'`).join(', ')})` });
            continue;
          }
          for (const m of rule.expr.matchAll(/\b(blob|double)(\d+)\b/gi)) {
            const n = Number(m[2]);
            const has = m[1]!.toLowerCase() === 'blob' ? w.blobs : w.doubles;
            if (n > has) problems.push({ ...at, text: `alert ${rule.name} reads ${m[0]} of '${kind}' data points, which carry ${has} ${m[1]!.toLowerCase()}(s) (${w.at.file}:${w.at.line})` });
          }
        }
        if (problems.length === before) ok.push({ ...at, text: `${rule.name}: ${table} (${judged.map((k) => `'${k}'`).join(', ')}) written at ${judged.map((k) => `${kinds.get(k)!.at.file}:${kinds.get(k)!.at.line}`).join(', ')}` });
      } else if (schema.tables.has(table)) ok.push({ ...at, text: `${rule.name}: table ${table} (created by ${schema.tables.get(table)!.file})` });
      else problems.push({ ...at, text: `alert ${rule.name} reads ${table}, which the app neither writes with ${push.method}(…) (datasets: ${[...written.keys()].join(', ') || 'none'}) nor creates in a migration` });
    }
  }
}
