import ts from 'typescript';
import { findAll } from '../../analysis/source.js';
import { evaluate } from '../../analysis/evaluate.js';
import { httpProcessOf } from './helpers.js';
import { fail, pass, seed, type Check, type Evidence } from '../../types.js';

/** One error format: a single error handler and not-found handler producing problem+json, and no handler sending its own error body. */
export const errorFormat: Check = {
  id: 'api.error-format',
  title: 'Errors use one format (RFC 9457 problem+json)',
  seed: seed('s003', 'API Architecture: API Standards (Error Handling: consistent error response formats)'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
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
