import { alertRules } from '../observability/alert-rules.js';
import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { codeSpans, listItems, missingRecord, readRecord, RECORD, section, tablesIn } from './record.js';

/** Seed 000's performance targets, as the record must state them. */
const TARGETS = [
  { name: 'API p95 < 100 ms', match: /p95[^|\n]*100\s*ms|100\s*ms[^|\n]*p95/i },
  { name: 'database p95 < 50 ms', match: /50\s*ms/i },
  { name: 'cache hit rate > 80%', match: /hit rate[^|\n]*80\s*%/i },
  { name: 'uptime 99.9%', match: /99\.9\s*%/ },
];

/** A scaling path (ordered steps) and a monitoring strategy: the seed's targets, and alert rules that exist. */
export const scalingMonitoring: Check = {
  id: 'architecture.scaling-monitoring',
  title: 'The decision record defines a scaling path and a monitoring strategy whose alert rules exist',
  seed: seed('s000', 'Validation Criteria: Scalability path defined; Monitoring strategy included'),
  kind: 'static',
  async run({ project }) {
    const record = await readRecord(project);
    if (!record) return missingRecord();
    const problems: Evidence[] = [];
    const scaling = section(record, /scal(ing|ability)/i);
    const steps = scaling ? listItems(scaling).filter((l) => l.ordered) : [];
    if (!scaling) problems.push({ file: RECORD, text: 'no scaling path section' });
    else if (steps.length < 3) problems.push({ file: RECORD, line: scaling.line, text: `the scaling path has ${steps.length} ordered step(s); at least 3 (what to change at which load, in order)` });
    const monitoring = section(record, /monitor|performance target|observab/i);
    if (!monitoring) problems.push({ file: RECORD, text: 'no monitoring section (performance targets and how they are monitored)' });
    else {
      const text = monitoring.body.map((l) => l.text).join('\n');
      for (const t of TARGETS) if (!t.match.test(text)) problems.push({ file: RECORD, line: monitoring.line, text: `the monitoring strategy does not state the target ${t.name}` });
      const rules = await alertRules(project);
      const named = new Map<string, number>();
      for (const l of monitoring.body) for (const span of codeSpans(l.text)) if (/^[A-Z][A-Za-z0-9]+$/.test(span)) named.set(span, l.line);
      for (const l of monitoring.body) for (const m of l.text.matchAll(/\balerts? ([A-Z][A-Za-z0-9]+(?:, [A-Z][A-Za-z0-9]+)*)/g)) for (const n of m[1]!.split(', ')) named.set(n, l.line);
      const existing = new Set((rules ?? []).map((r) => r.name));
      for (const [name, line] of named) if (!existing.has(name)) problems.push({ file: RECORD, line, text: `names alert ${name}, which ${rules ? 'monitoring/alerts.yml does not define' : 'does not exist (no monitoring/alerts.yml)'}` });
      for (const rule of rules ?? []) if (!named.has(rule.name)) problems.push({ file: rule.file, line: rule.line, text: `alert ${rule.name} is not part of the record's monitoring strategy` });
      if (rules && tablesIn(record, monitoring).length === 0 && named.size === 0) problems.push({ file: RECORD, line: monitoring.line, text: 'the monitoring section names no alert rule' });
    }
    if (problems.length) return fail(`scaling path or monitoring strategy incomplete (${problems.length})`, problems, 'Keep the ordered scaling path and the monitoring section (the seed targets and the alert rules that watch them, by name); `backend-arch update` redraws them.');
    return pass(`${steps.length}-step scaling path; monitoring names the alert rules that exist`, [{ file: RECORD, line: scaling!.line, text: steps.map((s) => s.text.replace(/\*\*/g, '').split(':')[0]).join(' → ') }]);
  },
};
