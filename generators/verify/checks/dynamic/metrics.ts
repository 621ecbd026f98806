import { randomUUID } from 'node:crypto';
import { fail, pass, seed, skip, type Check, type CheckOutcome, type Evidence } from '../../types.js';
import type { ProjectContext } from '../../context.js';
import type { Runtime } from '../../dynamic/runtime.js';
import type { RecordedPoint } from '../../../blueprints/contract.js';
import { alertRules } from '../observability/alert-rules.js';
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
      // Pushed metrics have no endpoint to read back: observed through the adapter's recorder, when it has one.
      if (push && rt.adapter?.recordMetrics) return pushedSeries(ctx.project, rt);
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Pushed metrics (plan.metricsPush), observed through the runtime adapter's recorder (the sink replaced,
 * the app's code unchanged): after requests with known answers (200 twice: a cache miss and a hit, 404, 401),
 * every alert rule that reads a dataset must find data points of the event kinds it selects (`blob1 = '…'`),
 * carrying every blobN/doubleN it reads; the column an error-rate rule compares with 500 must hold each
 * response's status, and the column a quantile reads (the latency) a duration no longer than the round trip.
 */
async function pushedSeries(project: ProjectContext, rt: Runtime): Promise<CheckOutcome> {
  const push = project.plan.metricsPush!;
  const rules = ((await alertRules(project)) ?? []).filter((r) => r.language === 'sql');
  const datasets = new Set(Object.values(push.datasets ?? {}));
  const reading = rules.flatMap((r) => [...r.expr.matchAll(/\bFROM\s+"?([\w.]+)"?/gi)].map((m) => ({ rule: r, dataset: m[1]! })).filter((x) => datasets.has(x.dataset)));
  if (reading.length === 0) return skip(`no alert rule reads a dataset the app pushes to ${push.sink} (${[...datasets].join(', ') || 'none declared'}): nothing to observe`);
  const tokens = await rt.tokens();
  const ids = await ensureRows(rt, project);
  const e = project.plan.entities[0]!;
  const rec = await rt.adapter!.recordMetrics!(rt);
  try {
    await sleep(1000); // the readiness probes' points arrive first
    const from = rec.points().length;
    const sent: { status: number; ms: number; transcript: string }[] = [];
    const send = async (path: string, token?: string) => {
      const t0 = Date.now();
      const x = await http(rec.api.url, 'GET', path, token ? { token } : {});
      sent.push({ status: x.status, ms: Date.now() - t0, transcript: x.transcript });
    };
    await send(`${e.routePrefix}/${ids[e.name]}`, tokens.admin);
    await send(`${e.routePrefix}/${ids[e.name]}`, tokens.admin);
    await send(`${e.routePrefix}/${randomUUID()}`, tokens.admin);
    await send(`${e.routePrefix}/${ids[e.name]}`);
    // Points are posted by the recorder after each response (waitUntil): wait until they stop arriving.
    let seen = -1;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && rec.points().length !== seen; ) {
      seen = rec.points().length;
      await sleep(700);
    }
    const points = rec.points().slice(from);
    const problems: Evidence[] = [];
    const ok: Evidence[] = [{ text: `${sent.length} requests: ${sent.map((x) => x.transcript.slice(0, 90)).join('; ')}` }, { text: `${points.length} data point(s) recorded (${rec.how})` }];
    const show = (p: RecordedPoint) => JSON.stringify(p.point).slice(0, 160);
    const column = (p: RecordedPoint, ref: string) => {
      const m = /^(blob|double)(\d+)$/i.exec(ref)!;
      const list = m[1]!.toLowerCase() === 'blob' ? p.point.blobs : p.point.doubles;
      return list?.[Number(m[2]) - 1];
    };
    for (const { rule, dataset } of reading) {
      const at = { file: rule.file, line: rule.line };
      const ofDataset = points.filter((p) => p.dataset === dataset);
      const kinds = [...rule.expr.matchAll(/\bblob1\s*=\s*'([^']*)'/gi)].map((m) => m[1]!);
      const judged = kinds.length ? ofDataset.filter((p) => kinds.includes(String(p.point.blobs?.[0]))) : ofDataset;
      if (judged.length === 0) {
        problems.push({ ...at, text: `alert ${rule.name} reads ${dataset}${kinds.length ? ` data points of kind ${kinds.map((k) => `'${k}'`).join(', ')}` : ''}, and the requests wrote none (written: ${[...new Set(ofDataset.map((p) => `'${String(p.point.blobs?.[0])}'`))].join(', ') || 'nothing'} to ${dataset})` });
        continue;
      }
      const refs = [...new Set([...rule.expr.matchAll(/\b(blob|double)(\d+)\b/gi)].map((m) => m[0].toLowerCase()))];
      for (const ref of refs) {
        const bad = judged.find((p) => {
          const v = column(p, ref);
          return ref.startsWith('blob') ? typeof v !== 'string' || v === '' : typeof v !== 'number' || !Number.isFinite(v);
        });
        if (bad) problems.push({ ...at, text: `alert ${rule.name} reads ${ref}, which a recorded data point does not carry as a ${ref.startsWith('blob') ? 'non-empty string' : 'number'}: ${show(bad)}` });
      }
      // The error-rate rule's status column: each response's status is in it, as often as it was answered.
      const status = /\b(double\d+)\s*(?:>=\s*500|>\s*499)\b/i.exec(rule.expr)?.[1]?.toLowerCase();
      if (status) {
        const recorded = judged.map((p) => column(p, status));
        const missing = sent.filter((x, i) => sent.slice(0, i).filter((y) => y.status === x.status).length >= recorded.filter((v) => v === x.status).length);
        if (missing.length) problems.push({ ...at, text: `alert ${rule.name} compares ${status} with 500 (5xx), but the data points do not carry the statuses answered: sent ${sent.map((x) => x.status).join(', ')}, ${status} recorded ${recorded.join(', ')}` });
        else ok.push({ ...at, text: `${rule.name}: ${status} held each answer's status (${sent.map((x) => x.status).join(', ')})` });
      }
      // The latency rule's column: a duration, at most the round trip the client measured.
      const latency = /quantile\w*\([^)]*\)\(\s*(double\d+)/i.exec(rule.expr)?.[1]?.toLowerCase();
      if (latency) {
        const longest = Math.max(...sent.map((x) => x.ms));
        const values = judged.map((p) => Number(column(p, latency)));
        const out = values.filter((v) => !(v >= 0 && v <= longest + 50));
        if (out.length) problems.push({ ...at, text: `alert ${rule.name} reads ${latency} as the latency, but recorded values ${out.join(', ')} are not durations within the longest round trip (${longest} ms)` });
        else ok.push({ ...at, text: `${rule.name}: ${latency} ${values.join(', ')} ms, within the round trips (longest ${longest} ms)` });
      }
      if (!problems.some((p) => p.line === rule.line && p.file === rule.file)) ok.push({ ...at, text: `${rule.name}: ${judged.length} '${kinds.join("', '") || 'any'}' data point(s) in ${dataset}, e.g. ${show(judged[judged.length - 1]!)}` });
    }
    if (problems.length)
      return fail(`${problems.length} alert quer(y/ies) would not see what the requests did`, [...problems, ...ok], `Write one data point per request with ${push.method}(…) carrying what the alert rules read (monitoring/alerts.yml): the event kind in blob1, the status and the duration where the rules compare them.`);
    return pass(`${points.length} data points from ${sent.length} requests; every alert rule over ${[...datasets].join(', ')} finds the kinds and columns it reads, with the statuses and durations answered — observed on ${rec.how}`, ok, { points: points.length, requests: sent.length });
  } finally {
    await rec.stop();
  }
}
