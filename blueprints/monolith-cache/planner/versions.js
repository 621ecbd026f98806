// @ts-check
/**
 * Every dependency a generated project gets, pinned in one map (create-t3-app's dependencyVersionMap):
 * an upgrade is one diff here. Versions are chosen to support Node 20.19+.
 */
export const DEPENDENCIES = {
  fastify: '5.6.1',
  'fastify-plugin': '5.1.0',
  '@fastify/cors': '11.1.0',
  '@fastify/jwt': '10.0.0',
  '@fastify/rate-limit': '10.3.0',
  '@fastify/swagger': '9.5.2',
  '@fastify/swagger-ui': '5.2.3',
  '@fastify/type-provider-typebox': '5.2.0',
  '@sinclair/typebox': '0.34.41',
  '@node-rs/argon2': '2.0.2',
  bullmq: '5.61.0',
  ioredis: '5.8.1',
  helmet: '8.3.0',
  pg: '8.16.3',
  'node-pg-migrate': '8.0.3',
  pino: '9.13.1',
  'prom-client': '15.1.3',
  zod: '4.1.12',
};

export const DEV_DEPENDENCIES = {
  typescript: '5.9.3',
  tsx: '4.20.6',
  vitest: '4.1.12',
  '@types/node': '20.19.25',
  '@types/pg': '8.15.5',
  autocannon: '8.0.0',
  '@types/autocannon': '7.12.7',
  eslint: '9.38.0',
  '@eslint/js': '9.38.0',
  'typescript-eslint': '8.46.2',
  prettier: '3.6.2',
};
