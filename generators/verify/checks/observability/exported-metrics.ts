import ts from 'typescript';
import { findAll, type Sources } from '../../analysis/source.js';
import { evaluate } from '../../analysis/evaluate.js';

/** Metric names the app registers with prom-client: new Counter/Gauge/Histogram/Summary({ name: '…' }). */
export function exportedMetrics(sources: Sources): Map<string, { file: string; line: number; type: string }> {
  const out = new Map<string, { file: string; line: number; type: string }>();
  for (const { sf } of sources.app) {
    for (const n of findAll(sf, ts.isNewExpression)) {
      const ctor = ts.isIdentifier(n.expression) ? n.expression.text : ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : '';
      if (!/^(Counter|Gauge|Histogram|Summary)$/.test(ctor)) continue;
      const name = evaluate(sources, sources.prop(n.arguments?.[0], 'name'));
      if (typeof name === 'string') out.set(name, { ...sources.at(n, ''), type: ctor });
    }
  }
  // collectDefaultMetrics(): process_* and nodejs_* series.
  const defaults = sources.app.some(({ sf }) => findAll(sf, ts.isCallExpression).some((c) => c.expression.getText().endsWith('collectDefaultMetrics')));
  if (defaults) out.set('__defaults__', { file: '', line: 0, type: 'default' });
  return out;
}

export function isExported(name: string, exported: Map<string, unknown>): boolean {
  if (exported.has(name)) return true;
  const m = /^(.*)_(bucket|count|sum|created)$/.exec(name);
  if (m && exported.has(m[1]!)) return true;
  return exported.has('__defaults__') && /^(process|nodejs)_/.test(name);
}
