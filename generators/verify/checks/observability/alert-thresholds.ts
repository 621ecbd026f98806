import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { alertRules, missingAlertRules, type AlertRule } from './alert-rules.js';
import { durationSeconds, parsePromql } from './promql.js';

interface Target {
  what: string;
  match: (rule: AlertRule) => boolean;
  /** The threshold must be at most this (seconds or ratio) and hold for at most `forMax`. */
  max: number;
  forMax: number;
  /** The pool target: not asked of a project whose pool is a platform's connection proxy (plan.connectionProxy). */
  pool?: true;
}

/** A SQL query's first column alias (`… AS p95_ms FROM`), which names what it measures and in which unit. */
const sqlAlias = (sql: string) => /\bAS\s+(\w+)\s+FROM\b/i.exec(sql)?.[1] ?? '';

/** A latency threshold in seconds: PromQL histograms are in seconds; a SQL rule says its unit in its alias (`p95_ms`, `p95_seconds`). */
function latencySeconds(rule: AlertRule, value: number): number | undefined {
  if (rule.language === 'promql') return value;
  const alias = sqlAlias(rule.expr);
  if (/_ms$/i.test(alias)) return value / 1000;
  if (/_(s|sec|seconds)$/i.test(alias)) return value;
  return undefined;
}

/** A rule's comparison: the Grafana threshold step, or the PromQL expression's top-level comparison. */
const thresholdOf = (r: AlertRule) => (r.language === 'sql' || r.threshold !== undefined ? (r.threshold ?? null) : parsePromql(r.expr).threshold);

/** The seed's alerts: error rate >1% for 5 min, p95 >200 ms for 10 min, pool >80%. */
const TARGETS: Target[] = [
  {
    what: 'error rate > 1% for 5 minutes',
    match: (r) => {
      if (r.language === 'sql') return /(>=?\s*500\b|5xx|status\D{0,20}5\d\d)/i.test(r.expr) && /\b(sum|count)\w*\(/i.test(r.expr);
      const p = parsePromql(r.expr);
      return p.series.some((s) => /request/.test(s)) && p.matchers.some((m) => /5\.\.|5xx|\b5\d\d/.test(m));
    },
    max: 0.01,
    forMax: 300,
  },
  {
    what: 'p95 latency > 200 ms for 10 minutes',
    match: (r) => {
      if (r.language === 'sql') return /(quantile\w*\(\s*0?\.95\s*\)|percentile\w*\(\s*0?\.95)/i.test(r.expr);
      const p = parsePromql(r.expr);
      return p.quantile === 0.95 && p.series.some((s) => /duration|latency/.test(s));
    },
    max: 0.2,
    forMax: 600,
  },
  {
    what: 'database connection pool > 80%',
    match: (r) => (r.language === 'sql' ? /pool/i.test(sqlAlias(r.expr)) : parsePromql(r.expr).series.some((s) => /pool/.test(s))),
    max: 0.8,
    forMax: 600,
    pool: true,
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
    const proxy = project.plan.connectionProxy;
    const targets = TARGETS.filter((t) => !(t.pool && proxy));
    if (proxy) ok.push({ text: `database connection pool > 80%: not asked — connections go through ${proxy.title} (the ${proxy.binding} binding), whose pool is the platform's; no pool gauge reaches the project` });
    for (const t of targets) {
      const candidates = rules.filter(t.match);
      const good = candidates.find((r) => {
        const th = thresholdOf(r);
        if (!th || (th.op !== '>' && th.op !== '>=')) return false;
        const value = t.what.startsWith('p95') ? latencySeconds(r, th.value) : th.value;
        return value !== undefined && value <= t.max + 1e-12 && durationSeconds(r.for) <= t.forMax;
      });
      if (good) ok.push({ file: good.file, line: good.line, text: `${t.what}: ${good.name} (${good.language === 'sql' ? `${good.expr.replace(/\s+/g, ' ').slice(0, 160)} ${thresholdOf(good)?.op} ${thresholdOf(good)?.value}` : good.expr.replace(/\s+/g, ' ')} for ${good.for})` });
      else if (candidates.length)
        for (const c of candidates) {
          const th = thresholdOf(c);
          const unit = t.what.startsWith('p95') && th && latencySeconds(c, th.value) === undefined ? ' (unit unknown: name the query column …_ms or …_seconds)' : '';
          // A PromQL rule's threshold is in the expression's units (seconds, ratio); a SQL rule's says its comparison.
          if (c.language === 'promql') problems.push({ file: c.file, line: c.line, text: `${t.what}: ${c.name} has threshold ${th?.value ?? 'none'} for ${c.for} (needs ≤ ${t.max}, for ≤ ${t.forMax / 60}m)` });
          else problems.push({ file: c.file, line: c.line, text: `${t.what}: ${c.name} has threshold ${th ? `${th.op} ${th.value}` : 'none'}${unit} for ${c.for} (needs > ≤ ${t.what.startsWith('p95') ? '200 ms' : t.max}, for ≤ ${t.forMax / 60}m)` });
        }
      else problems.push({ file: 'monitoring/alerts.yml', text: `${t.what}: no alert rule` });
    }
    if (problems.length) return fail(`${problems.length} seed alert threshold(s) not covered`, problems, 'Restore the alert rules with the seed thresholds (see monitoring/alerts.yml as generated).');
    return pass(`${targets.length} seed alert thresholds covered`, ok);
  },
};
