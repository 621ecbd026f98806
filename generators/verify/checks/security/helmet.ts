import { fail, pass, seed, type Check } from '../../types.js';
import { registrations } from '../api/rate-limit.js';

export const helmet: Check = {
  id: 'security.helmet',
  title: 'Security headers (@fastify/helmet) are registered',
  seed: seed('s001', 'Security-First Architecture: defense in depth across all system layers'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    const reg = registrations(sources, '@fastify/helmet')[0];
    if (!reg) return fail('@fastify/helmet is not registered', [{ text: 'no app.register(<import from "@fastify/helmet">) in src/' }], 'Register @fastify/helmet in src/app.ts before the routes.');
    return pass('@fastify/helmet is registered', [sources.at(reg.call)]);
  },
};
