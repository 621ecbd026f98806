import type { ProjectContext } from '../../context.js';
import type { CheckOutcome } from '../../types.js';
import { missingFeatureFile } from '../feature-files.js';

export interface AlertRule {
  name: string;
  expr: string;
  for: string;
  file: string;
  line: number;
}

/** The alert rules of monitoring/alerts.yml (Prometheus rule-file format), with their lines; null when absent. */
export async function alertRules(project: ProjectContext): Promise<AlertRule[] | null> {
  const file = 'monitoring/alerts.yml';
  const text = await project.read(file);
  if (text === undefined) return null;
  const parsed = await project.yaml(file);
  const data = parsed?.data as { groups?: { rules?: { alert?: string; expr?: unknown; for?: string }[] }[] } | null;
  const lines = text.split('\n');
  const out: AlertRule[] = [];
  for (const g of data?.groups ?? []) {
    for (const r of g.rules ?? []) {
      if (!r.alert) continue;
      const idx = lines.findIndex((l) => new RegExp(`^\\s*-?\\s*alert:\\s*["']?${r.alert}["']?\\s*$`).test(l));
      out.push({ name: r.alert, expr: String(r.expr ?? ''), for: r.for ?? '0s', file, line: idx + 1 });
    }
  }
  return out;
}

/** What an alert-rule check reports when there are no rules: a failure, unless monitoring is turned off. */
export function missingAlertRules(project: ProjectContext): CheckOutcome {
  return missingFeatureFile(project, 'monitoring', 'monitoring/alerts.yml', 'Restore monitoring/alerts.yml (the generator writes it with the monitoring feature).');
}
