import { fail, pass, seed, skip, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import { ensureRows } from './ensure.js';
import { http } from './http.js';
import { tail } from '../../dynamic/runtime.js';

/**
 * job → 202 with a status URL at once → the worker process completes it, as the status URL reports.
 * Blueprint-neutral: the runtime adapter starts the API and the worker, the plan gives each job's route.
 * Jobs the API hands off (`plan.handedOffJobs`) are followed the same way through what the adapter's
 * `startHandedOff` starts (the hybrid: the relay and the functions), stopped afterwards.
 */
/** A verify job does almost nothing; a job not done in this time is stuck, failing or retrying. */
const JOB_TIMEOUT_MS = 15_000;
/** A handed-off job crosses more hops (the hybrid: outbox poll, relay, ingress, a local queue's batch timeout). */
const HANDED_OFF_TIMEOUT_MS = 45_000;

export const jobRoundtrip: Check = {
  id: 'dynamic.job-roundtrip',
  title: 'Each job: 202 + status URL at once, then completed by the worker',
  seed: seed('s002', 'The Async Job Pattern: API immediately returns job ID → background worker → user polls status'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const handedOff = ctx.project.plan.handedOffJobs?.jobs ?? [];
      const jobs = [...ctx.project.plan.jobs, ...handedOff];
      if (jobs.length === 0) return skip('The spec declares no jobs');
      const api = await rt.sharedApi();
      if (ctx.project.plan.jobs.length > 0) await rt.sharedWorker();
      const adapter = rt.adapter!;
      if (handedOff.length > 0 && !adapter.startHandedOff)
        return fail(`the plan hands ${handedOff.map((j) => j.name).join(', ')} off, but the ${ctx.project.plan.blueprint.id} runtime adapter has no startHandedOff()`, [], 'Give the runtime adapter a startHandedOff(rt, jobs) that starts what runs them.');
      const runners = handedOff.length > 0 ? await adapter.startHandedOff!(rt, handedOff) : undefined;
      const tokens = await rt.tokens();
      const ids = await ensureRows(rt, ctx.project);
      const problems: Evidence[] = [];
      const ok: Evidence[] = [];
      const figures: Record<string, number> = {};
      try {
        for (const job of jobs) {
          const token = tokens[job.permissions[0]!];
          const t0 = Date.now();
          const a = await http(api.url, 'POST', job.routePath.replace(':id', ids[job.entity]!), { token });
          const acceptMs = Date.now() - t0;
          const accepted = a.body as { jobId?: string; statusUrl?: string };
          if (a.status !== 202 || !accepted?.statusUrl) {
            problems.push({ text: `${job.name}: expected 202 with a statusUrl, got ${a.transcript}` });
            continue;
          }
          ok.push({ text: `${job.name}: ${a.transcript} (${acceptMs} ms)` });
          let last = a;
          let status = '';
          const timeoutMs = handedOff.includes(job) ? HANDED_OFF_TIMEOUT_MS : JOB_TIMEOUT_MS;
          const deadline = Date.now() + timeoutMs;
          while (Date.now() < deadline) {
            last = await http(api.url, 'GET', accepted.statusUrl, { token });
            status = (last.body as { status?: string })?.status ?? '';
            if (status === 'completed' || status === 'failed' || status === 'dead') break;
            await new Promise((r) => setTimeout(r, 150));
          }
          figures[`${job.name}.completedMs`] = Date.now() - t0;
          if (status !== 'completed') problems.push({ text: `${job.name}: not completed within ${timeoutMs / 1000} s; last ${last.transcript}` });
          else ok.push({ text: `${job.name}: ${last.transcript}${handedOff.includes(job) ? ` (handed off: ${ctx.project.plan.handedOffJobs!.via})` : ''}` });
        }
      } finally {
        await runners?.stop();
      }
      if (problems.length) {
        if (runners) problems.push({ text: `what runs the handed-off jobs: ${tail(runners.output(), 10)}` });
        return fail(`${problems.length} job(s) not accepted or not completed`, problems, 'Check the worker process (its output is in the verify log) and the job route: answer 202 at once, let the worker complete the job.', figures);
      }
      return pass(`${jobs.length} job(s) accepted with 202 and completed by the worker`, ok, figures);
    }),
};
