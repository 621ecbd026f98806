import { fail, pass, seed, type Check } from '../../types.js';
import { tail } from '../../dynamic/runtime.js';
import { withRuntime } from './guard.js';

export const testSuite: Check = {
  id: 'dynamic.test-suite',
  title: "The project's own tests pass against real PostgreSQL and Redis",
  seed: seed('s003', 'Delivery Standards: Testing (unit tests, integration tests)'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const servers = await rt.servers();
      const db = await rt.database('tests');
      const t0 = Date.now();
      const r = await rt.exec('vitest', ['run', '--reporter=dot'], {
        env: { NODE_ENV: 'test', DATABASE_URL: db, REDIS_URL: servers.redisUrl, REDIS_KEY_PREFIX: `verify-${rt.runId}-tests`, LOG_LEVEL: 'silent', CI: '1', NO_COLOR: '1' },
        timeoutMs: 600_000,
      });
      const output = r.output.replace(/\x1b\[[0-9;]*m/g, '');
      const summary = output.split('\n').filter((l) => /^\s*(Test Files|Tests)\s/.test(l)).map((l) => l.trim());
      const figures = { seconds: Number(((Date.now() - t0) / 1000).toFixed(1)) };
      if (r.exitCode === 0) return pass(`vitest run: ${summary.join('; ') || 'passed'}`, [{ text: r.command }], figures);
      const failed = output.split('\n').filter((l) => /(FAIL|✗|×|AssertionError|Error:)/.test(l)).slice(0, 15);
      return fail(`the project's tests fail: ${summary.join('; ') || `exit ${r.exitCode}`}`, [...failed, ...(failed.length ? [] : [tail(output, 15)])].map((l) => ({ text: l.trim() })), 'Run `npm test` with DATABASE_URL and REDIS_URL set and fix the failing tests.', figures);
    }),
};
