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
