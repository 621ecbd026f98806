/** The report three ways: terminal lines, JSON (for CI), and markdown written into the project. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckResult, Evidence, VerifyReport } from './types.js';
import { exerciseLines } from './exercises.js';

export const REPORT_PATH = 'docs/verification.md';

const MARK = { pass: '✓', fail: '✗', skip: '-', 'n/a': 'n/a' } as const;

/** "45 passed, 0 failed, 1 skipped" and, when some checks do not apply to the blueprint, ", 2 not applicable". */
function counts(totals: VerifyReport['totals']): string {
  return `${totals.pass} passed, ${totals.fail} failed, ${totals.skip} skipped${totals.notApplicable ? `, ${totals.notApplicable} not applicable` : ''}`;
}

function where(e: Evidence): string {
  return e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : '';
}

function figures(r: CheckResult): string {
  return r.figures ? ` [${Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join(', ')}]` : '';
}

export function formatText(report: VerifyReport, options: { color?: boolean; maxEvidence?: number } = {}): string {
  const c = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const max = options.maxEvidence ?? 8;
  const lines: string[] = [];
  for (const r of report.results) {
    const mark = r.status === 'pass' ? c('32', MARK.pass) : r.status === 'fail' ? c('31', MARK.fail) : r.status === 'n/a' ? c('2', MARK['n/a']) : c('33', 'skipped');
    lines.push(`${mark} ${r.id} — ${r.summary}${figures(r)}`);
    if (r.status === 'fail') {
      for (const e of r.evidence.slice(0, max)) lines.push(`    ${where(e)}${e.text.split('\n').join('\n      ')}`);
      if (r.evidence.length > max) lines.push(`    … and ${r.evidence.length - max} more (see ${REPORT_PATH})`);
      if (r.fix) lines.push(`    fix: ${r.fix}`);
      lines.push(`    seed: ${r.seed.file} — ${r.seed.section}`);
    } else if (r.status === 'skip' && r.fix) lines.push(`    to run it: ${r.fix}`);
  }
  const { fail } = report.totals;
  const notRun = report.results.filter((r) => r.notRun).length;
  lines.push('');
  lines.push(`${counts(report.totals)}${notRun ? ` (${notRun} could not run)` : ''} (${report.mode === 'static' ? 'static checks only' : 'static and dynamic'}; ${(report.durationMs / 1000).toFixed(1)} s)`);
  if (report.exercises?.length) lines.push('', `Workshop ${report.pack!.name} ${report.pack!.version}:`, ...exerciseLines(report.exercises, report.results).map((l) => `  ${l}`));
  if (notRun && report.mode === 'full' && fail === 0) lines.push(`Not everything was checked: exit status 3 (see "to run it" above, or use --static for the static part only).`);
  return lines.join('\n');
}

export function formatMarkdown(report: VerifyReport): string {
  const esc = (s: string) => s.replaceAll('|', '\\|').replace(/\n/g, ' ');
  const out: string[] = [];
  out.push('# Verification report', '');
  out.push(`Checked by \`backend-arch verify\` (create-backend-arch ${report.generatorVersion}, blueprint \`${report.blueprint}\`) on ${report.startedAt}:`);
  out.push(`**${counts(report.totals)}** (${report.mode === 'static' ? 'static checks only' : 'static and dynamic checks'}, ${(report.durationMs / 1000).toFixed(1)} s).`, '');
  if (report.exercises?.length) out.push(`## Workshop ${report.pack!.name} ${report.pack!.version}`, '', ...exerciseLines(report.exercises, report.results).map((l) => `- ${esc(l)}`), '');
  out.push('| | check | kind | result | seed |', '| --- | --- | --- | --- | --- |');
  for (const r of report.results) out.push(`| ${MARK[r.status]} | \`${r.id}\` | ${r.kind} | ${esc(r.summary)}${esc(figures(r))} | ${r.seed.file} — ${esc(r.seed.section)} |`);
  out.push('');
  for (const r of report.results) {
    if (r.evidence.length === 0 && !r.fix) continue;
    out.push(`## ${MARK[r.status]} \`${r.id}\`: ${r.title}`, '', r.summary, '');
    for (const e of r.evidence) out.push(`- ${e.file ? `\`${e.file}${e.line ? `:${e.line}` : ''}\` ` : ''}${e.text.includes('\n') ? `\n\n  \`\`\`\n  ${e.text.split('\n').join('\n  ')}\n  \`\`\`` : e.text}`);
    if (r.fix) out.push('', `${r.status === 'skip' ? 'To run it' : 'Fix'}: ${r.fix}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export async function writeMarkdownReport(report: VerifyReport): Promise<string> {
  const file = path.join(report.project, REPORT_PATH);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, formatMarkdown(report));
  return file;
}
