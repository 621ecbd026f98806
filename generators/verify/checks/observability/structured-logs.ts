import ts from 'typescript';
import { enclosingFunction, findAll } from '../../analysis/source.js';
import { evaluate } from '../../analysis/evaluate.js';
import { seed, verdict, type Check, type Evidence } from '../../types.js';

/** JSON logs with request ids: Fastify's pino logger on, a request-id generator, pino in the worker, no console.* in the processes. */
export const structuredLogs: Check = {
  id: 'observability.structured-logs',
  title: 'Logs are structured JSON with request ids',
  seed: seed('s003', 'Monitoring & Observability: Structured Logging (JSON-formatted logs with correlation IDs)'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    const fastifyCalls = sources.app.flatMap(({ sf }) =>
      findAll(sf, ts.isCallExpression).filter((c) => ts.isIdentifier(c.expression) && sources.importSource(c.expression) === 'fastify'),
    );
    if (fastifyCalls.length === 0) problems.push({ text: 'no Fastify(…) instance found in src/' });
    for (const c of fastifyCalls) {
      const opts = c.arguments[0];
      const logger = sources.prop(opts, 'logger');
      const value = logger ? evaluate(sources, logger) : undefined;
      if (!logger || value === false) problems.push({ ...sources.at(c, `Fastify(…) without a logger (logger: ${logger?.getText() ?? 'absent'})`) });
      else if (!sources.prop(opts, 'genReqId') && !sources.prop(opts, 'requestIdHeader')) problems.push({ ...sources.at(c, 'Fastify(…) without genReqId/requestIdHeader: logs lack a correlation id') });
      else ok.push(sources.at(c, `Fastify({ logger: ${logger.getText().slice(0, 60)}, genReqId })`));
    }
    const apiEntry = await project.entryOf('start', 'src/server.ts');
    const workerEntry = await project.entryOf('start:worker', 'src/worker.ts');
    const processFiles = sources.reachableFrom([apiEntry, workerEntry]);
    for (const f of processFiles) {
      for (const c of findAll(sources.byFile.get(f)!.sf, ts.isCallExpression)) {
        if (ts.isPropertyAccessExpression(c.expression) && c.expression.expression.getText() === 'console' && /^(log|info|warn|error|debug)$/.test(c.expression.name.text) && !structuredOrFatal(c))
          problems.push({ ...sources.at(c, `console.${c.expression.name.text}(…) in a server process: unstructured, no request id`) });
      }
    }
    const pinoInWorker = [...sources.reachableFrom([workerEntry])].some((f) =>
      sources.byFile.get(f)!.sf.statements.some((s) => ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && s.moduleSpecifier.text === 'pino' && !s.importClause?.isTypeOnly),
    );
    if (sources.byFile.has(workerEntry) && !pinoInWorker) problems.push({ file: workerEntry, text: 'the worker does not log with pino' });
    return verdict(problems, { summary: 'pino JSON logs with request ids in the API; pino in the worker; no console.* in either process', evidence: ok }, { summary: `${problems.length} logging problem(s)`, fix: 'Log through request.log / app.log (pino) and keep genReqId in the Fastify options; replace console.* with the logger.' });
  },
};

/** console.x(JSON.stringify({...})) is a JSON line; console.x in a function that then exits is a fatal boot message (before any logger exists). */
function structuredOrFatal(c: ts.CallExpression): boolean {
  const arg = c.arguments[0];
  if (c.arguments.length === 1 && arg && ts.isCallExpression(arg) && arg.expression.getText() === 'JSON.stringify') return true;
  const fn = enclosingFunction(c);
  return !!fn && findAll(fn, ts.isCallExpression).some((x) => x.expression.getText() === 'process.exit');
}
