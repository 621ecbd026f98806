/**
 * Spectral with the `spectral:oas` and OWASP API Security Top 10 rulesets, run in-process on an OpenAPI
 * document (the one a generated API serves at /docs/json). The rulesets are devDependencies of this
 * repository, pinned; nothing is fetched from the network.
 *
 * No rule is overridden: every finding is fixed in the generator's plan and templates. (Rules about
 * `servers` do not fire: a generated backend does not know the public host it will run behind, so the
 * document declares none.)
 */
import spectralCore from '@stoplight/spectral-core';
import spectralParsers from '@stoplight/spectral-parsers';
import spectralRulesets from '@stoplight/spectral-rulesets';
import owasp from '@stoplight/spectral-owasp-ruleset';
import { execa } from 'execa';
import { freePort } from '../../generators/servers/throwaway.js';
import { freshDatabase } from './servers.js';

const { Document, Spectral } = spectralCore;

export interface SpectralFinding {
  code: string;
  message: string;
  path: string;
  severity: 'error' | 'warning' | 'info' | 'hint';
}

const SEVERITIES = ['error', 'warning', 'info', 'hint'] as const;

export async function lintOpenApi(document: unknown): Promise<SpectralFinding[]> {
  const spectral = new Spectral();
  spectral.setRuleset({ extends: [spectralRulesets.oas, owasp] as never });
  const results = await spectral.run(new Document(JSON.stringify(document, null, 2), spectralParsers.Json));
  return results.map((r) => ({
    code: String(r.code),
    message: r.message,
    path: r.path.join('.'),
    severity: SEVERITIES[r.severity] ?? 'hint',
  }));
}

/** "12 × owasp:api4:2023-string-limit" lines, most frequent first: a readable failure message. */
export function summarize(findings: SpectralFinding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(`${f.severity} ${f.code}`, (counts.get(`${f.severity} ${f.code}`) ?? 0) + 1);
  const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} × ${k}`);
  const examples = findings.slice(0, 15).map((f) => `  ${f.severity} ${f.code} at ${f.path}: ${f.message}`);
  return [...lines, 'first findings:', ...examples].join('\n');
}

/**
 * The OpenAPI document a built container API (the monolith's, and the hybrid's container half) serves:
 * its migrations applied to a fresh database, `node dist/server.js` started on free ports, GET
 * `documentPath` once /health/ready answers 200, then SIGTERM — the process must exit 0 (a graceful stop).
 * Run `npm run build` in the project first.
 */
export async function servedApiDocument(dir: string, options: { env?: Record<string, string>; documentPath?: string } = {}): Promise<unknown> {
  const env = {
    ...process.env,
    DATABASE_URL: await freshDatabase('served_openapi'),
    JWT_SECRET: 'spectral-secret-that-is-at-least-32-characters',
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...options.env,
  };
  const migrated = await execa('node', ['dist/db/migrate.js'], { cwd: dir, env, reject: false, all: true });
  if (migrated.exitCode !== 0) throw new Error(`npm run migrate failed:\n${migrated.all}`);
  const port = String(await freePort());
  const server = execa('node', ['dist/server.js'], { cwd: dir, env: { ...env, PORT: port, METRICS_PORT: String(await freePort()), HOST: '127.0.0.1' }, reject: false, all: true });
  let document: unknown;
  try {
    const deadline = Date.now() + 30_000;
    while ((await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.status, () => 0)) !== 200) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the API was not ready on port ${port} within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const response = await fetch(`http://127.0.0.1:${port}${options.documentPath ?? '/docs/json'}`);
    if (!response.ok) throw new Error(`GET ${options.documentPath ?? '/docs/json'} → ${response.status}`);
    document = await response.json();
  } finally {
    server.kill('SIGTERM');
    const exited = await server;
    if (exited.exitCode !== 0 && document !== undefined) throw new Error(`the API did not stop cleanly on SIGTERM (exit ${exited.exitCode}):\n${exited.all}`);
    if (document === undefined) process.stderr.write(`the API's output:\n${exited.all}\n`);
  }
  return document;
}
