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
    '_shared/templates/docs/architecture.md.ejs',
    '_shared/templates/src/auth/roles.ts.ejs',
    '_shared/templates/src/db/audit.ts.ejs',
    '_shared/templates/src/db/pool.ts.ejs',
    '_shared/templates/src/modules/[entity]/repository.ts.ejs',
    '_shared/templates/src/modules/[entity]/schemas.ts.ejs',
    '_shared/templates/test/factories/[entity].ts.ejs',
    'monolith-cache/templates/.github/workflows/ci.yml.ejs',
    'monolith-cache/templates/README.md.ejs',
    'monolith-cache/templates/docker-compose.yml.ejs',
    'monolith-cache/templates/eslint.config.js.ejs',
    'monolith-cache/templates/monitoring/alerts.yml.ejs',
    'monolith-cache/templates/monitoring/grafana/dashboards/api.json.ejs',
    'monolith-cache/templates/monitoring/prometheus.yml.ejs',
    'monolith-cache/templates/package.json.ejs',
    'monolith-cache/templates/scripts/load-test.ts.ejs',
    'monolith-cache/templates/src/app.ts.ejs',
    'monolith-cache/templates/src/auth/auth.ts.ejs',
    'monolith-cache/templates/src/auth/create-user.ts.ejs',
    'monolith-cache/templates/src/auth/routes.ts.ejs',
    'monolith-cache/templates/src/config.ts.ejs',
    'monolith-cache/templates/src/db/migrate.ts.ejs',
    'monolith-cache/templates/src/db/migrations.ts.ejs',
    'monolith-cache/templates/src/http/problem.ts.ejs',
    'monolith-cache/templates/src/jobs/[job].ts.ejs',
    'monolith-cache/templates/src/jobs/definitions.ts.ejs',
    'monolith-cache/templates/src/jobs/job-runs.ts.ejs',
    'monolith-cache/templates/src/jobs/queues.ts.ejs',
    'monolith-cache/templates/src/jobs/routes.ts.ejs',
    'monolith-cache/templates/src/jobs/worker-runtime.ts.ejs',
    'monolith-cache/templates/src/modules/[entity]/routes.ts.ejs',
    'monolith-cache/templates/src/modules/[entity]/service.ts.ejs',
    'monolith-cache/templates/src/modules/index.ts.ejs',
    'monolith-cache/templates/src/observability/metrics.ts.ejs',
    'monolith-cache/templates/test/integration/[entity].test.ts.ejs',
    'monolith-cache/templates/test/integration/jobs/[job].test.ts.ejs',
    'monolith-cache/templates/test/integration/platform.test.ts.ejs',
    'monolith-cache/templates/test/integration/reliability.test.ts.ejs',
    'monolith-cache/templates/test/support/app.ts.ejs',
    'monolith-cache/templates/test/unit/config.test.ts.ejs',
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
  // Markdown (proseWrap "preserve") and YAML-like prose are never wrapped by prettier: width is no signal there.
  if (file.endsWith('.md')) return true;
  let known: Set<string> | undefined;
  for (const line of text.split('\n')) {
    if (line.length <= printWidth / 2 || line.length + (line.match(WIDE)?.length ?? 0) <= printWidth) continue;
    // A long line the template prints literally (SQL in a template string, a URL) was certified as it is,
    // and so is a YAML `key: 'quoted scalar'` (prettier never folds a quoted scalar with proseWrap preserve).
    if (/\.ya?ml$/.test(file) && /^\s*(- )?[\w.-]+: '([^']|'')*'$/.test(line)) continue;
    known ??= new Set(template.split('\n'));
    if (!known.has(line)) return false;
  }
  return true;
}

/**
 * What a certified template's file is written as without prettier, or undefined when prettier must format it:
 * Markdown tables aligned (alignMarkdownTables), then the guard.
 */
export function withoutPrettier(file: string, text: string, printWidth: number, template = ''): string | undefined {
  let out: string | undefined = text;
  // A backslash escape (esc.markdown's, from spec text): prettier drops the ones it finds unnecessary
  // (`\*` it keeps, and the README template prints a lone `*` that way).
  if (file.endsWith('.md')) out = withoutFences(text).replaceAll('\\*', '').includes('\\') ? undefined : alignMarkdownTables(text);
  return out !== undefined && looksFormatted(file, out, printWidth, template) ? out : undefined;
}

/** Markdown without its fenced code blocks (prettier prints their content as written). */
function withoutFences(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/**
 * Markdown tables laid out as prettier lays them out (proseWrap "preserve": always aligned): every cell
 * padded to its column's width (at least 3, the delimiter's `---`), delimiters as wide as the column with
 * their alignment colons. A table prettier would print differently in a way this cannot see returns
 * undefined (prettier formats the file): a cell with inline markup prettier may rewrite (emphasis, escapes,
 * HTML, entities) outside code spans, a character whose display width is not one column, rows of unequal
 * length.
 */
export function alignMarkdownTables(text: string): string | undefined {
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  let inFence = false;
  while (i < lines.length) {
    const line = lines[i]!;
    if (/^(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence || !line.startsWith('|') || !/^\|(\s*:?-+:?\s*\|)+\s*$/.test(lines[i + 1] ?? '')) {
      out.push(line);
      i++;
      continue;
    }
    const block: string[] = [];
    while (i < lines.length && lines[i]!.startsWith('|')) block.push(lines[i++]!);
    const table = alignTable(block);
    if (table === undefined) return undefined;
    out.push(...table);
  }
  return out.join('\n');
}

function alignTable(block: string[]): string[] | undefined {
  const rows = block.map(splitRow);
  if (rows.some((r) => r === undefined || r.length !== rows[0]!.length)) return undefined;
  const cells = rows as string[][];
  const align = cells[1]!.map((d) => (d.startsWith(':') && d.endsWith(':') ? 'center' : d.endsWith(':') ? 'right' : d.startsWith(':') ? 'left' : 'none'));
  const body = [cells[0]!, ...cells.slice(2)];
  for (const row of body) for (const cell of row) if (!plainCell(cell)) return undefined;
  const widths = align.map((_, c) => Math.max(3, ...body.map((r) => r[c]!.length)));
  const pad = (cell: string, c: number) => {
    const space = widths[c]! - cell.length;
    if (align[c] === 'right') return ' '.repeat(space) + cell;
    if (align[c] === 'center') return ' '.repeat(Math.floor(space / 2)) + cell + ' '.repeat(space - Math.floor(space / 2));
    return cell + ' '.repeat(space);
  };
  const delimiter = (c: number) => {
    const w = widths[c]!;
    if (align[c] === 'center') return `:${'-'.repeat(w - 2)}:`;
    if (align[c] === 'right') return `${'-'.repeat(w - 1)}:`;
    if (align[c] === 'left') return `:${'-'.repeat(w - 1)}`;
    return '-'.repeat(w);
  };
  const print = (row: string[]) => `| ${row.join(' | ')} |`;
  return [print(cells[0]!.map(pad)), print(align.map((_, c) => delimiter(c))), ...cells.slice(2).map((r) => print(r.map(pad)))];
}

/** The trimmed cells of `| a | b |`; a `\|` inside a cell is not a separator. */
function splitRow(line: string): string[] | undefined {
  const trimmed = line.trimEnd();
  if (!trimmed.endsWith('|') || trimmed.endsWith('\\|')) return undefined;
  return trimmed
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/**
 * Text prettier prints as it is and whose width is its length: printable ASCII and a few one-column
 * symbols; outside code spans no backslash escape, image, strikethrough, HTML tag, entity or double space
 * (links and URLs of the generator's own references are printed as written). Spec text reaches a cell
 * through esc.markdown, which backslash-escapes every markup character, so a spec can only produce a cell
 * this refuses. Emphasis and `_` inside words are printed as written: the fixed-point test holds that for
 * the generator's own text.
 */
function plainCell(cell: string): boolean {
  if (!/^[\x20-\x7e\u00b7\u00d7\u2014\u2013\u2026\u2190-\u2193\u2264\u2265\u2248\u2260\u2713\u2717]*$/.test(cell)) return false;
  const outsideCode = cell.replace(/`[^`]*`/g, 'code').replaceAll('\\*', 'star');
  if (outsideCode.includes('`')) return false;
  // A `*` that is not part of `**strong**` is escaped by prettier.
  return !/\\|\*|!\[|~~|\s{2}|<[A-Za-z/!?]|&[#A-Za-z0-9]+;/.test(outsideCode.replace(/\*\*[^*\s][^*]*\*\*/g, 'strong'));
}
