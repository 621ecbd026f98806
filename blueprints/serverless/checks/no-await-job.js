// @ts-check
/**
 * No HTTP handler runs or awaits a job's work: the work functions (each job definition's `run`, and
 * the queue handler itself) are called only on the queue path, never from code the `fetch` handler
 * reaches. A handler that runs the job inline (or awaits its completion) holds the request for as long
 * as the work takes.
 */
import ts from 'typescript';
import { readWranglerConfig } from './config.js';
import { findAll, handlerModules, lineOf, workerSources } from './source.js';

/** @param {ts.Expression} e @returns {ts.Identifier | undefined} */
function rootIdentifier(e) {
  let x = e;
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x) || ts.isCallExpression(x) || ts.isNonNullExpression(x) || ts.isParenthesizedExpression(x)) x = x.expression;
  return ts.isIdentifier(x) ? x : undefined;
}

/** @param {import('../../../generators/blueprints/contract.js').CheckKit} kit @returns {import('../../../generators/blueprints/contract.js').Check} */
export const noAwaitJob = ({ pass, fail, skip, seed }) => ({
  id: 'serverless.no-await-job',
  title: 'No HTTP handler runs or awaits a job: job work runs only in the queue consumer',
  seed: seed('s002', 'Async Job Pattern: never block a request on work that takes > 100 ms'),
  kind: 'static',
  async run({ project }) {
    if (project.plan.jobs.length === 0) return skip('no jobs declared');
    const config = (await readWranglerConfig(project))?.config;
    const main = typeof config?.main === 'string' ? config.main.replace(/^\.\//, '') : 'src/index.ts';
    const sources = await workerSources(project);
    const handlers = handlerModules(sources, main);
    if (!handlers.fetch || !handlers.queue) return fail(`${main} does not export both a fetch and a queue handler`, [{ file: main, text: `fetch: ${handlers.fetch ?? 'none'}, queue: ${handlers.queue ?? 'none'}` }], 'Export default { fetch, queue } from the Worker entry.');
    // The work: every `run` of a job definition (object literal property) → the module and name it comes from.
    /** @type {{ module: string, name: string, definedIn: string }[]} */
    const work = [];
    for (const f of sources.files.values())
      for (const p of /** @type {ts.PropertyAssignment[]} */ (findAll(f.sf, (n) => ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && n.name.text === 'run' && ts.isIdentifier(n.initializer)))) {
        const local = /** @type {ts.Identifier} */ (p.initializer).text;
        const imported = f.imports.find((i) => i.names.has(local));
        work.push({ module: imported?.resolved ?? f.file, name: imported ? /** @type {string} */ (imported.names.get(local)) : local, definedIn: f.file });
      }
    const definitionModules = new Set(work.map((w) => w.definedIn));
    const fetchPath = sources.reachable(handlers.fetch);
    /** @type {{ file: string, line: number, text: string }[]} */
    const problems = [];
    for (const file of fetchPath) {
      const f = sources.files.get(file);
      if (!f) continue;
      /** @param {string} local */
      const origin = (local) => {
        const i = f.imports.find((x) => x.names.has(local));
        return i ? { module: i.resolved, name: i.names.get(local) } : { module: file, name: local };
      };
      for (const call of /** @type {ts.CallExpression[]} */ (findAll(f.sf, ts.isCallExpression))) {
        const callee = call.expression;
        if (ts.isIdentifier(callee)) {
          const o = origin(callee.text);
          if (work.some((w) => w.module === o.module && w.name === o.name))
            problems.push({ file, line: lineOf(f.sf, call), text: `${call.getText(f.sf).slice(0, 80)}: runs a job's work on the request path` });
          else if (o.module === handlers.queue && file !== handlers.queue) problems.push({ file, line: lineOf(f.sf, call), text: `${call.getText(f.sf).slice(0, 80)}: calls the queue handler from the request path` });
        } else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'run') {
          const root = rootIdentifier(callee.expression);
          const o = root ? origin(root.text) : undefined;
          if (o?.module && definitionModules.has(o.module)) problems.push({ file, line: lineOf(f.sf, call), text: `${call.getText(f.sf).slice(0, 80)}: runs a job definition's work on the request path` });
        }
      }
    }
    const evidence = work.map((w) => ({ file: w.definedIn, text: `job work ${w.name} (${w.module}) runs only on the queue path` }));
    return problems.length
      ? fail(`${problems.length} place(s) run job work inside an HTTP request`, problems, 'Send a message to the job\'s queue and answer 202 with a status URL; let the queue consumer run the work.')
      : pass(`${work.length} job work function(s); none reachable from the fetch handler (${fetchPath.size} files checked)`, evidence);
  },
});
