/**
 * A tiny `sql` tagged template: every interpolated value becomes a $n parameter, so query text is
 * never built from data. Fragments nest (their parameters are renumbered), `sql.join` combines
 * fragments, and `sql.raw` inserts constant SQL text — only ever call it with a string literal.
 *
 * A fragment has `text` and `values`, so it can be passed straight to pg: `db.query(sql\`...\`)`.
 */
export class SqlFragment {
  readonly text: string;
  readonly values: unknown[];

  constructor(
    readonly strings: readonly string[],
    readonly params: readonly unknown[],
  ) {
    let text = strings[0] ?? '';
    params.forEach((_, i) => {
      text += `$${i + 1}${strings[i + 1] ?? ''}`;
    });
    this.text = text;
    this.values = [...params];
  }
}

function build(strings: readonly string[], values: readonly unknown[]): SqlFragment {
  const outStrings: string[] = [strings[0] ?? ''];
  const outParams: unknown[] = [];
  values.forEach((value, i) => {
    const next = strings[i + 1] ?? '';
    if (value instanceof SqlFragment) {
      // Splice the nested fragment in: its first string joins ours, its params follow ours.
      outStrings[outStrings.length - 1] += value.strings[0] ?? '';
      value.params.forEach((param, j) => {
        outParams.push(param);
        outStrings.push(value.strings[j + 1] ?? '');
      });
      outStrings[outStrings.length - 1] += next;
    } else {
      outParams.push(value);
      outStrings.push(next);
    }
  });
  return new SqlFragment(outStrings, outParams);
}

export interface SqlTag {
  (strings: TemplateStringsArray, ...values: unknown[]): SqlFragment;
  /** Constant SQL text (identifiers, keywords). Only ever pass a string literal. */
  raw(text: string): SqlFragment;
  /** Fragments separated by `separator` (default ", "). */
  join(fragments: readonly SqlFragment[], separator?: SqlFragment): SqlFragment;
  /** An empty fragment. */
  empty: SqlFragment;
}

export const sql: SqlTag = Object.assign(
  (strings: TemplateStringsArray, ...values: unknown[]) => build(strings, values),
  {
    raw: (text: string) => new SqlFragment([text], []),
    join: (fragments: readonly SqlFragment[], separator: SqlFragment = new SqlFragment([', '], [])) => {
      const parts: SqlFragment[] = [];
      fragments.forEach((fragment, i) => {
        if (i > 0) parts.push(separator);
        parts.push(fragment);
      });
      return build(['', ...parts.map(() => '')], parts);
    },
    empty: new SqlFragment([''], []),
  },
);

/** A JSON value as a jsonb parameter (use with `::jsonb`). pg would turn JS arrays into PostgreSQL arrays. */
export function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
