// @ts-check
/**
 * Every dependency a generated serverless project gets, pinned in one map: an upgrade is one diff.
 * wrangler 4.86.x is the last line that runs on Node 20 (4.87+ needs Node 22); workerd ships inside it
 * as a prebuilt binary, so `wrangler dev` runs the real runtime locally. The generated README says
 * which versions a Node 22+ project can move to.
 */
export const DEPENDENCIES = {
  '@sinclair/typebox': '0.34.41',
  pg: '8.16.3',
};

export const DEV_DEPENDENCIES = {
  '@cloudflare/workers-types': '4.20260426.1',
  '@eslint/js': '9.38.0',
  // Spectral (spectral:oas + the OWASP API Security Top 10 ruleset) lints the served OpenAPI document in
  // the project's tests; in-process, nothing fetched.
  '@stoplight/spectral-core': '1.24.1',
  '@stoplight/spectral-owasp-ruleset': '2.0.1',
  '@stoplight/spectral-parsers': '1.0.5',
  '@stoplight/spectral-rulesets': '1.23.1',
  '@types/node': '20.19.25',
  '@types/pg': '8.15.5',
  // verify's dynamic.load-p95 drives the bounded load with it, from the project's own node_modules.
  autocannon: '8.0.0',
  eslint: '9.38.0',
  'node-pg-migrate': '8.0.3',
  prettier: '3.6.2',
  tsx: '4.20.6',
  typescript: '5.9.3',
  'typescript-eslint': '8.46.2',
  vitest: '4.1.12',
  wrangler: '4.86.0',
};

/**
 * With the infra feature: HashiCorp's HCL parser compiled to WebAssembly (no terraform binary, no
 * network; MPL-2.0), which test/infra/terraform.test.ts parses infra/*.tf with.
 */
export const INFRA_DEV_DEPENDENCIES = {
  '@cdktf/hcl2json': '0.21.0',
};
