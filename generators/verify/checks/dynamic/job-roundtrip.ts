import { fail, pass, seed, skip, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import { ensureRows } from './ensure.js';
import { http } from './http.js';

/**
 * job → 202 with a status URL at once → the worker process completes it, as the status URL reports.
 * Blueprint-neutral: the runtime adapter starts the API and the worker, the plan gives each job's route.
 */
/** A verify job does almost nothing; a job not done in this time is stuck, failing or retrying. */
const JOB_TIMEOUT_MS = 15_000;

export const jobRoundtrip: Check = {
  id: 'dynamic.job-roundtrip',
  title: 'Each job: 202 + status URL at once, then completed by the worker',
  seed: seed('s002', 'The Async Job Pattern: API immediately returns job ID → background worker → user polls status'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const jobs = ctx.project.plan.jobs;
      if (jobs.length === 0) return skip(ctx.project.plan.noJobsReason ?? 'The spec declares no jobs');
      const api = await rt.sharedApi();
      await rt.sharedWorker();
      const tokens = await rt.tokens();
      const ids = await ensureRows(rt, ctx.project);
      const problems: Evidence[] = [];
      const ok: Evidence[] = [];
      const figures: Record<string, number> = {};
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
        const deadline = Date.now() + JOB_TIMEOUT_MS;
        while (Date.now() < deadline) {
          last = await http(api.url, 'GET', accepted.statusUrl, { token });
          status = (last.body as { status?: string })?.status ?? '';
          if (status === 'completed' || status === 'failed') break;
          await new Promise((r) => setTimeout(r, 150));
        }
        figures[`${job.name}.completedMs`] = Date.now() - t0;
        if (status !== 'completed') problems.push({ text: `${job.name}: not completed within ${JOB_TIMEOUT_MS / 1000} s; last ${last.transcript}` });
        else ok.push({ text: `${job.name}: ${last.transcript}` });
      }
      if (problems.length) return fail(`${problems.length} job(s) not accepted or not completed`, problems, 'Check the worker process (its output is in the verify log) and the job route: answer 202 at once, let the worker complete the job.', figures);
      return pass(`${jobs.length} job(s) accepted with 202 and completed by the worker`, ok, figures);
    }),
};
