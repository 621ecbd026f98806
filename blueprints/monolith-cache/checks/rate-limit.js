// @ts-check
/** @import * as TS from 'typescript' */
import { ts } from '../../_shared/lazy-typescript.js';

/** @typedef {import('../../../generators/blueprints/contract.js').Check} Check */
/** @typedef {import('../../../generators/blueprints/contract.js').CheckKit} CheckKit */
/** @typedef {import('../../../generators/blueprints/contract.js').Evidence} Evidence */
/** @typedef {import('../../../generators/verify/analysis/source.js').Sources} Sources */

/** Routes that may opt out of rate limiting: probes and scrapes (an orchestrator calls them constantly). */
const EXEMPT = /^\/(health|healthz|readyz|livez|metrics)(\/|$)/;

/**
 * Rate limiting as a Fastify application states it: @fastify/rate-limit registered globally with a
 * Redis store (so the limit holds across instances), and no API route opting out.
 * @param {CheckKit} kit
 * @returns {Check}
 */
export const rateLimit = ({ pass, fail, seed, analysis: { evaluate, UNKNOWN, findAll } }) => ({
  id: 'api.rate-limit',
  title: 'Rate limiting is registered, stored in Redis, and covers every route',
  seed: seed('s000', 'Security Checklist: Rate limiting (per-user, per-IP)'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    const reg = registrations(sources, '@fastify/rate-limit', findAll)[0];
    if (!reg)
      return fail(
        '@fastify/rate-limit is not registered',
        [{ text: 'no app.register(<import from "@fastify/rate-limit">, …) in src/' }],
        'Register @fastify/rate-limit in src/app.ts with `global: true` and `redis` (see the generated app.ts).',
      );
    const at = sources.at(reg.call, 'app.register(rateLimit, …)');
    /** @type {Evidence[]} */
    const problems = [];
    const global = evaluate(sources, sources.prop(reg.options, 'global'));
    if (global === false) problems.push({ ...at, text: 'registered with global: false — routes are only limited where they opt in' });
    if (!sources.prop(reg.options, 'redis')) problems.push({ ...at, text: 'no `redis` store: the limit is per process and does not hold across instances' });
    const routes = await project.routes();
    for (const r of routes) {
      const setting = sources.prop(sources.prop(r.options, 'config'), 'rateLimit');
      const value = evaluate(sources, setting);
      const off = value === false || (global === false && (setting === undefined || value === UNKNOWN));
      if (off && !EXEMPT.test(r.path)) problems.push({ file: r.file, line: r.line, text: `${r.method} ${r.path} is not rate limited (config.rateLimit: ${setting ? setting.getText() : 'absent'})` });
    }
    if (problems.length)
      return fail(`${problems.length} rate-limit gap(s)`, problems, 'Register @fastify/rate-limit with `global: true` and a Redis store, and remove `config: { rateLimit: false }` from API routes (only health and metrics may opt out).');
    const keyed = sources.prop(reg.options, 'keyGenerator');
    return pass(`@fastify/rate-limit registered globally with a Redis store; ${routes.filter((r) => !EXEMPT.test(r.path)).length} route(s) covered`, [
      { ...at, text: `global: true, redis${keyed ? `, keyGenerator: ${keyed.getText().replace(/\s+/g, ' ').slice(0, 100)}` : ''}` },
    ]);
  },
});

/**
 * `X.register(plugin, options)` calls where plugin is imported from `moduleName`.
 * @param {Sources} sources
 * @param {string} moduleName
 * @param {CheckKit['analysis']['findAll']} findAll
 * @returns {{ call: TS.CallExpression, options: TS.Node | undefined }[]}
 */
function registrations(sources, moduleName, findAll) {
  /** @type {{ call: TS.CallExpression, options: TS.Node | undefined }[]} */
  const out = [];
  for (const { sf } of sources.app) {
    for (const call of findAll(sf, ts.isCallExpression)) {
      if (!ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'register') continue;
      const plugin = call.arguments[0];
      if (plugin && ts.isIdentifier(plugin) && sources.importSource(plugin) === moduleName) out.push({ call, options: call.arguments[1] });
    }
  }
  return out;
}
