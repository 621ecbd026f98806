/**
 * SQL identifiers: which names PostgreSQL reserves, and how to print a name safely.
 * Reserved words are accepted in specs (real domains have `user`, `order`, `group`) and quoted
 * everywhere they appear in generated SQL.
 */

// PostgreSQL reserved key words (SQL Key Words appendix, "reserved" and "reserved (can be function or type)"),
// the ones that cannot be used as a bare table or column name.
const RESERVED = new Set(
  `all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation
column concurrently constraint create cross current_catalog current_date current_role current_schema current_time
current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze
from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit
localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references
returning right select session_user similar some symmetric system_user table tablesample then to trailing true union
unique user using variadic verbose when where window with`.split(/\s+/),
);

export function isReservedWord(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}

/** A safe identifier for generated code: lower snake case, starts with a letter, at most 40 characters. */
export const IDENTIFIER = /^[a-z][a-z0-9_]{0,39}$/;

/** Print an identifier for SQL: bare when possible, double-quoted when it is a reserved word. */
export function quoteIdent(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`internal: unsafe identifier reached SQL printing: ${JSON.stringify(name)}`);
  return isReservedWord(name) ? `"${name}"` : name;
}
