/**
 * Does an `engines.node` range admit a Node version? The subset of semver ranges packages use there:
 * `||` alternatives of space-separated comparators (`>=`, `>`, `<=`, `<`, `=`, `^`, `~`, bare versions,
 * `x` wildcards). Anything else throws, so an unknown form fails the test loudly instead of passing.
 */
type Version = [number, number, number];

function parse(text: string): Version {
  const m = /^v?(\d+|x|\*)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(text.trim());
  if (!m) throw new Error(`unsupported version "${text}"`);
  return [m[1], m[2], m[3]].map((p) => (p === undefined || p === 'x' || p === '*' ? 0 : Number(p))) as Version;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function satisfies(v: Version, comparator: string): boolean {
  const m = /^(>=|<=|>|<|=|\^|~)?\s*(.+)$/.exec(comparator);
  if (!m) throw new Error(`unsupported comparator "${comparator}"`);
  const [, op = '', rest] = m;
  const parts = rest!.split('.');
  const bound = parse(rest!);
  const c = compare(v, bound);
  switch (op) {
    case '>=': return c >= 0;
    case '>': return c > 0;
    case '<=': return c <= 0;
    case '<': return c < 0;
    case '^': return c >= 0 && (bound[0] > 0 ? v[0] === bound[0] : bound[1] > 0 ? v[0] === 0 && v[1] === bound[1] : compare(v, bound) === 0);
    case '~': return c >= 0 && v[0] === bound[0] && (parts.length < 2 || v[1] === bound[1]);
    default: {
      // A bare or partial version: "20" means 20.x.x, "20.19" means 20.19.x.
      const given = parts.filter((p) => p !== 'x' && p !== '*').length;
      return bound.slice(0, given).every((n, i) => v[i] === n);
    }
  }
}

export function admits(range: string, version: string): boolean {
  const v = parse(version);
  return range.split('||').some((alternative) => {
    const comparators = alternative.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return comparators.length === 0 || comparators.every((c) => (c === '*' || c === 'x' ? true : satisfies(v, c)));
  });
}
