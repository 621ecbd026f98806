import ts from 'typescript';
import { enclosingFunction, findAll } from '../../analysis/source.js';
import { evaluate } from '../../analysis/evaluate.js';
import type { Sources } from '../../analysis/source.js';
import type { ProjectContext } from '../../context.js';
import { calledFunction, exportedHandler, type FunctionNode } from '../api/handler-entry.js';
import { fail, pass, seed, verdict, type Check, type CheckOutcome, type Evidence } from '../../types.js';

/** JSON logs with request ids: Fastify's pino logger on, a request-id generator, pino in the worker, no console.* in the processes. */
export const structuredLogs: Check = {
  id: 'observability.structured-logs',
  title: 'Logs are structured JSON with request ids',
  seed: seed('s003', 'Monitoring & Observability: Structured Logging (JSON-formatted logs with correlation IDs)'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    if (project.plan.httpHandler) return judgeHandlers(project, sources, project.plan.httpHandler);
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
function structuredOrFatal(c: ts.CallExpression, sources?: Sources): boolean {
  const given = c.arguments[0];
  // A variable holding the JSON line (`const text = JSON.stringify(line); console.log(text)`) counts too.
  const arg = sources && given && ts.isIdentifier(given) ? sources.resolve(given) : given;
  if (c.arguments.length === 1 && arg && ts.isCallExpression(arg) && arg.expression.getText() === 'JSON.stringify') return true;
  const fn = enclosingFunction(c);
  return !!fn && findAll(fn, ts.isCallExpression).some((x) => x.expression.getText() === 'process.exit');
}

/** A field that correlates a line with its request (a batch line may carry the requestIds of its messages). */
const REQUEST_ID = /^(requestId|requestIds|reqId|request_id|correlationId|traceId)$/i;
const LOG_METHOD = /^(fatal|error|warn|info|debug|trace)$/;

/** A call given an object literal (after resolving) with a request-id field: `createLogger(level, { requestId })`, `log.child({ requestId })`. */
function hasIdField(sources: Sources, call: ts.CallExpression): boolean {
  return call.arguments.some((a) => sources.propNames(a).some((n) => REQUEST_ID.test(n)));
}

/**
 * Whether a logger expression carries a request id on every line: it was made by a call given a
 * request-id field (a variable is followed to its initializer; a parameter to every call site of its
 * function; `ctx.log` to the object the HTTP handler builds with a `log` member).
 */
function boundWithId(sources: Sources, expr: ts.Node | undefined, files: Set<string>, httpHandler: FunctionNode | undefined, depth = 0): boolean {
  if (!expr || depth > 6) return false;
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr)) return boundWithId(sources, expr.expression, files, httpHandler, depth + 1);
  if (ts.isCallExpression(expr)) return hasIdField(sources, expr);
  if (ts.isPropertyAccessExpression(expr)) {
    if (!httpHandler) return false;
    const members = findAll(httpHandler, (n): n is ts.PropertyAssignment | ts.ShorthandPropertyAssignment => (ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) && n.name.getText() === expr.name.text);
    return members.length > 0 && members.every((m) => boundWithId(sources, ts.isPropertyAssignment(m) ? m.initializer : m.name, files, httpHandler, depth + 1));
  }
  if (!ts.isIdentifier(expr)) return false;
  const d = sources.declarationOf(expr, expr.text);
  if (d && ts.isVariableDeclaration(d)) return boundWithId(sources, d.initializer, files, httpHandler, depth + 1);
  if (d && ts.isParameter(d)) {
    const fn = d.parent;
    const index = fn.parameters.indexOf(d);
    const sites = [...files].flatMap((f) => findAll(sources.byFile.get(f)!.sf, ts.isCallExpression)).filter((c) => calledFunction(sources, c) === fn);
    return sites.length > 0 && sites.every((c) => boundWithId(sources, c.arguments[index], files, httpHandler, depth + 1));
  }
  return false;
}

/** Log calls (`x.info('…', …)`) in a function and the project functions it calls, transitively. */
function logCalls(sources: Sources, fn: FunctionNode, seen = new Set<ts.Node>()): ts.CallExpression[] {
  if (seen.has(fn)) return [];
  seen.add(fn);
  const out: ts.CallExpression[] = [];
  for (const c of findAll(fn, ts.isCallExpression)) {
    if (ts.isPropertyAccessExpression(c.expression) && LOG_METHOD.test(c.expression.name.text) && c.expression.expression.getText() !== 'console') out.push(c);
    const callee = calledFunction(sources, c);
    if (callee) out.push(...logCalls(sources, callee, seen));
  }
  return out;
}

/**
 * Handler entries (plan.httpHandler, e.g. a Worker's `fetch`, and the plan's `export` job consumer, its
 * `queue`): every console.* line in the code they reach is one JSON object, and every log line on each
 * path — the HTTP handler with the route handlers its request context reaches, the queue handler with
 * the per-message work — carries a request id. Each path is judged on its own, so a request-scoped HTTP
 * logger cannot hide a consumer that logs without one.
 */
async function judgeHandlers(project: ProjectContext, sources: Sources, http: { entry: string; export: string }): Promise<CheckOutcome> {
  const problems: Evidence[] = [];
  const ok: Evidence[] = [];
  const consumer = project.plan.jobConsumer?.construct.kind === 'export' && project.plan.jobs.length > 0 ? project.plan.jobConsumer : undefined;
  const files = sources.reachableFrom([http.entry, ...(consumer ? [consumer.entry] : [])]);
  let consoleLines = 0;
  for (const f of files)
    for (const c of findAll(sources.byFile.get(f)!.sf, ts.isCallExpression)) {
      if (!(ts.isPropertyAccessExpression(c.expression) && c.expression.expression.getText() === 'console' && /^(log|info|warn|error|debug)$/.test(c.expression.name.text))) continue;
      consoleLines++;
      if (!structuredOrFatal(c, sources)) problems.push(sources.at(c, `console.${c.expression.name.text}(${c.arguments.map((a) => a.getText()).join(', ').slice(0, 60)}) is not one JSON object per line`));
    }
  if (consoleLines === 0) problems.push({ text: `no console output in the code ${http.entry} reaches: the platform's log stream gets no line` });
  const httpHandler = exportedHandler(sources, http.entry, http.export);
  const paths: { name: string; fn: FunctionNode | undefined; extra: ts.CallExpression[] }[] = [];
  // Route handlers reach the request's logger through their context (`ctx.log`): judged with the HTTP path.
  const contextLogs = [...files].flatMap((f) => findAll(sources.byFile.get(f)!.sf, ts.isCallExpression)).filter((c) => ts.isPropertyAccessExpression(c.expression) && LOG_METHOD.test(c.expression.name.text) && ts.isPropertyAccessExpression(c.expression.expression));
  paths.push({ name: `HTTP (${http.export})`, fn: httpHandler, extra: contextLogs });
  if (consumer) paths.push({ name: `queue consumer (${consumer.construct.name})`, fn: exportedHandler(sources, consumer.entry, consumer.construct.name), extra: [] });
  for (const p of paths) {
    if (!p.fn) {
      problems.push({ text: `the ${p.name} handler is not found in ${http.entry}'s default export` });
      continue;
    }
    const calls = [...new Set([...logCalls(sources, p.fn), ...p.extra])];
    const bad = calls.filter((c) => !hasIdField(sources, c) && !boundWithId(sources, (c.expression as ts.PropertyAccessExpression).expression, files, httpHandler));
    for (const c of bad) problems.push(sources.at(c, `${p.name}: ${c.getText().replace(/\s+/g, ' ').slice(0, 90)} — the line carries no request id`));
    if (calls.length === 0) problems.push({ ...sources.at(p.fn), text: `${p.name}: writes no log line` });
    else if (bad.length === 0) ok.push(sources.at(p.fn, `${p.name}: ${calls.length} log call(s), each with a request id`));
  }
  // On a failure the paths that hold are listed too: each path is judged on its own.
  if (problems.length) return fail(`${problems.length} logging problem(s)`, [...problems, ...ok], FIX);
  return pass(`JSON log lines with request ids on ${paths.length} path(s) (${paths.map((p) => p.name).join(', ')})`, ok);
}

const FIX =
  'Write every line as one JSON object (through src/observability/log.ts) from a logger bound with the request id: createLogger(level, { requestId }) per request, log.child({ requestId: message.body.requestId }) per queue message.';
