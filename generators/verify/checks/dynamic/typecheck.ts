import { fail, pass, seed, type Check } from '../../types.js';
import { tail } from '../../dynamic/runtime.js';
import { withRuntime } from './guard.js';

export const typecheck: Check = {
  id: 'dynamic.typecheck',
  title: 'The project type-checks (tsc --noEmit)',
  seed: seed('s003', 'Delivery Standards: Testing'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const t0 = Date.now();
      const r = await rt.exec('tsc', ['--noEmit', '-p', 'tsconfig.json']);
      const figures = { seconds: Number(((Date.now() - t0) / 1000).toFixed(1)) };
      if (r.exitCode === 0) return pass('tsc --noEmit: no type errors', [{ text: r.command }], figures);
      const errors = r.output.split('\n').filter((l) => /error TS\d+/.test(l));
      return fail(`tsc --noEmit: ${errors.length} type error(s)`, (errors.length ? errors.slice(0, 20) : [tail(r.output, 10)]).map((l) => ({ text: l })), 'Fix the type errors (npm run typecheck).', figures);
    }),
};
