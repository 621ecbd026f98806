import ts from 'typescript';
import { findAll } from '../../analysis/source.js';
import { evaluate } from '../../analysis/evaluate.js';
import type { Sources } from '../../analysis/source.js';
import type { ProjectContext } from '../../context.js';
import { httpProcessOf } from './helpers.js';
import { calledFunction, exportedHandler, reaches } from './handler-entry.js';
import { fail, pass, seed, verdict, type Check, type CheckOutcome, type Evidence } from '../../types.js';

const PROBLEM_JSON = 'application/problem+json';

/** One error format: a single error handler and not-found handler producing problem+json, and no handler sending its own error body. */
export const errorFormat: Check = {
  id: 'api.error-format',
  title: 'Errors use one format (RFC 9457 problem+json)',
  seed: seed('s003', 'API Architecture: API Standards (Error Handling: consistent error response formats)'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    if (project.plan.httpHandler) return judgeHandler(project, sources, project.plan.httpHandler);
    const problems: Evidence[] = [];
    const calls = sources.app.flatMap(({ sf }) => findAll(sf, ts.isCallExpression));
    const named = (n: string) => calls.filter((c) => ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === n);
    const errorHandlers = named('setErrorHandler');
    const notFound = named('setNotFoundHandler');
    const problemJson = sources.app.some(({ sf }) => sf.text.includes('application/problem+json'));
    // One error handler (and not-found handler) per HTTP process: one API, or each process the plan
    // declares (a gateway and the services behind it each have their own Fastify instance).
    const declared = project.plan.httpProcesses;
    for (const p of declared ?? [undefined]) {
      const mine = (c: ts.Node) => !p || httpProcessOf(declared, sources.at(c).file) === p;
      const where = p ? ` of the ${p.name} process (${p.sources})` : ' in src/';
      const handlers = errorHandlers.filter(mine);
      if (handlers.length === 0) problems.push({ text: `no app.setErrorHandler(...)${where}: Fastify default error bodies are not problem+json` });
      if (handlers.length > 1) for (const c of handlers) problems.push({ ...sources.at(c), text: `more than one error handler: ${c.getText().slice(0, 80)}` });
      // A forwarding process (a gateway) answers unknown paths in its catch-all route.
      if (notFound.filter(mine).length === 0 && !p?.forwards) problems.push({ text: `no app.setNotFoundHandler(...)${where}: unknown routes answer with Fastify's default body` });
    }
    if (!problemJson) problems.push({ text: 'no response in src/ is sent as application/problem+json' });
    // Ad-hoc error bodies: reply.code(4xx/5xx).send({...}) not typed as problem+json.
    for (const c of named('send')) {
      let status: number | undefined;
      let typed = false;
      for (let e: ts.Expression = (c.expression as ts.PropertyAccessExpression).expression; ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression); e = e.expression.expression) {
        const m = e.expression.name.text;
        if ((m === 'code' || m === 'status') && typeof evaluate(sources, e.arguments[0]) === 'number') status = evaluate(sources, e.arguments[0]) as number;
        if (m === 'type' || m === 'header') typed ||= e.arguments.some((a) => ts.isStringLiteral(a) && a.text.includes('problem+json'));
      }
      if (status !== undefined && status >= 400 && !typed && c.arguments.length > 0) problems.push({ ...sources.at(c), text: `ad-hoc error body with status ${status}: ${c.getText().replace(/\s+/g, ' ').slice(0, 100)}` });
    }
    if (problems.length) return fail(`${problems.length} error-format problem(s)`, problems, 'Throw HttpError (or call sendProblem) instead of sending your own error body; keep the single setErrorHandler(errorHandler) in src/app.ts.');
    return pass('One error handler and one not-found handler; every error is application/problem+json', [
      { ...sources.at(errorHandlers[0]!), text: errorHandlers[0]!.getText().slice(0, 80) },
      { ...sources.at(notFound[0]!), text: notFound[0]!.getText().replace(/\s+/g, ' ').slice(0, 100) },
    ]);
  },
};

/** A string literal (or template) in a node that names the problem+json media type. */
const namesProblemJson = (n: ts.Node) => findAll(n, (x): x is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral => ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x)).some((x) => x.text.includes(PROBLEM_JSON));

/** The first argument's value when it is an HTTP error status (400–599). */
function errorStatus(sources: Sources, c: ts.CallExpression | ts.NewExpression): number | undefined {
  const v = evaluate(sources, c.arguments?.[0]);
  return typeof v === 'number' && v >= 400 && v <= 599 ? v : undefined;
}

/**
 * An HTTP entry that is a handler function (plan.httpHandler, e.g. a Worker's `fetch`): its error
 * boundary is a try/catch around the dispatch. It holds when the catch answers problem+json (directly
 * or through the project functions it calls) without rethrowing, an unmatched route raises a 404 inside
 * the try (so it takes the same path), and no code the handler reaches builds an error Response, or
 * calls a helper with an error status, whose body is not problem+json.
 */
async function judgeHandler(project: ProjectContext, sources: Sources, entry: { entry: string; export: string }): Promise<CheckOutcome> {
  const problems: Evidence[] = [];
  const ok: Evidence[] = [];
  const handler = exportedHandler(sources, entry.entry, entry.export);
  if (!handler) return fail(`no \`export default { ${entry.export} }\` handler found in ${entry.entry}`, [{ file: entry.entry, text: `the default export has no ${entry.export} handler the analysis can follow` }], `Export the HTTP handler as \`export default { ${entry.export}: handler }\` from ${entry.entry}.`);
  const where = `the ${entry.export} handler (${sources.at(handler).file})`;
  const tries = findAll(handler, ts.isTryStatement).filter((t) => t.catchClause);
  // The error boundaries: try/catch statements whose catch answers problem+json. The one around the
  // dispatch is the one an unmatched route's 404 is raised in.
  const boundaries = tries.filter((t) => reaches(sources, t.catchClause!.block, namesProblemJson));
  const is404 = (c: ts.CallExpression | ts.NewExpression) => errorStatus(sources, c) === 404;
  const calls = (n: ts.Node) => findAll(n, (x): x is ts.CallExpression | ts.NewExpression => ts.isCallExpression(x) || ts.isNewExpression(x));
  const boundary = boundaries.find((t) => calls(t.tryBlock).some(is404)) ?? boundaries[0];
  if (!boundary) problems.push({ ...sources.at(handler), text: `${where} has no try/catch whose catch answers ${PROBLEM_JSON}: a thrown error reaches the platform's default error page` });
  else {
    for (const t of boundaries) {
      const rethrow = findAll(t.catchClause!.block, ts.isThrowStatement)[0];
      if (rethrow) problems.push({ ...sources.at(rethrow), text: `an error boundary's catch rethrows: ${rethrow.getText().slice(0, 80)}` });
    }
    ok.push(sources.at(boundary.catchClause!, `${where}: its catch answers every error as ${PROBLEM_JSON}`));
    const notFound = calls(boundary.tryBlock).find(is404);
    if (notFound) ok.push(sources.at(notFound, `unmatched routes: ${notFound.getText().replace(/\s+/g, ' ').slice(0, 100)}, inside the error boundary`));
    else problems.push({ ...sources.at(boundary.tryBlock), text: `no 404 is raised inside ${where}'s error boundary: an unmatched route is not answered as ${PROBLEM_JSON}` });
  }
  // Ad-hoc error bodies anywhere the handler reaches: new Response(…, { status: 4xx/5xx }) not typed
  // problem+json, or a project helper given an error status that never produces problem+json.
  const files = sources.reachableFrom([entry.entry]);
  for (const f of files)
    for (const c of findAll(sources.byFile.get(f)!.sf, (n): n is ts.CallExpression | ts.NewExpression => ts.isCallExpression(n) || ts.isNewExpression(n))) {
      if (ts.isNewExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === 'Response') {
        const init = c.arguments?.[1];
        const status = evaluate(sources, sources.prop(init, 'status'));
        if (typeof status === 'number' && status >= 400 && !(init && reaches(sources, sources.resolve(init) ?? init, namesProblemJson)))
          problems.push({ ...sources.at(c), text: `ad-hoc error body with status ${status}: ${c.getText().replace(/\s+/g, ' ').slice(0, 100)}` });
        continue;
      }
      const status = ts.isCallExpression(c) ? errorStatus(sources, c) : undefined;
      const fn = status === undefined ? undefined : calledFunction(sources, c as ts.CallExpression);
      if (fn && !reaches(sources, fn, namesProblemJson) && findAll(fn, ts.isNewExpression).some((n) => n.expression.getText() === 'Response'))
        problems.push({ ...sources.at(c), text: `ad-hoc error body with status ${status}: ${c.getText().replace(/\s+/g, ' ').slice(0, 100)} (${c.expression.getText()} does not answer ${PROBLEM_JSON})` });
    }
  return verdict(
    problems,
    { summary: `One error boundary in the ${entry.export} handler answers every error and unmatched route as ${PROBLEM_JSON}; no ad-hoc error body`, evidence: ok },
    { summary: `${problems.length} error-format problem(s)`, fix: `Throw HttpError (or return problemResponse) instead of building your own error body; keep the one try/catch in the ${entry.export} handler that turns every error into ${PROBLEM_JSON}.` },
  );
}
