/**
 * Templates certified to print prettier-formatted code: for them prettier at generation is a safety net,
 * not a cost. test/unit/formatted-templates.test.ts renders each one for every spec fixture and the
 * built-in example (with and without the optional features, npm and pnpm), formats the output with the
 * projects' prettier config and fails on any difference; it also fails when a template that is not listed
 * here has become a fixed point (add it).
 *
 * Certification is per blueprint: a _shared template is certified for the plans of the blueprint that the
 * test renders it with, not for another blueprint's. Paths are relative to the built-in blueprints/ folder.
 *
 * A spec can still print something the fixtures did not foresee (a very long name, a quote in a
 * description), so a certified file skips prettier only when `looksFormatted` finds nothing unusual in it.
 */
import path from 'node:path';

export const FORMATTED_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  'monolith-cache': [
    '_shared/templates/src/auth/roles.ts.ejs',
    '_shared/templates/src/db/audit.ts.ejs',
    'monolith-cache/templates/.github/workflows/ci.yml.ejs',
    'monolith-cache/templates/docker-compose.yml.ejs',
    'monolith-cache/templates/monitoring/prometheus.yml.ejs',
    'monolith-cache/templates/scripts/load-test.ts.ejs',
    'monolith-cache/templates/src/app.ts.ejs',
    'monolith-cache/templates/src/auth/routes.ts.ejs',
    'monolith-cache/templates/src/config.ts.ejs',
    'monolith-cache/templates/src/db/migrate.ts.ejs',
    'monolith-cache/templates/src/db/migrations.ts.ejs',
    'monolith-cache/templates/src/jobs/queues.ts.ejs',
    'monolith-cache/templates/src/jobs/routes.ts.ejs',
    'monolith-cache/templates/src/jobs/worker-runtime.ts.ejs',
    'monolith-cache/templates/src/modules/[entity]/routes.ts.ejs',
    'monolith-cache/templates/src/modules/[entity]/service.ts.ejs',
    'monolith-cache/templates/src/modules/index.ts.ejs',
    'monolith-cache/templates/src/observability/metrics.ts.ejs',
    'monolith-cache/templates/test/integration/platform.test.ts.ejs',
  ],
};

/** The certified set for one blueprint, as absolute template paths under `builtInRoot`. */
export function certifiedTemplates(blueprintId: string, builtInRoot: string): Set<string> {
  return new Set((FORMATTED_TEMPLATES[blueprintId] ?? []).map((p) => path.join(builtInRoot, p)));
}

/**
 * The cheap guard: what a certified template can print unformatted only for an input the fixtures did not
 * have. Any line wider than the print width (prettier would break it; an East Asian wide character counts
 * as two columns, as for prettier; an astral one is two UTF-16 units already), a tab, a carriage return, trailing spaces, two blank lines in a
 * row, a missing or doubled final newline, and, in code, an escaped quote (prettier changes the quotes of
 * such a string). A line over the width that the template contains literally is allowed: the certification
 * saw prettier keep it. A file that shows any of them is formatted by prettier like any other.
 * What it cannot see: a line prettier would join because a name is shorter than in any fixture; the test's
 * generated specs with one-letter and 60-letter names stand for those.
 */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g;

export function looksFormatted(file: string, text: string, printWidth: number, template = ''): boolean {
  if (!text.endsWith('\n') || text.endsWith('\n\n') || /[\t\r]|[ ]\n|\n\n\n/.test(text)) return false;
  if (/\.[cm]?[jt]s$/.test(file) && /\\['"`]/.test(text)) return false;
  let known: Set<string> | undefined;
  for (const line of text.split('\n')) {
    if (line.length <= printWidth / 2 || line.length + (line.match(WIDE)?.length ?? 0) <= printWidth) continue;
    // A long line the template prints literally (SQL in a template string, a URL) was certified as it is.
    known ??= new Set(template.split('\n'));
    if (!known.has(line)) return false;
  }
  return true;
}
