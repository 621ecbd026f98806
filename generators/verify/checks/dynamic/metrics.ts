import { fail, pass, seed, skip, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import { ensureRows } from './ensure.js';
import { http } from './http.js';

/**
 * After real traffic, the API's /metrics (on its metrics port) and the worker's /metrics show a sample of
 * every declared series; and the public API port does not serve /metrics to an anonymous caller.
 */
export const metricsSeries: Check = {
  id: 'dynamic.metrics-series',
  title: '/metrics shows the expected series after traffic (API and worker)',
  seed: seed('s000', 'Monitoring Setup: metrics'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const push = ctx.project.plan.metricsPush;
      // Pushed metrics have no endpoint to read back; locally the sink keeps nothing queryable.
      if (push)
        return skip(`metrics are pushed to ${push.sink} (.${push.method}(…)), not scraped: there is no /metrics to read, and the local runtime accepts the data points without keeping them queryable, so the series can only be observed in the deployed account (observability.health-endpoints confirms the writes exist in src/)`);
      const api = await rt.sharedApi();
      const tokens = await rt.tokens();
      const ids = await ensureRows(rt, ctx.project);
      const e = ctx.project.plan.entities[0]!;
      // Read twice: a miss, then a hit.
      for (let i = 0; i < 2; i++) await http(api.url, 'GET', `${e.routePrefix}/${ids[e.name]}`, { token: tokens.admin });
      const problems: Evidence[] = [];
      const ok: Evidence[] = [];
      const scrape = async (url: string) =>
        fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) }).then(
          (r) => (r.ok ? r.text() : ''),
          () => '',
        );
      // Each process's /metrics, every running instance of it (one API, or one per service) read together.
      const endpoints = await rt.metricsEndpoints([...new Set(['api', ...ctx.project.plan.metrics.map((m) => m.process)])]);
      const bodies: Record<string, string> = {};
      for (const [name, urls] of Object.entries(endpoints)) {
        const texts = await Promise.all(urls.map(scrape));
        texts.forEach((text, i) => {
          if (text) return;
          if (name === 'api') problems.push({ text: `the API answers no /metrics on its metrics port (METRICS_PORT, ${urls[i]})` });
          else problems.push({ text: `the ${name} process answers no /metrics (${urls[i]})` });
        });
        bodies[name] = texts.join('\n');
      }
      const exposed = await fetch(`${api.url}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status, () => 0);
      if (exposed === 200) problems.push({ text: `GET ${api.url}/metrics answers 200 without credentials on the public API port: serve metrics on METRICS_PORT only` });
      else ok.push({ text: `public port: GET /metrics → ${exposed} (metrics are served on METRICS_PORT only)` });
      // Other processes that serve metrics (a relay) and that the adapter does not list as running: started
      // for the scrape when the runtime adapter can start them, and stopped after it.
      for (const name of new Set(ctx.project.plan.metrics.map((m) => m.process)))
        if (!(name in bodies) && name !== 'api' && name !== 'worker' && rt.hasProcess(name)) {
          const proc = await rt.start(name);
          try {
            bodies[name] = await scrape(proc.metricsUrl);
          } finally {
            await proc.stop();
          }
        }
      for (const m of ctx.project.plan.metrics) {
        const body = bodies[m.process] ?? '';
        const sample = body.split('\n').find((l) => new RegExp(`^${m.name}(_bucket|_count|_sum)?(\\{| )`).test(l));
        if (sample) ok.push({ text: `${m.process}: ${sample.slice(0, 140)}` });
        else if (/fail|error/.test(m.name) && body.includes(`# TYPE ${m.name} `)) ok.push({ text: `${m.process}: ${m.name} declared (no failure happened, so no sample yet)` });
        // No queued jobs: the worker's series, and a series of the API labelled by queue, have nothing to observe.
        else if ((m.process === 'worker' || m.labels.includes('queue')) && ctx.project.plan.jobs.length === 0 && (m.process === 'worker' || body.includes(`# TYPE ${m.name} `)))
          ok.push({ text: `${m.process}: ${m.name} (no queued jobs declared, no samples expected)` });
        else problems.push({ text: `${m.process} /metrics has no sample of ${m.name}${body.includes(`# TYPE ${m.name} `) ? ' (declared, never observed)' : ''}` });
      }
      // The API's request counter by route, as the plan declares it (a counter of the api process with a route label).
      const routeCounter = ctx.project.plan.metrics.find((m) => m.process === 'api' && m.type === 'counter' && m.labels.includes('route'));
      if (!routeCounter) problems.push({ text: 'the plan declares no request counter of the API by route (a counter metric of process api with a route label): requests per route cannot be watched' });
      else if (!(bodies.api ?? '').split('\n').some((l) => l.startsWith(`${routeCounter.name}{`) && l.includes(`route="${e.routePrefix}/:id"`)))
        problems.push({ text: `${routeCounter.name} has no sample for route ${e.routePrefix}/:id after requests to it` });
      if (problems.length)
        return fail(`${problems.length} /metrics problem(s)`, problems, 'Serve /metrics on METRICS_PORT (not the public port); register every metric on the process registry and observe it (src/observability/metrics.ts): the alert rules and the dashboard read these names.');
      return pass(`${ctx.project.plan.metrics.length} series present after traffic`, ok);
    }),
};
