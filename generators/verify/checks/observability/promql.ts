/**
 * Just enough of PromQL to know which metrics an expression reads and its top-level threshold:
 * a tokenizer that skips strings, label matchers `{…}`, ranges `[…]`, and the label lists after
 * by/without/on/ignoring/group_left/group_right.
 */
const AGGREGATORS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

export interface PromExpr {
  /** Metric names as written (histogram series keep their _bucket/_count/_sum suffix). */
  series: string[];
  functions: string[];
  /** `> 0.01` at the end of the expression, if any. */
  threshold: { op: string; value: number } | null;
  /** First argument of histogram_quantile, if present. */
  quantile: number | null;
  /** Label matchers as written (for 5xx detection). */
  matchers: string[];
}

export function parsePromql(expr: string): PromExpr {
  const series: string[] = [];
  const functions: string[] = [];
  const matchers: string[] = [];
  let i = 0;
  let skipLabelList = false;
  while (i < expr.length) {
    const ch = expr[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      const end = expr.indexOf(ch, i + 1);
      i = end < 0 ? expr.length : end + 1;
      continue;
    }
    if (ch === '{') {
      const end = expr.indexOf('}', i);
      matchers.push(expr.slice(i + 1, end < 0 ? undefined : end));
      i = end < 0 ? expr.length : end + 1;
      continue;
    }
    if (ch === '[') {
      const end = expr.indexOf(']', i);
      i = end < 0 ? expr.length : end + 1;
      continue;
    }
    if (ch === '(' && skipLabelList) {
      const end = expr.indexOf(')', i);
      i = end < 0 ? expr.length : end + 1;
      skipLabelList = false;
      continue;
    }
    const num = /^([0-9]*\.?[0-9]+([eE][+-]?[0-9]+)?|0x[0-9a-fA-F]+)/.exec(expr.slice(i));
    if (num && !/[a-zA-Z_:]/.test(expr[i - 1] ?? '')) {
      i += num[0].length;
      continue;
    }
    const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i));
    if (m) {
      const word = m[0];
      i += word.length;
      const rest = expr.slice(i).trimStart();
      if (KEYWORDS.has(word.toLowerCase())) {
        if (['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'].includes(word)) skipLabelList = true;
      } else if (rest.startsWith('(') || AGGREGATORS.has(word)) functions.push(word);
      else if (!/^[0-9]/.test(word)) series.push(word);
      continue;
    }
    i++;
  }
  const t = /(>=|<=|>|<|==|!=)\s*(-?[0-9.eE+-]+)\s*$/.exec(expr.trim());
  const q = /histogram_quantile\s*\(\s*([0-9.]+)/.exec(expr);
  return {
    series: [...new Set(series)],
    functions,
    threshold: t ? { op: t[1]!, value: Number(t[2]) } : null,
    quantile: q ? Number(q[1]) : null,
    matchers,
  };
}

/** request_seconds_bucket → request_seconds, jobs_total → jobs (histogram/summary/counter series). */
export function baseMetric(series: string, exported: Set<string>): string {
  if (exported.has(series)) return series;
  const m = /^(.*)_(bucket|count|sum|created|total)$/.exec(series);
  if (m && exported.has(m[1]!)) return m[1]!;
  return series;
}

/** "5m" → 300 seconds. */
export function durationSeconds(d: string): number {
  let total = 0;
  for (const [, n, u] of d.matchAll(/([0-9.]+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * ({ ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 } as const)[u as 'ms'];
  return total;
}
