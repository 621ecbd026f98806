import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { alertRules, missingAlertRules, type AlertRule } from './alert-rules.js';
import { durationSeconds, parsePromql } from './promql.js';

interface Target {
  what: string;
  match: (rule: AlertRule) => boolean;
  /** The threshold must be at most this (seconds or ratio) and hold for at most `forMax`. */
  max: number;
  forMax: number;
}

/** The seed's alerts: error rate >1% for 5 min, p95 >200 ms for 10 min, pool >80%. */
const TARGETS: Target[] = [
  {
    what: 'error rate > 1% for 5 minutes',
    match: (r) => {
      const p = parsePromql(r.expr);
      return p.series.some((s) => /request/.test(s)) && p.matchers.some((m) => /5\.\.|5xx|\b5\d\d/.test(m));
    },
    max: 0.01,
    forMax: 300,
  },
  {
    what: 'p95 latency > 200 ms for 10 minutes',
    match: (r) => {
      const p = parsePromql(r.expr);
      return p.quantile === 0.95 && p.series.some((s) => /duration|latency/.test(s));
    },
    max: 0.2,
    forMax: 600,
  },
  {
    what: 'database connection pool > 80%',
    match: (r) => parsePromql(r.expr).series.some((s) => /pool/.test(s)),
    max: 0.8,
    forMax: 600,
  },
];

export const alertThresholds: Check = {
  id: 'observability.alert-thresholds',
  title: "Alert rules cover the seed's thresholds (errors >1%/5m, p95 >200ms/10m, pool >80%)",
  seed: seed('s000', 'Monitoring Setup: alerts (high_error_rate, slow_response, database_connection_exhaustion)'),
  kind: 'static',
  async run({ project }) {
    const rules = await alertRules(project);
    if (rules === null) return missingAlertRules(project);
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    for (const t of TARGETS) {
      const candidates = rules.filter(t.match);
      const good = candidates.find((r) => {
        const th = parsePromql(r.expr).threshold;
        return th && (th.op === '>' || th.op === '>=') && th.value <= t.max + 1e-12 && durationSeconds(r.for) <= t.forMax;
      });
      if (good) ok.push({ file: good.file, line: good.line, text: `${t.what}: ${good.name} (${good.expr.replace(/\s+/g, ' ')} for ${good.for})` });
      else if (candidates.length)
        for (const c of candidates) problems.push({ file: c.file, line: c.line, text: `${t.what}: ${c.name} has threshold ${parsePromql(c.expr).threshold?.value ?? 'none'} for ${c.for} (needs ≤ ${t.max}, for ≤ ${t.forMax / 60}m)` });
      else problems.push({ file: 'monitoring/alerts.yml', text: `${t.what}: no alert rule` });
    }
    if (problems.length) return fail(`${problems.length} seed alert threshold(s) not covered`, problems, 'Restore the alert rules with the seed thresholds (see monitoring/alerts.yml as generated).');
    return pass(`${TARGETS.length} seed alert thresholds covered`, ok);
  },
};
