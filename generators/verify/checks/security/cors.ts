import { evaluate, UNKNOWN } from '../../analysis/evaluate.js';
import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { registrations } from '../api/rate-limit.js';

/** CORS is an allowlist: the origin option is never '*' or true (reflect any origin), and the configured origins are not '*'. */
export const cors: Check = {
  id: 'security.cors',
  title: "CORS is an allowlist, not '*'",
  seed: seed('s004', 'Security & Authentication: implement proper CORS policies'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    const reg = registrations(sources, '@fastify/cors')[0];
    if (!reg) return fail('@fastify/cors is not registered', [{ text: 'no app.register(<import from "@fastify/cors">) in src/' }], 'Register @fastify/cors with origin: config.CORS_ORIGINS (an allowlist).');
    const origin = sources.prop(reg.options, 'origin');
    const at = sources.at(reg.call, `origin: ${origin?.getText() ?? 'absent'}`);
    const problems: Evidence[] = [];
    const value = origin ? evaluate(sources, origin) : undefined;
    if (!origin) problems.push({ ...at, text: 'origin is not set: @fastify/cors defaults to "*"' });
    else if (value === '*' || value === true || (Array.isArray(value) && value.includes('*'))) problems.push({ ...at, text: `origin: ${origin.getText()} allows every origin` });
    // The configured allowlist (.env.example) must not be '*' either.
    const env = await project.read('.env.example');
    const line = env?.split('\n').findIndex((l) => /^CORS_ORIGINS\s*=/.test(l)) ?? -1;
    if (env && line >= 0 && /=\s*["']?\*["']?\s*$/.test(env.split('\n')[line]!)) problems.push({ file: '.env.example', line: line + 1, text: 'CORS_ORIGINS=*' });
    if (problems.length) return fail("CORS allows any origin", problems, 'Set origin to the allowlist from the environment (CORS_ORIGINS, comma-separated origins), never "*".');
    return pass(`CORS origin is an allowlist (${value === UNKNOWN ? origin!.getText() : JSON.stringify(value)})`, [at]);
  },
};
