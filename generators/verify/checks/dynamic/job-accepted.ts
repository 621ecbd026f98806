import { fail, pass, seed, skip, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import { tail } from '../../dynamic/runtime.js';
import { ensureRows } from './ensure.js';
import { http, type Exchange } from './http.js';

/** How long a job endpoint may take to answer when nothing consumes the queue (loopback, warm process). */
export const ACCEPT_BOUND_MS = 300;
/** A request still unanswered after this long is waiting for the work. */
const ABORT_MS = 3000;
const TIMED_REQUESTS = 3;

/**
 * "No request handler waits on work", observed: an API process whose queues NO worker consumes (its
 * own Redis key prefix) must still answer every job endpoint with 202 at once — whatever the handler
 * does to wait (waitUntilFinished, polling the job's state, doing the work inline) it cannot finish
 * here, so it shows as a slow or missing answer. The job must then still be waiting in the queue.
 * Jobs the API hands off (`plan.handedOffJobs`, e.g. the hybrid's outbox) are judged the same way:
 * nothing that runs them (relay, functions) is started here, so each must stay queued.
 */
export const jobAcceptedWithoutWorker: Check = {
  id: 'dynamic.job-accepted-without-worker',
  title: `Each job endpoint answers 202 within ${ACCEPT_BOUND_MS} ms while no worker runs`,
  seed: seed('s002', 'Critical Rules: NEVER recommend synchronous waiting for operations >100ms in API routes'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const jobs = [...ctx.project.plan.jobs, ...(ctx.project.plan.handedOffJobs?.jobs ?? [])];
      if (jobs.length === 0) return skip('The spec declares no jobs');
      const tokens = await rt.tokens();
      const ids = await ensureRows(rt, ctx.project);
      const api = await rt.startApi({ env: { REDIS_KEY_PREFIX: `verify-${rt.runId}-noworker` } });
      const problems: Evidence[] = [];
      const ok: Evidence[] = [];
      const figures: Record<string, number> = {};
      try {
        for (const job of jobs) {
          const token = tokens[job.permissions[0]!];
          const path = job.routePath.replace(':id', ids[job.entity]!);
          const post = async (): Promise<{ x?: Exchange; ms: number; error?: string }> => {
            const t0 = Date.now();
            try {
              const x = await http(api.url, 'POST', path, { token, timeoutMs: ABORT_MS });
              return { x, ms: Date.now() - t0 };
            } catch (err) {
              return { ms: Date.now() - t0, error: (err as Error).name === 'TimeoutError' ? `no answer within ${ABORT_MS} ms` : (err as Error).message };
            }
          };
          // The first request pays for JIT and connections; a fresh process may still be connecting
          // its queue (503, its degraded answer): give it a few tries before timing anything.
          let warm = await post();
          for (let i = 0; i < 5 && warm.x?.status === 503; i++) {
            await new Promise((r) => setTimeout(r, 500));
            warm = await post();
          }
          const timed = [warm];
          if (warm.x?.status === 202) for (let i = 0; i < TIMED_REQUESTS; i++) timed.push(await post());
          const bad = timed.find((t) => !t.x || t.x.status !== 202);
          const ms = timed.slice(1).map((t) => t.ms).sort((a, b) => a - b);
          const median = ms.length ? ms[Math.floor(ms.length / 2)]! : warm.ms;
          figures[`${job.name}.medianMs`] = median;
          if (bad) {
            problems.push({ text: `${job.name}: POST ${path} with no worker running: ${bad.error ?? `expected 202, got ${bad.x!.transcript}`} (after ${bad.ms} ms)${bad.x && bad.x.status >= 500 ? `\nAPI output: ${tail(api.output(), 5)}` : ''}` });
            continue;
          }
          if (median > ACCEPT_BOUND_MS) {
            problems.push({ text: `${job.name}: POST ${path} answered 202 in ${ms.join(', ')} ms (median ${median} ms > ${ACCEPT_BOUND_MS} ms): the handler does work before answering` });
            continue;
          }
          // Nothing consumes this prefix: the job must still be waiting (the API did not run it itself).
          const statusUrl = (timed[1]!.x!.body as { statusUrl?: string }).statusUrl;
          const state = statusUrl ? await http(api.url, 'GET', statusUrl, { token }) : undefined;
          const status = (state?.body as { status?: string } | undefined)?.status;
          if (status && status !== 'queued' && status !== 'waiting' && status !== 'delayed') problems.push({ text: `${job.name}: with no worker the job is "${status}" — something in the API process runs it: ${state!.transcript}` });
          else ok.push({ text: `${job.name}: POST ${path} → 202 in ${ms.join(', ')} ms with no worker; job ${status ?? 'accepted'}` });
        }
      } finally {
        await api.stop();
      }
      if (problems.length) return fail(`${problems.length} job endpoint(s) wait on the work`, problems, 'Enqueue and answer 202 with the job id and status URL at once; never wait for the job (waitUntilFinished, polling its state, doing the work inline) in the request.', figures);
      return pass(`${jobs.length} job endpoint(s) answer 202 within ${ACCEPT_BOUND_MS} ms with no worker running`, ok, figures);
    }),
};
