// @ts-check
/**
 * The offload path's static checks, read from the project's code (not from our templates' names):
 *   hybrid.offload-outbox    each offloaded job's POST writes its job_runs row and its outbox row in
 *                            one transaction, and never calls the functions or a queue itself;
 *   hybrid.relay-delivery    the relay process claims outbox rows with FOR UPDATE SKIP LOCKED, signs
 *                            each delivery with an HMAC, marks rows sent and backs off on failure;
 *   hybrid.ingress-verifies  the Worker verifies the signature (constant-time) before it enqueues.
 */
import ts from 'typescript';
import { calleeName, calleeText, findAll, lineOf, parseProject, sqlUnder } from './source.js';

/** @typedef {import('../../../generators/blueprints/contract.js').CheckKit} CheckKit */
/** @typedef {import('../../../generators/blueprints/contract.js').Check} Check */
/** @typedef {{ file?: string, line?: number, text: string }} Evidence */

const inContainer = (/** @type {string} */ f) => f.startsWith('src/');
const inFunctions = (/** @type {string} */ f) => f.startsWith('functions/src/');

/** @param {any} plan @returns {{ name: string, routePath: string }[]} */
const offloadedJobs = (plan) => plan.offload?.jobs ?? [];

/**
 * A transaction scope: a callback given to a function named like a transaction or to one of the
 * project's own `wrappers` (a function that runs its work in such a scope, e.g. a multi-tenant
 * project's withTenant), or a body that sends BEGIN.
 */
function transactionScopes(/** @type {ts.Node} */ node, /** @type {ts.SourceFile} */ sf, /** @type {Set<string>} */ wrappers = new Set()) {
  /** @type {ts.Node[]} */
  const scopes = [];
  for (const call of /** @type {ts.CallExpression[]} */ (findAll(node, ts.isCallExpression))) {
    const name = calleeName(call) ?? '';
    if (/transaction/i.test(name) || wrappers.has(name)) for (const a of call.arguments) if (ts.isArrowFunction(a) || ts.isFunctionExpression(a)) scopes.push(a.body);
  }
  if (sqlUnderText(node, sf).some((t) => /^\s*begin\b/i.test(t))) scopes.push(node);
  return scopes;
}

function sqlUnderText(/** @type {ts.Node} */ node, /** @type {ts.SourceFile} */ _sf) {
  return findAll(node, (n) => ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)).map((n) => /** @type {ts.StringLiteral} */ (n).text);
}

/**
 * The project's functions that hand their callback parameter to a transaction scope (e.g. withTenant:
 * withTransaction(pool, async (tx) => { …; return fn(tx); })): a call to one is a transaction scope too.
 * @param {{ files: { file: string, sf: ts.SourceFile }[] }} model
 */
function transactionWrappers(model) {
  /** @type {Set<string>} */
  const names = new Set();
  for (const f of model.files)
    for (const fn of /** @type {ts.FunctionDeclaration[]} */ (findAll(f.sf, ts.isFunctionDeclaration))) {
      if (!fn.name || !fn.body) continue;
      const params = new Set(fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : '')));
      // Its callback parameter is called inside one of its transaction scopes.
      const callsBack = transactionScopes(fn.body, f.sf).some((scope) =>
        /** @type {ts.CallExpression[]} */ (findAll(scope, ts.isCallExpression)).some((c) => ts.isIdentifier(c.expression) && params.has(c.expression.text)),
      );
      if (callsBack) names.add(fn.name.text);
    }
  return names;
}

const INSERT_OUTBOX = /\binsert\s+into\s+"?outbox"?\b/i;
const INSERT_JOB_RUNS = /\binsert\s+into\s+"?job_runs"?\b/i;

/** @param {CheckKit} kit @returns {Check} */
export const offloadOutbox = ({ pass, fail, skip, seed }) => ({
  id: 'hybrid.offload-outbox',
  title: "An offloaded job is accepted through the transactional outbox: its job_runs and outbox rows in one transaction, no direct call to the functions",
  seed: seed('s002', 'Async Job Pattern: accept (202) and hand the work off durably; never block or lose a request'),
  kind: 'static',
  async run({ project }) {
    const jobs = offloadedJobs(project.plan);
    if (jobs.length === 0) return skip('no job is offloaded (every job has runtime: container): nothing goes through the outbox');
    const model = await parseProject(project, inContainer);
    const wrappers = transactionWrappers(model);
    /** @type {Evidence[]} */
    const problems = [];
    /** @type {Evidence[]} */
    const ok = [];
    for (const job of jobs) {
      // The route: a `.post('<path>', …)` registration with the job's path.
      /** @type {{ call: ts.CallExpression, file: string, sf: ts.SourceFile } | undefined} */
      let route;
      for (const f of model.files)
        for (const call of /** @type {ts.CallExpression[]} */ (findAll(f.sf, ts.isCallExpression)))
          if (calleeName(call) === 'post' && call.arguments[0] && ts.isStringLiteralLike(call.arguments[0]) && call.arguments[0].text === job.routePath) route = { call, file: f.file, sf: f.sf };
      if (!route) {
        problems.push({ text: `${job.name}: no POST ${job.routePath} route in src/` });
        continue;
      }
      const handler = route.call.arguments[route.call.arguments.length - 1];
      if (!handler || !(ts.isArrowFunction(handler) || ts.isFunctionExpression(handler) || ts.isIdentifier(handler))) {
        problems.push({ file: route.file, line: lineOf(route.sf, route.call), text: `${job.name}: the POST ${job.routePath} handler is not a function this check can follow` });
        continue;
      }
      const reached = model.reach(handler, route.file, route.sf);
      // Anything that talks to the functions or a queue from the request path.
      const direct = reached.flatMap((r) =>
        /** @type {ts.CallExpression[]} */ (findAll(r.node, ts.isCallExpression))
          .filter((c) => ['fetch', 'add', 'addBulk', 'send', 'sendBatch'].includes(calleeName(c) ?? '') && !/\b(log|reply|res)\b/.test(calleeText(c, r.sf)))
          .map((c) => ({ file: r.file, line: lineOf(r.sf, c), text: `${job.name}: ${c.getText(r.sf).slice(0, 80)} — the request path calls the functions or a queue itself instead of leaving the job to the relay` })),
      );
      problems.push(...direct);
      const scopes = reached.flatMap((r) => transactionScopes(r.node, r.sf, wrappers).map((s) => ({ ...r, node: s })));
      const atomic = scopes.find((s) => {
        const inScope = model.reach(s.node, s.file, s.sf).flatMap((r) => sqlUnder(r.node).map((q) => q.text));
        return inScope.some((t) => INSERT_OUTBOX.test(t)) && inScope.some((t) => INSERT_JOB_RUNS.test(t));
      });
      if (atomic) ok.push({ file: atomic.file, line: lineOf(atomic.sf, atomic.node), text: `${job.name}: job_runs and outbox rows written in one transaction` });
      else {
        const all = reached.flatMap((r) => sqlUnder(r.node).map((q) => ({ ...q, file: r.file, sf: r.sf })));
        const outbox = all.find((q) => INSERT_OUTBOX.test(q.text));
        problems.push(
          outbox
            ? { file: outbox.file, line: lineOf(outbox.sf, outbox.node), text: `${job.name}: the outbox row is not written in the same transaction as the job_runs row (a crash between them loses the job or leaves it queued forever)` }
            : { file: route.file, line: lineOf(route.sf, route.call), text: `${job.name}: POST ${job.routePath} never writes an outbox row (INSERT INTO outbox): nothing would deliver the job to the functions` },
        );
      }
    }
    if (problems.length)
      return fail(`${problems.length} problem(s) on the accept path of offloaded jobs`, problems, 'In the POST handler, write the job_runs row (queued) and the outbox row inside one withTransaction(…) and answer 202; let the relay deliver it.');
    return pass(`${jobs.length} offloaded job(s) accepted through the outbox in one transaction`, ok);
  },
});

/** The entry file of a package.json script (`node dist/relay.js` → src/relay.ts). */
async function scriptEntry(/** @type {any} */ project, /** @type {string} */ script) {
  const pkg = JSON.parse((await project.read('package.json')) ?? '{}');
  const command = pkg.scripts?.[script];
  if (typeof command !== 'string') return { command: undefined, entry: undefined };
  const js = command.split(/\s+/).find((w) => /\.(m?js|ts)$/.test(w));
  const entry = js?.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
  return { command, entry: entry && project.files.includes(entry) ? entry : undefined };
}

/** @param {CheckKit} kit @returns {Check} */
export const relayDelivery = ({ pass, fail, skip, seed }) => ({
  id: 'hybrid.relay-delivery',
  title: 'The relay claims outbox rows with SKIP LOCKED, signs every delivery (HMAC), marks rows sent and backs off on failure',
  seed: seed('s002', 'Async Job Pattern: retries with backoff; at-least-once delivery with idempotent consumers'),
  kind: 'static',
  async run({ project }) {
    if (offloadedJobs(project.plan).length === 0) return skip('no job is offloaded: the relay has nothing to deliver');
    const { command, entry } = await scriptEntry(project, 'start:relay');
    if (!entry) return fail('no relay process', [{ file: 'package.json', text: `scripts["start:relay"] = ${JSON.stringify(command ?? null)}: no entry file in src/ it runs` }], 'Add a start:relay script that runs the relay (node dist/relay.js).');
    const model = await parseProject(project, inContainer);
    const main = model.files.find((f) => f.file === entry);
    if (!main) return fail('relay entry not found', [{ file: entry, text: 'not parsed' }], 'Restore the relay entry file.');
    // The entry's top-level code and everything it calls.
    const reached = model.reach(main.sf, main.file, main.sf);
    const sql = reached.flatMap((r) => sqlUnder(r.node).map((q) => ({ ...q, file: r.file, sf: r.sf })));
    const calls = reached.flatMap((r) => /** @type {ts.CallExpression[]} */ (findAll(r.node, ts.isCallExpression)).map((c) => ({ c, file: r.file, sf: r.sf })));
    /** @type {Evidence[]} */
    const problems = [];
    /** @type {Evidence[]} */
    const ok = [];
    const at = (/** @type {{ file: string, sf: ts.SourceFile, node?: ts.Node, c?: ts.Node }} */ x, /** @type {string} */ text) => ({ file: x.file, line: lineOf(x.sf, /** @type {ts.Node} */ (x.node ?? x.c)), text });

    const claim = sql.find((q) => /\bfrom\s+"?outbox"?\b/i.test(q.text) && /\bfor\s+update\s+skip\s+locked\b/i.test(q.text));
    if (claim) ok.push(at(claim, 'claims outbox rows FOR UPDATE SKIP LOCKED'));
    else problems.push({ file: entry, text: 'no SELECT … FROM outbox … FOR UPDATE SKIP LOCKED reachable from the relay: two relays would deliver the same rows at once' });

    const sent = sql.find((q) => /\bupdate\s+"?outbox"?\s+set\b[^;]*\bsent_at\b/i.test(q.text));
    if (sent) ok.push(at(sent, 'marks a delivered row sent'));
    else problems.push({ file: entry, text: 'no UPDATE outbox SET sent_at …: delivered rows are never marked and would be sent forever' });

    const backoff = sql.find((q) => /\bupdate\s+"?outbox"?\s+set\b[^;]*\bnext_attempt_at\b/i.test(q.text));
    if (backoff) ok.push(at(backoff, 'schedules the next attempt of a failed delivery'));
    else problems.push({ file: entry, text: 'a failed delivery is not rescheduled (no UPDATE outbox SET next_attempt_at …): no backoff, the relay hammers an unavailable Worker' });

    const hmac = calls.find((x) => calleeName(x.c) === 'createHmac' && x.c.arguments[0] && ts.isStringLiteralLike(x.c.arguments[0]) && /^sha(256|384|512)$/i.test(x.c.arguments[0].text));
    const sends = calls.filter((x) => calleeName(x.c) === 'fetch');
    // A delivery is signed when a value in its headers is computed by code that reaches the HMAC.
    const signedSend = sends.find((x) => {
      const init = x.c.arguments[1];
      if (!init || !ts.isObjectLiteralExpression(init)) return false;
      const headers = init.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'headers');
      if (!headers) return false;
      return findAll(headers, ts.isCallExpression).some((c) => model.reach(c, x.file, x.sf).some((r) => findAll(r.node, (n) => ts.isCallExpression(n) && calleeName(n) === 'createHmac').length > 0));
    });
    if (!hmac) problems.push({ file: entry, text: "no createHmac('sha256', …) reachable from the relay: deliveries are not signed" });
    if (sends.length === 0) problems.push({ file: entry, text: 'the relay never calls fetch(…): it delivers nothing to the functions' });
    else if (!signedSend) problems.push(at(/** @type {any} */ (sends[0]), 'the delivery carries no signature header: the Worker cannot tell the relay from anyone else'));
    if (hmac && signedSend) ok.push(at(signedSend, 'each delivery carries an HMAC signature header'));

    if (problems.length) return fail(`${problems.length} problem(s) in the relay (${entry})`, problems, 'Claim due outbox rows FOR UPDATE SKIP LOCKED, POST each with an HMAC-SHA256 signature header, mark it sent, or reschedule it with backoff.');
    return pass(`the relay (${entry}) claims, signs, marks sent and backs off`, ok);
  },
});

/** @param {CheckKit} kit @returns {Check} */
export const ingressVerifies = ({ pass, fail, skip, seed }) => ({
  id: 'hybrid.ingress-verifies',
  title: "The functions' ingress verifies the relay's signature (constant-time) before it enqueues anything",
  seed: seed('s000', 'Security Checklist: authenticate every caller; no unauthenticated write path'),
  kind: 'static',
  async run({ project }) {
    if (offloadedJobs(project.plan).length === 0) return skip('no job is offloaded: the functions have no ingress');
    const model = await parseProject(project, inFunctions);
    const sendFns = [...model.functions.values()].flat().filter((fn) => findAll(fn.node, (n) => ts.isCallExpression(n) && calleeName(n) === 'send').length > 0);
    if (sendFns.length === 0) return fail('the functions never enqueue a job', [{ file: 'functions/src/', text: 'no .send(…) to a queue' }], 'The ingress sends each verified delivery to its job queue.');
    /** @type {Evidence[]} */
    const problems = [];
    /** @type {Evidence[]} */
    const ok = [];
    const verifies = (/** @type {ts.Node} */ node, /** @type {string} */ file, /** @type {ts.SourceFile} */ sf) =>
      model.reach(node, file, sf).some((r) => findAll(r.node, (n) => ts.isCallExpression(n) && /(^|\.)subtle\.verify$|(^|\.)timingSafeEqual$/.test(calleeText(n, r.sf))).length > 0);
    for (const fn of sendFns) {
      for (const send of /** @type {ts.CallExpression[]} */ (findAll(fn.node, (n) => ts.isCallExpression(n) && calleeName(n) === 'send'))) {
        // A guard before the send: `if (!<verification>) return …`, whose condition reaches a constant-time comparison.
        const guard = /** @type {ts.IfStatement[]} */ (findAll(fn.node, ts.isIfStatement)).find(
          (s) => s.getStart(fn.sf) < send.getStart(fn.sf) && findAll(s.thenStatement, ts.isReturnStatement).length + (ts.isReturnStatement(s.thenStatement) ? 1 : 0) > 0 && verifies(s.expression, fn.file, fn.sf),
        );
        if (guard) ok.push({ file: fn.file, line: lineOf(fn.sf, guard), text: `${fn.name}: the signature is verified (constant-time) before ${send.getText(fn.sf).slice(0, 60)}` });
        else problems.push({ file: fn.file, line: lineOf(fn.sf, send), text: `${fn.name}: ${send.getText(fn.sf).slice(0, 80)} is not preceded by a signature check that returns early (crypto.subtle.verify or timingSafeEqual)` });
      }
    }
    if (problems.length) return fail(`${problems.length} enqueue(s) without a verified signature`, problems, 'Verify the HMAC with crypto.subtle.verify (constant-time) and return 401 before sending anything to a queue.');
    return pass('every enqueue in the functions follows a constant-time signature check', ok);
  },
});
