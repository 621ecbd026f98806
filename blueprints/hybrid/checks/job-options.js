// @ts-check
/**
 * async.job-options for both halves. A container job's retries are BullMQ enqueue options (the
 * monolith's check, over `plan.jobs`). An offloaded job's live in two places, both judged here:
 *   - the functions' queue consumer (functions/wrangler.jsonc): max_retries at least the spec's
 *     retries, a dead_letter_queue that is itself consumed, and a retry delay in the consumer code that
 *     grows exponentially with the message's attempts (`message.retry({ delaySeconds })`);
 *   - the relay: a failed delivery is rescheduled (next_attempt_at) by a delay that grows
 *     exponentially, and after its last attempt the row is marked failed (failed_at), not retried forever.
 */
import ts from 'typescript';
import { jobOptions as containerJobOptions } from '../../monolith-cache/checks/job-options.js';
import { calleeName, findAll, lineOf, parseProject, sqlUnder } from './source.js';

/** @typedef {import('../../../generators/blueprints/contract.js').CheckKit} CheckKit */
/** @typedef {import('../../../generators/blueprints/contract.js').Check} Check */
/** @typedef {{ file?: string, line?: number, text: string }} Evidence */

const WRANGLER = 'functions/wrangler.jsonc';

/** An exponent under a node: `a ** b` or `Math.pow(…)`. */
const exponential = (/** @type {ts.Node} */ node) =>
  findAll(node, (n) => (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken) || (ts.isCallExpression(n) && calleeName(n) === 'pow')).length > 0;

/** @param {CheckKit} kit @returns {Check} */
export const jobOptions = (kit) => {
  const container = containerJobOptions(kit);
  const { pass, fail, skip } = kit;
  return {
    ...container,
    title: 'Jobs retry with exponential backoff and keep failed jobs (BullMQ options on the container; queue retries, dead letters and the relay backoff for offloaded jobs)',
    async run(ctx) {
      const { project } = ctx;
      /** @type {import('../../../generators/blueprints/contract.js').JobPlan[]} */
      const offloaded = /** @type {any} */ (project.plan).offload?.jobs ?? [];
      const own = project.plan.jobs.length > 0 ? await container.run(ctx) : undefined;
      if (offloaded.length === 0) return own ?? skip('The spec declares no jobs');
      /** @type {Evidence[]} */
      const problems = [];
      /** @type {Evidence[]} */
      const ok = [];
      if (own?.status === 'fail') problems.push(...own.evidence);
      else if (own) ok.push(...own.evidence);

      // The functions' queues.
      const text = await project.read(WRANGLER);
      /** @type {{ queues?: { consumers?: { queue?: string, max_retries?: unknown, dead_letter_queue?: string }[] } } | undefined} */
      let config;
      if (text === undefined) problems.push({ file: WRANGLER, text: 'missing: the offloaded jobs have no queue configuration' });
      else {
        const parsed = ts.parseConfigFileTextToJson(WRANGLER, text);
        if (parsed.error) problems.push({ file: WRANGLER, text: `does not parse: ${ts.flattenDiagnosticMessageText(parsed.error.messageText, ' ')}` });
        else config = parsed.config;
      }
      const lines = (text ?? '').split('\n');
      const at = (/** @type {string} */ needle) => {
        const i = lines.findIndex((l) => l.includes(needle));
        return i < 0 ? {} : { line: i + 1 };
      };
      const consumers = config?.queues?.consumers ?? [];
      /** @type {{ job: string, queue: string }[]} The queue the planner gave each offloaded job. */
      const queues = /** @type {any} */ (project.plan).functions?.queues ?? [];
      if (config)
        for (const job of offloaded) {
          const queue = queues.find((q) => q.job === job.name)?.queue ?? job.queue;
          const c = consumers.find((x) => x.queue === queue);
          if (!c) {
            problems.push({ file: WRANGLER, text: `${job.name}: no consumer of its queue ${queue}` });
            continue;
          }
          const issues = [];
          if (typeof c.max_retries !== 'number' || c.max_retries < job.attempts - 1) issues.push(`max_retries is ${JSON.stringify(c.max_retries ?? null)}, the spec declares ${job.attempts - 1} retries`);
          if (!c.dead_letter_queue) issues.push('no dead_letter_queue: a message that exhausts its retries is dropped');
          else if (!consumers.some((d) => d.queue === c.dead_letter_queue)) issues.push(`its dead-letter queue ${c.dead_letter_queue} has no consumer: the job is never marked dead`);
          if (issues.length) problems.push({ file: WRANGLER, ...at(`"${queue}"`), text: `${job.name}: ${issues.join('; ')}` });
          else ok.push({ file: WRANGLER, ...at(`"${queue}"`), text: `${job.name}: queue ${queue}, max_retries ${String(c.max_retries)}, dead letters to ${c.dead_letter_queue} (consumed)` });
        }

      // The consumer's retry delay: every message.retry({ delaySeconds }) in the functions grows with the attempts.
      const fns = await parseProject(project, (f) => f.startsWith('functions/src/'));
      const retries = fns.files.flatMap((f) =>
        /** @type {ts.CallExpression[]} */ (findAll(f.sf, (n) => ts.isCallExpression(n) && calleeName(n) === 'retry')).map((c) => ({ c, file: f.file, sf: f.sf })),
      );
      if (retries.length === 0) problems.push({ file: 'functions/src/', text: 'no message.retry(…) in the functions: a failed job is retried at once by the platform (no backoff)' });
      for (const r of retries) {
        const arg = r.c.arguments[0];
        const delay = arg && ts.isObjectLiteralExpression(arg) ? arg.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'delaySeconds') : undefined;
        const grows = delay && (fns.reach(delay, r.file, r.sf).some((x) => exponential(x.node)) || delayFrom(delay, { node: r.c, file: r.file, sf: r.sf }, fns));
        const where = { file: r.file, line: lineOf(r.sf, r.c) };
        if (!delay) problems.push({ ...where, text: `${r.c.getText(r.sf).slice(0, 80)}: no delaySeconds — the retry runs at once (no backoff)` });
        else if (!grows) problems.push({ ...where, text: `${r.c.getText(r.sf).slice(0, 80)}: the delay does not grow exponentially with the attempts` });
        else ok.push({ ...where, text: 'the consumer retries with an exponentially growing delay' });
      }

      // The relay: rescheduled with an exponential delay, and given up (failed_at) after the last attempt.
      const relay = await parseProject(project, (f) => f.startsWith('src/'));
      const pkg = JSON.parse((await project.read('package.json')) ?? '{}');
      const entryJs = String(pkg.scripts?.['start:relay'] ?? '').split(/\s+/).find((w) => /\.(m?js|ts)$/.test(w));
      const entry = entryJs?.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
      const main = relay.files.find((f) => f.file === entry);
      if (!main) problems.push({ file: 'package.json', text: 'scripts["start:relay"] runs no relay in src/: nothing retries a failed delivery' });
      else {
        const reached = relay.reach(main.sf, main.file, main.sf);
        const sql = reached.flatMap((r) => sqlUnder(r.node).map((q) => ({ ...q, file: r.file, sf: r.sf })));
        const reschedule = sql.find((q) => /\bupdate\s+"?outbox"?\s+set\b[^;]*\bnext_attempt_at\b/i.test(q.text));
        // The delay is whatever the rescheduling query interpolates; it must reach an exponent.
        const spans = reschedule ? findAll(reschedule.node, ts.isTemplateSpan) : [];
        const exp = reschedule && spans.some((s) => relay.reach(/** @type {ts.TemplateSpan} */ (s).expression, reschedule.file, reschedule.sf).some((x) => exponential(x.node) || delayFrom(x.node, reschedule, relay)));
        if (!reschedule) problems.push({ file: main.file, text: 'a failed delivery is never rescheduled (no UPDATE outbox SET next_attempt_at …)' });
        else if (!exp) problems.push({ file: reschedule.file, line: lineOf(reschedule.sf, reschedule.node), text: 'the relay reschedules a failed delivery by a delay that does not grow exponentially' });
        else ok.push({ file: reschedule.file, line: lineOf(reschedule.sf, reschedule.node), text: 'the relay reschedules a failed delivery with an exponentially growing delay' });
        const giveUp = sql.find((q) => /\bupdate\s+"?outbox"?\s+set\b[^;]*\bfailed_at\s*=/i.test(q.text));
        if (!giveUp) problems.push({ file: main.file, text: 'the relay never gives up on a row (no UPDATE outbox SET failed_at …): an undeliverable job is retried forever and never reported dead' });
        else ok.push({ file: giveUp.file, line: lineOf(giveUp.sf, giveUp.node), text: 'after its last attempt an undeliverable row is marked failed' });
      }
      if (problems.length) return fail(`${problems.length} job retry problem(s)`, problems, 'Container jobs: BullMQ { attempts, backoff: exponential, removeOnFail: false }. Offloaded jobs: max_retries ≥ the spec\'s retries and a consumed dead_letter_queue in functions/wrangler.jsonc, message.retry({ delaySeconds }) growing exponentially, and a relay that backs off exponentially and marks a row failed after its last attempt.');
      return pass(`${project.plan.jobs.length + offloaded.length} job(s): retries, exponential backoff and dead letters on their own path`, ok);
    },
  };
};

/**
 * A template span's identifier (`${delay / 1000}`) resolved to its declaration in the function that
 * holds the query: `const delay = backoffMs(…)` reaches the exponent through the called function.
 * @param {ts.Node} node
 * @param {{ node: ts.Node, file: string, sf: ts.SourceFile }} query
 * @param {Awaited<ReturnType<typeof parseProject>>} model
 */
function delayFrom(node, query, model) {
  const names = new Set(findAll(node, ts.isIdentifier).map((i) => /** @type {ts.Identifier} */ (i).text));
  /** @type {ts.Node | undefined} */
  let scope = query.node;
  while (scope && !ts.isFunctionLike(scope)) scope = scope.parent;
  if (!scope) return false;
  return findAll(scope, ts.isVariableDeclaration).some((d) => {
    const decl = /** @type {ts.VariableDeclaration} */ (d);
    return ts.isIdentifier(decl.name) && names.has(decl.name.text) && !!decl.initializer && model.reach(decl.initializer, query.file, query.sf).some((x) => exponential(x.node));
  });
}
