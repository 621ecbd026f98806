/** How add/update report what they did: one line per file, then conflicts and next steps. */
import path from 'node:path';
import type { RegenResult } from './run.js';
import { MARKER_OURS, MARKER_SEP, MARKER_THEIRS } from './merge.js';

export function printRegenResult(result: RegenResult, out: (text: string) => void, options: { json: boolean; verbose?: boolean; cwd: string }): void {
  if (options.json) {
    const { diff, outcomes, ...rest } = result;
    out(
      JSON.stringify(
        { ...rest, files: outcomes.map((o) => ({ path: o.path, status: o.status, ...(o.conflicts ? { conflicts: o.conflicts } : {}), ...(o.note ? { note: o.note } : {}) })), ...(diff !== undefined ? { diff } : {}) },
        null,
        2,
      ),
    );
    return;
  }
  if (result.dryRun && result.diff) out(result.diff.trimEnd());
  const rel = path.relative(options.cwd, result.dir) || '.';
  const shown = result.outcomes.filter((o) => options.verbose || o.status !== 'unchanged');
  const counts = new Map<string, number>();
  for (const o of result.outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  out(result.dryRun ? `Dry run in ${rel} (nothing was written):` : `Updated ${rel}:`);
  for (const o of shown) out(`  ${o.status.padEnd(12)} ${o.path}${o.note ? `  (${o.note})` : ''}`);
  out(`  ${[...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', ')}`);
  if (result.fromVersion !== result.toVersion) out(`Generator ${result.fromVersion} → ${result.toVersion}.`);
  for (const migration of result.migrations) {
    out(`New migration ${migration.file}:`);
    for (const line of migration.summary) out(`  - ${line}`);
  }
  if (result.baseSource === 'unavailable')
    out('Note: for some edited files the previous generated version could not be established; every difference in them is shown as a conflict.');
  if (!result.git.repo && !result.dryRun) out('Note: this project is not in a git repository, so there is no easy way to review or undo these changes; consider `git init` and committing.');
  if (result.conflicts.length > 0) {
    out('');
    out(`${result.conflicts.length} file${result.conflicts.length === 1 ? '' : 's'} with conflicts (your edit and the generator's change touch the same lines):`);
    for (const c of result.conflicts) out(`  ${c}`);
    out(`${result.dryRun ? 'They would contain' : 'Each contains'} blocks like:`);
    out(`  ${MARKER_OURS}\n    your lines\n  ${MARKER_SEP}\n    the generator's lines\n  ${MARKER_THEIRS}`);
    out('To resolve: edit each block down to the lines you want and delete the three marker lines (your editor offers "accept yours / generated / both"),');
    out(`then check none are left (git grep -n '^${MARKER_OURS}'), and commit. \`git diff\` shows everything this run changed; \`git checkout -- . && git clean -fd\` undoes it.`);
  }
  if (!result.dryRun) {
    const next: string[] = [];
    const pm = result.commands;
    if (result.packageJsonChanged) next.push(`${pm.install}   # package.json changed`);
    if (result.migrations.length) next.push(`${pm.run} migrate   # apply the new migration${result.migrations.length > 1 ? 's' : ''}`);
    next.push(`${pm.run} typecheck && ${pm.run} test`);
    out('Next steps:');
    for (const n of next) out(`  ${n}`);
  }
}
