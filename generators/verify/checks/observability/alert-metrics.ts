import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { exportedMetrics, isExported } from './exported-metrics.js';
import { parsePromql } from './promql.js';
import { alertRules, missingAlertRules } from './alert-rules.js';

export const alertMetrics: Check = {
  id: 'observability.alert-metrics',
  title: 'Every metric an alert rule reads is exported by the app',
  seed: seed('s000', 'Monitoring Setup: metrics and alerts'),
  kind: 'static',
  async run({ project }) {
    const rules = await alertRules(project);
    if (rules === null) return missingAlertRules(project);
    const sources = await project.sources();
    const exported = exportedMetrics(sources);
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
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
