import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import { PostgresRelay, RedisProxy } from '../../dynamic/proxy.js';
import type { AppProcess, Runtime } from '../../dynamic/runtime.js';
import { http, type Exchange } from './http.js';

/**
 * Readiness answers 503 when its dependency goes away and 200 again when it is back. The dependency is
 * reached through a relay the check cuts: Redis by default (refused connections); PostgreSQL when the
 * runtime adapter says readiness depends on it alone (`readinessDependency: 'postgresql'`, the Worker),
 * cut as a partition (accepted, never answered), the readiness probe's queries counted on the relay.
 */
export const readiness: Check = {
  id: 'dynamic.readiness',
  title: 'Readiness fails when its dependency is down (Redis; PostgreSQL for a process that needs only it) and recovers when it is back',
  seed: seed('s002', 'Design for Failure: graceful degradation; health check patterns'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      if (rt.adapter?.readinessDependency === 'postgresql') return postgresReadiness(rt);
      const servers = await rt.servers();
      const proxy = new RedisProxy(new URL(servers.redisUrl));
      await proxy.start();
      // The proxy listens from here on: close it on every path, including the API failing to start.
      let api: AppProcess;
      try {
        api = await rt.startApi({ redisProxy: proxy, env: { REDIS_KEY_PREFIX: `verify-${rt.runId}-ready` } });
      } catch (err) {
        await proxy.stop();
        throw err;
      }
      const steps: Evidence[] = [];
      const until = probe(api);
      try {
        const up = await until(200, 5000);
        steps.push({ text: `Redis up: ${up.x.transcript}` });
        if (up.x.status !== 200) return fail('readiness is not 200 with PostgreSQL and Redis up', steps, 'GET /health/ready should answer 200 when both answer.');
        await proxy.cut();
        const down = await until(503, 10_000);
        steps.push({ text: `Redis stopped: ${down.x.transcript} (after ${down.ms} ms)` });
        if (down.x.status !== 503) return fail('readiness stays ' + down.x.status + ' with Redis down', steps, 'Make GET /health/ready ping Redis (with a timeout) and answer 503 when it fails.');
        await proxy.start();
        const back = await until(200, 20_000);
        steps.push({ text: `Redis back: ${back.x.transcript} (after ${back.ms} ms)` });
        if (back.x.status !== 200) return fail('readiness does not recover when Redis is back', steps, 'Let the Redis client reconnect (ioredis retryStrategy) and readiness answer 200 again.');
        return pass(`503 within ${down.ms} ms of Redis stopping, 200 within ${back.ms} ms of it returning`, steps, { downMs: down.ms, recoverMs: back.ms });
      } finally {
        await api.stop();
        await proxy.stop();
      }
    }),
};

interface Probe {
  /** The last answer (status 0: none within the request timeout). */
  x: Exchange;
  ms: number;
}

/** GET /health/ready until it answers `want` or `ms` pass; a probe that gets no answer counts as status 0. */
function probe(api: AppProcess) {
  return async (want: number, ms: number): Promise<Probe> => {
    const t0 = Date.now();
    const once = () => http(api.url, 'GET', '/health/ready', { timeoutMs: 15_000 }).catch((err: Error): Exchange => ({ status: 0, headers: new Headers(), body: undefined, transcript: `GET /health/ready → no answer (${err.message})` }));
    let x = await once();
    while (x.status !== want && Date.now() - t0 < ms) {
      await new Promise((r) => setTimeout(r, 200));
      x = await once();
    }
    return { x, ms: Date.now() - t0 };
  };
}

const isProblem = (x: Exchange) => /^application\/problem\+json\b/.test(x.headers.get('content-type') ?? '');

/**
 * The process's one dependency is PostgreSQL: its database is reached through a relay (DATABASE_URL points
 * at it). Up: readiness answers 200 and at least one query crossed the relay while it did (a probe that
 * answers without asking the database proves nothing). Cut: the relay accepts and never answers, as in a
 * partition — readiness must answer 503 as problem+json on its own timeout, and the process must survive.
 * Restored: 200 again.
 */
async function postgresReadiness(rt: Runtime) {
  const relay = new PostgresRelay(new URL(await rt.migrated('app')));
  await relay.start();
  let api: AppProcess;
  try {
    api = await rt.startApi({ databaseProxy: relay });
  } catch (err) {
    await relay.stop();
    throw err;
  }
  const steps: Evidence[] = [];
  const until = probe(api);
  let exited = false;
  void api.exited.then(() => (exited = true));
  const gone = (what: string) =>
    fail(`the API process exited ${what}`, [...steps, { text: `its last output:\n${rt.tail(api.output(), 15)}` }], 'The process must outlive an unreachable database: handle the connection error (and its timeout) where the client is used, and answer 503.');
  try {
    const before = relay.queries;
    const up = await until(200, 10_000);
    const queried = relay.queries - before;
    steps.push({ text: `PostgreSQL up: ${up.x.transcript}; ${queried} quer${queried === 1 ? 'y' : 'ies'} reached PostgreSQL through the relay meanwhile` });
    if (up.x.status !== 200) return fail('readiness is not 200 with PostgreSQL up', steps, 'GET /health/ready should answer 200 when PostgreSQL answers.');
    if (queried === 0)
      return fail('readiness answers 200 without querying PostgreSQL', steps, 'Make GET /health/ready run a query (SELECT 1) on the database on every probe and answer 503 when it fails or times out; an open connection, or none, does not show the database answers.');
    await relay.cut();
    const down = await until(503, 20_000);
    steps.push({ text: `PostgreSQL unreachable (the relay accepts connections and never answers): ${down.x.transcript} (after ${down.ms} ms)` });
    if (exited) return gone('when PostgreSQL became unreachable');
    if (down.x.status !== 503)
      return fail(
        down.x.status === 0 ? 'readiness does not answer while PostgreSQL is unreachable' : `readiness stays ${down.x.status} with PostgreSQL unreachable`,
        steps,
        'Bound the readiness query (a connection and query timeout) and answer 503 when it fails: a probe that hangs or says ready while the database does not answer sends traffic to an instance that cannot serve it.',
      );
    if (!isProblem(down.x)) return fail('the 503 is not problem+json', [...steps, { text: `content-type: ${down.x.headers.get('content-type') ?? 'none'}` }], 'Answer the 503 with Content-Type application/problem+json (RFC 9457), like every other error.');
    await relay.start();
    const back = await until(200, 20_000);
    steps.push({ text: `PostgreSQL back: ${back.x.transcript} (after ${back.ms} ms)` });
    if (exited) return gone('after PostgreSQL came back');
    if (back.x.status !== 200) return fail('readiness does not recover when PostgreSQL is back', steps, 'Open a new connection per probe (or let the pool replace broken ones) so readiness answers 200 again.');
    return pass(`503 problem+json within ${down.ms} ms of PostgreSQL becoming unreachable (connections accepted, never answered), 200 within ${back.ms} ms of it returning; ${queried} readiness quer${queried === 1 ? 'y' : 'ies'} seen on the wire`, steps, { downMs: down.ms, recoverMs: back.ms, queries: queried });
  } finally {
    await api.stop();
    await relay.stop();
  }
}
