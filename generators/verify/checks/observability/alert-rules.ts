import type { ProjectContext } from '../../context.js';
import type { CheckOutcome } from '../../types.js';
import { missingFeatureFile } from '../feature-files.js';

export interface AlertRule {
  name: string;
  /** The PromQL expression, or the SQL the rule's query step runs (Grafana rules over a SQL data source). */
  expr: string;
  for: string;
  file: string;
  line: number;
  /**
   * 'promql': a Prometheus rule (`alert`, `expr`; the threshold is in the expression). 'sql': a Grafana
   * provisioned rule (`title`, `data[]`) whose query is SQL (e.g. Workers Analytics Engine's SQL API, or
   * PostgreSQL), compared with a threshold expression step.
   */
  language: 'promql' | 'sql';
  /** A Grafana rule's query data source uid (e.g. 'analytics-engine', 'postgresql'). */
  datasource?: string;
  /** A Grafana rule's threshold step (evaluator `gt` 0.01 → { op: '>', value: 0.01 }). */
  threshold?: { op: string; value: number } | null;
}

const EVALUATOR_OPS: Record<string, string> = { gt: '>', lt: '<', within_range: 'within', outside_range: 'outside' };

interface GrafanaStep {
  datasourceUid?: string;
  model?: { rawSql?: string; expr?: string; type?: string; conditions?: { evaluator?: { type?: string; params?: number[] } }[] };
}

/**
 * The alert rules of monitoring/alerts.yml, with their lines; null when absent. Two formats: Prometheus
 * rule files (`groups[].rules[]` with `alert` and `expr`) and Grafana's alerting provisioning
 * (`groups[].rules[]` with `title` and `data`: a query step and a threshold step).
 */
export async function alertRules(project: ProjectContext): Promise<AlertRule[] | null> {
  const file = 'monitoring/alerts.yml';
  const text = await project.read(file);
  if (text === undefined) return null;
  const parsed = await project.yaml(file);
  const data = parsed?.data as { groups?: { rules?: Record<string, unknown>[] }[] } | null;
  const lines = text.split('\n');
  const lineOf = (key: string, name: string) => lines.findIndex((l) => new RegExp(`^\\s*-?\\s*${key}:\\s*["']?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*$`).test(l)) + 1;
  const out: AlertRule[] = [];
  for (const g of data?.groups ?? []) {
    for (const r of g.rules ?? []) {
      const duration = typeof r.for === 'string' ? r.for : '0s';
      if (typeof r.alert === 'string' && r.alert) {
        out.push({ name: r.alert, expr: String(r.expr ?? ''), for: duration, file, line: lineOf('alert', r.alert), language: 'promql' });
        continue;
      }
      if (typeof r.title !== 'string' || !r.title || !Array.isArray(r.data)) continue;
      const steps = r.data as GrafanaStep[];
      // The steps that query a data source (Grafana's server-side expressions have the uid __expr__).
      const queries = steps.filter((s) => s.datasourceUid !== '__expr__' && (s.model?.rawSql ?? s.model?.expr));
      const evaluator = steps.flatMap((s) => (s.datasourceUid === '__expr__' ? (s.model?.conditions ?? []) : [])).map((c) => c.evaluator).find(Boolean);
      const value = evaluator?.params?.[0];
      out.push({
        name: r.title,
        expr: queries.map((s) => s.model?.rawSql ?? s.model?.expr ?? '').join('\n'),
        for: duration,
        file,
        line: lineOf('title', r.title),
        language: queries.some((s) => s.model?.rawSql !== undefined) ? 'sql' : 'promql',
        ...(queries[0]?.datasourceUid ? { datasource: queries[0].datasourceUid } : {}),
        threshold: evaluator?.type && typeof value === 'number' ? { op: EVALUATOR_OPS[evaluator.type] ?? evaluator.type, value } : null,
      });
    }
  }
  return out;
}

/** What an alert-rule check reports when there are no rules: a failure, unless monitoring is turned off. */
export function missingAlertRules(project: ProjectContext): CheckOutcome {
  return missingFeatureFile(project, 'monitoring', 'monitoring/alerts.yml', 'Restore monitoring/alerts.yml (the generator writes it with the monitoring feature).');
}
