import ts from 'typescript';
import { findAll, type Sources } from '../../analysis/source.js';
import { evaluate } from '../../analysis/evaluate.js';
import { seed, skip, verdict, type Check, type Evidence } from '../../types.js';
import type { JobConsumerPlan } from '../../../plan/types.js';

/**
 * Each job has a POST route answering 202 (with a status URL), and the process the plan names as its
 * consumer takes it: `plan.jobConsumer` for `plan.jobs`, `plan.handedOffJobs.consumer` for the jobs the
 * API hands to another deployable (the hybrid's outbox relay). The 202 is found in the handler —
 * `reply.code(202)`, a call given the status first (`json(202, …)`), a `status: 202` — or in a project
 * function the handler calls.
 */
export const enqueue202: Check = {
  id: 'async.enqueue-202',
  title: 'Job routes answer 202 at once; a worker process consumes the queues',
  seed: seed('s002', 'The Async Job Pattern: API immediately returns job ID → background worker'),
  kind: 'static',
  async run({ project }) {
    const handedOff = project.plan.handedOffJobs;
    const jobs = [...project.plan.jobs, ...(handedOff?.jobs ?? [])];
    if (jobs.length === 0) return skip('The spec declares no jobs');
    const sources = await project.sources();
    const routes = await project.routes();
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    for (const job of jobs) {
      const r = routes.find((x) => x.method === 'POST' && x.path === job.routePath);
      if (!r) {
        problems.push({ text: `POST ${job.routePath} (enqueues ${job.name}) not found in src/` });
        continue;
      }
      const codes = r.handler ? statusCodes(sources, r.handler) : [];
      if (!codes.includes(202)) problems.push({ file: r.file, line: r.line, text: `POST ${r.path}: the handler never answers 202 (status codes set: ${codes.map(String).join(', ') || 'none'})` });
      else ok.push({ file: r.file, line: r.line, text: `POST ${r.path} → 202` });
    }
    const consumers: { consumer: JobConsumerPlan; names: string[] }[] = [];
    if (project.plan.jobs.length > 0) {
      if (!project.plan.jobConsumer) return skip(`The ${project.plan.blueprint.id} blueprint's plan declares no job consumer (plan.jobConsumer), so there is no process to look in`);
      consumers.push({ consumer: project.plan.jobConsumer, names: project.plan.jobs.map((j) => j.name) });
    }
    if (handedOff && handedOff.jobs.length > 0) consumers.push({ consumer: handedOff.consumer, names: handedOff.jobs.map((j) => j.name) });
    const fixes: string[] = [];
    for (const { consumer, names } of consumers) {
      const workerEntry = await project.entryOf(consumer.script, consumer.entry);
      const { kind, name } = consumer.construct;
      const shown =
        kind === 'new' ? `new ${name}(…)` : kind === 'method' ? `….${name}(…)` : kind === 'export' ? `export default { ${name} }` : kind === 'claim' ? `SELECT … FROM ${name} … FOR UPDATE SKIP LOCKED` : `${name}(…)`;
      // A claim of the table's rows (the consumer of an outbox): the query, whatever code sends it.
      const claim = new RegExp(`\\bfrom\\s+"?${name.replace(/\W/g, '')}"?\\b[\\s\\S]*\\bfor\\s+update\\s+skip\\s+locked\\b`, 'i');
      const starts = (n: ts.Node): n is ts.Node => {
        if (kind === 'claim') return (ts.isNoSubstitutionTemplateLiteral(n) || ts.isStringLiteral(n) || ts.isTemplateExpression(n)) && claim.test(n.getText());
        if (kind === 'new') return ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name;
        if (!ts.isCallExpression(n)) return false;
        return kind === 'method' ? ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === name : ts.isIdentifier(n.expression) && n.expression.text === name;
      };
      const workerFiles = sources.reachableFrom([workerEntry]);
      // A handler the platform invokes (a Worker's `queue` export): the entry's default export names it.
      const exported = sources.byFile.get(workerEntry)?.sf.statements.find(ts.isExportAssignment);
      const workers: ts.Node[] =
        kind === 'export'
          ? [sources.prop(exported?.expression, name)].filter((n): n is ts.Expression => n !== undefined)
          : [...workerFiles].flatMap((f) => findAll(sources.byFile.get(f)!.sf, starts));
      const main = consumer === project.plan.jobConsumer;
      if (workers.length === 0) problems.push({ text: `no \`${shown}\` (${consumer.library}) reachable from ${workerEntry}: ${main ? 'nothing consumes the queues' : `nothing takes ${names.join(', ')}`}` });
      else ok.push({ ...sources.at(workers[0]!, `${shown} in the ${main ? 'worker process' : `process that takes ${names.join(', ')}`} (${workerEntry})`) });
      fixes.push(`start the ${consumer.library} consumer (\`${shown}\`) in the process \`${consumer.script}\` runs (${consumer.entry})`);
    }
    return verdict(problems, { summary: `${jobs.length} job route(s) answer 202; ${handedOff?.jobs.length ? `${project.plan.jobs.length ? 'the worker process and ' : ''}${handedOff.via} take them` : 'the worker process consumes the queues'}`, evidence: ok }, { summary: `${problems.length} async-pattern problem(s)`, fix: `Enqueue${handedOff?.jobs.length ? ' (or write the job where its consumer takes it)' : ''} and answer \`reply.code(202)\` with the job id and status URL; ${fixes.join('; ')}.` });
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
