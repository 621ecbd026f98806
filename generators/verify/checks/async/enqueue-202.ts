import ts from 'typescript';
import { findAll, type Sources } from '../../analysis/source.js';
import { evaluate } from '../../analysis/evaluate.js';
import { seed, skip, verdict, type Check, type Evidence } from '../../types.js';

/**
 * Each job has a POST route answering 202 (with a status URL), and the process the plan names as the job
 * consumer starts one (plan.jobConsumer). The 202 is found in the handler — `reply.code(202)`, a call
 * given the status first (`json(202, …)`), a `status: 202` — or in a project function the handler calls.
 */
export const enqueue202: Check = {
  id: 'async.enqueue-202',
  title: 'Job routes answer 202 at once; a worker process consumes the queues',
  seed: seed('s002', 'The Async Job Pattern: API immediately returns job ID → background worker'),
  kind: 'static',
  async run({ project }) {
    if (project.plan.jobs.length === 0) return skip(project.plan.noJobsReason ?? 'The spec declares no jobs');
    const sources = await project.sources();
    const routes = await project.routes();
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    for (const job of project.plan.jobs) {
      const r = routes.find((x) => x.method === 'POST' && x.path === job.routePath);
      if (!r) {
        problems.push({ text: `POST ${job.routePath} (enqueues ${job.name}) not found in src/` });
        continue;
      }
      const codes = r.handler ? statusCodes(sources, r.handler) : [];
      if (!codes.includes(202)) problems.push({ file: r.file, line: r.line, text: `POST ${r.path}: the handler never answers 202 (status codes set: ${codes.map(String).join(', ') || 'none'})` });
      else ok.push({ file: r.file, line: r.line, text: `POST ${r.path} → 202` });
    }
    const consumer = project.plan.jobConsumer;
    if (!consumer) return skip(`The ${project.plan.blueprint.id} blueprint's plan declares no job consumer (plan.jobConsumer), so there is no process to look in`);
    const workerEntry = await project.entryOf(consumer.script, consumer.entry);
    const { kind, name } = consumer.construct;
    const shown = kind === 'new' ? `new ${name}(…)` : kind === 'method' ? `….${name}(…)` : kind === 'export' ? `export default { ${name} }` : `${name}(…)`;
    const starts = (n: ts.Node): n is ts.NewExpression | ts.CallExpression => {
      if (kind === 'new') return ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name;
      if (!ts.isCallExpression(n)) return false;
      return kind === 'method' ? ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === name : ts.isIdentifier(n.expression) && n.expression.text === name;
    };
    const workerFiles = sources.reachableFrom([workerEntry]);
    const exported = sources.byFile.get(workerEntry)?.sf.statements.find(ts.isExportAssignment);
    const workers: ts.Node[] =
      kind === 'export'
        ? [sources.prop(exported?.expression, name)].filter((n): n is ts.Expression => n !== undefined)
        : [...workerFiles].flatMap((f) => findAll(sources.byFile.get(f)!.sf, starts));
    if (workers.length === 0) problems.push({ text: `no \`${shown}\` (${consumer.library}) reachable from ${workerEntry}: nothing consumes the queues` });
    else ok.push({ ...sources.at(workers[0]!, `${shown} in the worker process (${workerEntry})`) });
    return verdict(problems, { summary: `${project.plan.jobs.length} job route(s) answer 202; the worker process consumes the queues`, evidence: ok }, { summary: `${problems.length} async-pattern problem(s)`, fix: `Enqueue and answer \`reply.code(202)\` with the job id and status URL; start the ${consumer.library} consumer (\`${shown}\`) in the process \`${consumer.script}\` runs (${consumer.entry}).` });
  },
};

/**
 * HTTP statuses a handler sets: `reply.code(n)` / `.status(n)`, a call given a status first (`json(n, …)`),
 * `status: n` in an object; in the handler and in the project functions it calls (one level).
 */
function statusCodes(sources: Sources, handler: ts.Node): unknown[] {
  const out: unknown[] = [];
  const scan = (node: ts.Node, depth: number) => {
    for (const c of findAll(node, ts.isCallExpression)) {
      const first = evaluate(sources, c.arguments[0]);
      if (ts.isPropertyAccessExpression(c.expression) && /^(code|status)$/.test(c.expression.name.text)) out.push(first);
      else if (typeof first === 'number' && first >= 100 && first <= 599) out.push(first);
      if (depth === 0 && ts.isIdentifier(c.expression)) {
        const fn = sources.resolve(c.expression);
        if (fn && fn !== c.expression && (ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) scan(fn, depth + 1);
      }
    }
    for (const p of findAll(node, ts.isPropertyAssignment)) if (p.name.getText() === 'status' && typeof evaluate(sources, p.initializer) === 'number') out.push(evaluate(sources, p.initializer));
  };
  scan(handler, 0);
  return out;
}
