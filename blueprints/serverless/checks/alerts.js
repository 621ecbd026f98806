// @ts-check
/**
 * The alert rules (monitoring/alerts.yml, Grafana's alerting provisioning format) cover the seeds'
 * thresholds — 5xx rate > 1% for ≤ 5 min, p95 > 200 ms for ≤ 10 min — and the queues: dead letters
 * (any) and a backlog threshold. A rule is recognised by what its query measures, and judged by its
 * threshold and pending period.
 */

/** @param {string} d e.g. '5m', '30s', '1h', '0m' @returns {number} seconds */
function seconds(d) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(d ?? '0').trim());
  if (!m) return Number.POSITIVE_INFINITY;
  return Number(m[1]) * ({ ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? 's'] ?? 1);
}

/**
 * @typedef {{ title: string, for: string, query: string, threshold: number | undefined, op: string | undefined, line: number }} Rule
 */
const TARGETS = [
  { what: 'error rate > 1% for ≤ 5 minutes', match: (/** @type {Rule} */ r) => /(>=?\s*500|5xx|5\.\.|status\D{0,20}5\d\d)/i.test(r.query) && /error|5xx|500/i.test(r.query + r.title), max: 0.01, forMax: 300 },
  { what: 'p95 latency > 200 ms for ≤ 10 minutes', match: (/** @type {Rule} */ r) => /(quantile\w*\(0?\.95\)|percentile\w*\(0?\.95|p95)/i.test(r.query), max: 200, forMax: 600 },
  { what: 'dead-letter depth > 0', match: (/** @type {Rule} */ r) => /dead|dlq/i.test(r.query), max: 0, forMax: 900 },
  { what: 'queue backlog > 1000 for ≤ 15 minutes', match: (/** @type {Rule} */ r) => /backlog|queued/i.test(r.query), max: 1000, forMax: 900 },
];

/** @param {import('../../../generators/blueprints/contract.js').CheckKit} kit @returns {import('../../../generators/blueprints/contract.js').Check} */
export const alertsCover = ({ pass, fail, skip, seed }) => ({
  id: 'serverless.alerts',
  title: "Alert rules cover the seeds' thresholds (5xx > 1%/5m, p95 > 200 ms/10m), dead letters and queue backlog",
  seed: seed('s000', 'Monitoring Setup: alerts (high_error_rate, slow_response); 002: monitor queue depths'),
  kind: 'static',
  async run({ project }) {
    const file = 'monitoring/alerts.yml';
    const text = await project.read(file);
    if (text === undefined) return project.plan.features.monitoring === false ? skip('the monitoring feature is off: no alert rules generated') : fail(`${file} is missing`, [{ file, text: 'not found' }], 'Restore monitoring/alerts.yml (Grafana alert rules).');
    const parsed = await project.yaml(file);
    const data = /** @type {{ groups?: { rules?: Record<string, unknown>[] }[] } | null} */ (parsed?.data ?? null);
    const lines = text.split('\n');
    /** @type {Rule[]} */
    const rules = [];
    for (const g of data?.groups ?? [])
      for (const r of g.rules ?? []) {
        const title = String(r.title ?? r.alert ?? '');
        const steps = /** @type {{ model?: { rawSql?: string, expr?: string, type?: string, conditions?: { evaluator?: { type?: string, params?: number[] } }[] } }[]} */ (Array.isArray(r.data) ? r.data : []);
        const query = steps.map((s) => s.model?.rawSql ?? s.model?.expr ?? '').join('\n');
        const evaluator = steps.flatMap((s) => s.model?.conditions ?? []).map((c) => c.evaluator).find(Boolean);
        const line = lines.findIndex((l) => new RegExp(`^\\s*-?\\s*title:\\s*["']?${title}["']?\\s*$`).test(l)) + 1;
        rules.push({ title, for: String(r.for ?? '0s'), query, threshold: evaluator?.params?.[0], op: evaluator?.type, line });
      }
    /** @type {{ file: string, line?: number, text: string }[]} */
    const problems = [];
    /** @type {{ file: string, line?: number, text: string }[]} */
    const ok = [];
    for (const t of TARGETS) {
      const candidates = rules.filter(t.match);
      const good = candidates.find((r) => (r.op === 'gt' || r.op === 'gte') && typeof r.threshold === 'number' && r.threshold <= t.max && seconds(r.for) <= t.forMax);
      if (good) ok.push({ file, line: good.line, text: `${t.what}: ${good.title} (${good.op} ${good.threshold}, for ${good.for})` });
      else if (candidates.length) for (const c of candidates) problems.push({ file, line: c.line, text: `${t.what}: ${c.title} fires on ${c.op ?? '?'} ${c.threshold ?? 'no threshold'} for ${c.for} (needs > ≤ ${t.max}, for ≤ ${t.forMax / 60} min)` });
      else problems.push({ file, text: `${t.what}: no alert rule` });
    }
    return problems.length
      ? fail(`${problems.length} alert target(s) not covered`, problems, 'Restore the alert rules with the seed thresholds (see monitoring/alerts.yml as generated).')
      : pass(`${TARGETS.length} alert targets covered by ${rules.length} rule(s)`, ok);
  },
});
