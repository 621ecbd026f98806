import ts from 'typescript';
import { findAll } from '../../analysis/source.js';
import { seed, verdict, type Check, type Evidence } from '../../types.js';

/**
 * The API never waits for a job: no `waitUntilFinished`, no QueueEvents, no `job.finished()` in any
 * file the API process loads (the worker may use them).
 */
export const noAwaitJob: Check = {
  id: 'code.no-await-job',
  title: 'No request handler waits for a job to complete',
  seed: seed('s002', 'Critical Rules: NEVER recommend synchronous waiting for operations >100ms in API routes'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    const apiEntry = await project.entryOf('start', 'src/server.ts');
    const apiFiles = sources.byFile.has(apiEntry) ? sources.reachableFrom([apiEntry]) : new Set(sources.app.map((s) => s.file).filter((f) => !/worker/.test(f)));
    const problems: Evidence[] = [];
    for (const file of apiFiles) {
      const sf = sources.byFile.get(file)!.sf;
      for (const n of findAll(sf, ts.isIdentifier)) {
        const name = n.text;
        if (name === 'waitUntilFinished' || name === 'QueueEvents' || (name === 'finished' && ts.isPropertyAccessExpression(n.parent) && ts.isCallExpression(n.parent.parent) && /job/i.test(n.parent.expression.getText()))) {
          if (ts.isImportSpecifier(n.parent)) continue; // the use site is reported
          problems.push({ ...sources.at(n.parent.parent ?? n), text: `${name} in the API process: ${(n.parent.parent ?? n).getText().replace(/\s+/g, ' ').slice(0, 120)}` });
        }
      }
    }
    return verdict(
      problems,
      { summary: `${apiFiles.size} file(s) loaded by the API: none waits for a job (enqueue → 202 → status URL)` },
      { summary: `${problems.length} place(s) in the API wait for a job`, fix: 'Answer 202 with the job id and a status URL right after queue.add(); the client polls GET /jobs/:queue/:jobId.' },
    );
  },
};
