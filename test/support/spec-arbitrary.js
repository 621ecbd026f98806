// fast-check arbitraries for domain specs (plain JS: used by the property test under vitest and by the
// fuzz script under node).
//
//   validSpec     specs built to be valid: every type with its options, defaults inside their bounds,
//                 references to earlier entities (a DAG) and to themselves, access patterns on real
//                 columns, jobs, soft delete, names that are SQL or JavaScript reserved words. A few are
//                 still refused by the validator (a random collision): the property test only keeps
//                 the accepted ones, which is the point — accepted ⇒ compiles and migrates.
//   hostileSpec   anything: a valid spec mutated at random (wrong types, unknown keys, huge or negative
//                 numbers, odd strings and names), or raw text (YAML fragments, deep nesting, aliases).
import fc from 'fast-check';

const WORDS = ['team', 'project', 'task', 'invoice', 'line', 'note', 'tag', 'box', 'city', 'status', 'entry', 'person', 'category', 'address', 'batch'];
// Names that must be quoted in SQL or are keywords in JavaScript/TypeScript; all valid spec names.
const RESERVED = ['user', 'order', 'group', 'select', 'table', 'default', 'class', 'delete', 'new', 'function', 'return', 'enum', 'interface', 'let', 'yield', 'await', 'public', 'package', 'limit', 'offset', 'check', 'primary', 'references', 'window'];
const name = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 1, arbitrary: fc.constantFrom(...RESERVED) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,14}$/) },
);
const text = fc.string({ maxLength: 60, unit: fc.oneof(fc.constantFrom('*/', '--', '\n', "'", '"', '`', '${', '\\', '<', '|', '#'), fc.string({ maxLength: 1, unit: 'grapheme' })) }).map((s) => s.slice(0, 180));

const enumValues = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), { minLength: 1, maxLength: 5 });

/** One field of the given type with type-appropriate options; `refs` are entity names it may reference. */
function fieldOf(type, refs) {
  const common = { optional: fc.boolean(), description: fc.option(text, { nil: undefined }) };
  switch (type) {
    case 'string':
    case 'email':
      return fc.record({ ...common, max: fc.option(fc.integer({ min: 30, max: 500 }), { nil: undefined }), unique: fc.boolean() });
    case 'text':
      return fc.record({ ...common, default: fc.option(text, { nil: undefined }) });
    case 'integer':
      return fc
        .tuple(fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), fc.integer({ min: 0, max: 100_000_000 }), fc.boolean(), fc.boolean(), fc.boolean())
        .chain(([lo, span, withMin, withMax, withDefault]) =>
          fc.record({
            ...common,
            min: fc.constant(withMin ? lo : undefined),
            max: fc.constant(withMax ? Math.min(lo + span, 2_147_483_647) : undefined),
            default: withDefault ? fc.integer({ min: withMin ? lo : -2_147_483_648, max: withMax ? Math.min(lo + span, 2_147_483_647) : 2_147_483_647 }) : fc.constant(undefined),
            unique: fc.boolean(),
          }),
        );
    case 'bigint':
      return fc.record({ ...common, default: fc.option(fc.integer(), { nil: undefined }) });
    case 'decimal':
      return fc.integer({ min: 1, max: 20 }).chain((precision) =>
        fc.integer({ min: 0, max: Math.min(precision, 6) }).chain((scale) =>
          fc.record({
            ...common,
            precision: fc.constant(precision),
            scale: fc.constant(scale),
            min: fc.option(fc.constant(0), { nil: undefined }),
            default: fc.option(fc.integer({ min: 0, max: 10 ** Math.min(precision - scale, 9) - 1 }), { nil: undefined }),
          }),
        ),
      );
    case 'boolean':
      return fc.record({ ...common, default: fc.option(fc.boolean(), { nil: undefined }) });
    case 'uuid':
      return refs.length === 0
        ? fc.record({ ...common, unique: fc.boolean() })
        : fc.constantFrom(...refs).chain((ref) =>
            fc.oneof(
              fc.record({ description: common.description, optional: fc.constant(false), references: fc.constant(ref), onDelete: fc.constantFrom('restrict', 'cascade') }),
              fc.record({ description: common.description, optional: fc.constant(true), references: fc.constant(ref), onDelete: fc.constant('set-null') }),
            ),
          );
    case 'timestamp':
    case 'date':
      return fc.record({ ...common, default: fc.option(fc.constant('now'), { nil: undefined }) });
    case 'enum':
      return enumValues.chain((values) => fc.record({ ...common, values: fc.constant(values), default: fc.option(fc.constantFrom(...values), { nil: undefined }) }));
    case 'json':
      return fc.record(common);
    default:
      throw new Error(`no arbitrary for ${type}`);
  }
}

const TYPES = ['string', 'text', 'email', 'integer', 'bigint', 'decimal', 'boolean', 'uuid', 'timestamp', 'date', 'enum', 'json'];

/** Drops undefined values (the YAML a user writes has no "undefined"). */
function clean(value) {
  if (Array.isArray(value)) return value.map(clean);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, clean(v)]));
  return value;
}

function entityOf(refs, self) {
  return fc
    .uniqueArray(fc.tuple(name, fc.constantFrom(...TYPES)), { minLength: 1, maxLength: 7, selector: ([n]) => n })
    .chain((decls) =>
      fc.tuple(...decls.map(([n, type]) => fieldOf(type, type === 'uuid' ? [...refs, self] : refs).map((f) => [n, { type, ...f }]))),
    )
    .chain((fieldList) => {
      const fields = Object.fromEntries(fieldList);
      const filterable = fieldList.filter(([, f]) => f.type !== 'json').map(([n]) => n);
      const sortable = ['created_at', 'updated_at', ...fieldList.filter(([, f]) => !f.optional && f.type !== 'json').map(([n]) => n)];
      const pattern = fc
        .record({ where: fc.subarray(filterable, { maxLength: Math.min(3, filterable.length) }), order: fc.option(fc.tuple(fc.constantFrom(...sortable), fc.constantFrom('asc', 'desc')), { nil: undefined }), description: fc.option(text, { nil: undefined }) })
        .map((p) => ({ ...p, order: p.order && !p.where.includes(p.order[0]) ? `${p.order[0]} ${p.order[1]}` : undefined }))
        .filter((p) => p.where.length > 0 || p.order !== undefined);
      return fc.record({
        description: fc.option(text, { nil: undefined }),
        softDelete: fc.boolean(),
        fields: fc.constant(fields),
        access: fc.uniqueArray(pattern, { maxLength: 3, selector: (p) => `${p.where.join(',')}|${p.order ?? ''}` }),
        cacheTtl: fc.option(fc.integer({ min: 1, max: 86_400 }), { nil: undefined }),
      });
    });
}

/** A spec meant to be valid (see the header). */
export const validSpec = fc
  .uniqueArray(name, { minLength: 1, maxLength: 4 })
  .chain((names) => fc.tuple(...names.map((n, i) => entityOf(names.slice(0, i), n).map((e) => [n, e]))))
  .chain((entities) =>
    fc.record({
      name: fc.constant('prop-api'),
      description: fc.option(text, { nil: undefined }),
      entities: fc.constant(Object.fromEntries(entities)),
      jobs: fc
        .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.constantFrom(...entities.map(([n]) => n)), fc.integer({ min: 0, max: 20 })), { maxLength: 2, selector: ([n]) => n })
        .map((jobs) => Object.fromEntries(jobs.map(([n, entity, retries]) => [n, { entity, retries }]))),
    }),
  )
  .map(clean);

const odd = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.constant('__proto__'),
  fc.constant('constructor'),
  fc.constant('\u0000'),
  fc.constant(-1),
  fc.constant(2 ** 53 + 1),
  fc.constant(1e308),
  fc.constant(Number.NaN),
  fc.constant([]),
  fc.constant({}),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constantFrom('string', 'uuid', 'enum', 'user', 'now', 'set-null', 'a-b', 'a_b', 'teams', 'static'),
);

/** A path into a value and a replacement: a single mutation. */
function mutate(value, choices) {
  const paths = [];
  const walk = (v, p) => {
    paths.push(p);
    if (v && typeof v === 'object') for (const k of Object.keys(v)) walk(v[k], [...p, k]);
  };
  walk(value, []);
  const [pathPick, replacement, mode] = choices;
  const target = paths[pathPick % paths.length];
  const copy = structuredClone(value);
  if (target.length === 0) return replacement;
  let parent = copy;
  for (const k of target.slice(0, -1)) parent = parent[k];
  const last = target[target.length - 1];
  if (mode === 0) parent[last] = replacement;
  else if (mode === 1) delete parent[last];
  else if (parent && typeof parent === 'object' && !Array.isArray(parent)) parent[typeof replacement === 'string' ? replacement : `k${String(replacement)}`] = replacement;
  return copy;
}

/** Spec text a user (or an attacker) might hand over: a mutated valid spec as YAML/JSON, or raw text. */
export function hostileSpecText(stringify) {
  const mutated = fc
    .tuple(validSpec, fc.array(fc.tuple(fc.nat(), odd, fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([spec, mutations, asJson]) => {
      let value = spec;
      for (const m of mutations) value = mutate(value, m);
      try {
        return asJson ? JSON.stringify(value, null, 2) ?? 'null' : stringify(value);
      } catch {
        return String(value);
      }
    });
  const raw = fc.oneof(
    fc.string({ maxLength: 300, unit: fc.constantFrom('a', ':', ' ', '\n', '\r', '-', '[', ']', '{', '}', '&a', '*a', '!!', '#', "'", '"', '|', '>', '\t', '\u0000', '%', '@', '`') }),
    fc.integer({ min: 1, max: 3000 }).map((n) => `entities: ${'['.repeat(n)}${']'.repeat(n)}\n`),
    fc.integer({ min: 1, max: 400 }).map((n) => `name: x\nentities:\n  t:\n    fields:\n      a: &f { type: string }\n${Array.from({ length: n }, (_, i) => `      f${i}: *f\n`).join('')}`),
    fc.constant('name: x\rentities:\r  t:\r    fields:\r      a: { type: string }\r'),
    fc.constant('\uFEFFname: x\nentities: {}\n'),
  );
  return fc.oneof({ weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: raw });
}
