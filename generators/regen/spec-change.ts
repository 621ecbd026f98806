/**
 * The changes `add` makes to a spec, built from flags (or prompts, or a fragment file). New spec =
 * old spec + change, then validated by the same spec validation as `new`; an error names the flag.
 */
import { FIELD_TYPES, specSchema, type FieldSpec, type Spec, type SpecInput } from '../domain/schema.js';
import { InvalidInputError, UserError, type InputIssue } from '../core/errors.js';
import { blueprintSpecIssues, validateSpecMeaning, type BlueprintFacts } from '../domain/validate.js';
import { formatPath } from '../domain/located.js';

type FieldInput = NonNullable<SpecInput['entities'][string]['fields']>[string];
type AccessInput = NonNullable<SpecInput['entities'][string]['access']>[number];
type EntityInput = SpecInput['entities'][string];

/** Where a part of the new spec came from, so that a validation issue names the flag that caused it. */
export interface Origin {
  /** Spec path prefix, e.g. ["entities", "invoice", "fields", "number"]. */
  path: (string | number)[];
  /** e.g. `--field "number:string"` */
  source: string;
}

export interface SpecChange {
  /** Human description: "add resource invoice". */
  title: string;
  apply(spec: Spec): SpecInput;
  origins: Origin[];
  /** How the caller names the input in errors when no origin matches, e.g. "add resource invoice". */
  label: string;
}

/** Validates new spec input exactly like `new` does; issues carry the flag they came from. */
export function validateChangedSpec(input: SpecInput, change: Pick<SpecChange, 'origins' | 'label'>, blueprint?: BlueprintFacts): Spec {
  const located = (path: readonly PropertyKey[]): InputIssue['file'] => {
    let best: Origin | undefined;
    for (const origin of change.origins) {
      if (origin.path.every((seg, i) => String(path[i]) === String(seg)) && (!best || origin.path.length > best.path.length)) best = origin;
    }
    return best ? best.source : change.label;
  };
  const parsed = specSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidInputError(
      'change',
      parsed.error.issues.map((issue) => ({
        file: located(issue.path),
        path: formatPath(issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path),
        message: issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message,
      })),
    );
  }
  // The project's blueprint refuses its own tables, routes and identifiers, located to the flag like the rest.
  const issues = [...validateSpecMeaning(parsed.data), ...(blueprint ? blueprintSpecIssues(parsed.data, blueprint) : [])].map((i) => {
    const segments = i.path.split(/\.|\[|\]/).filter(Boolean).map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
    return { ...i, file: located(segments), path: formatPath(segments) };
  });
  if (issues.length > 0) throw new InvalidInputError('change', issues);
  return parsed.data;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * `--field name:type[:option…]`, options: ref=ENTITY, optional, unique, max=N, min=N,
 * values=a|b|c, default=V, on-delete=restrict|cascade|set-null.
 */
export function parseFieldFlag(flag: string): [string, FieldInput] {
  const bad = (why: string): never => {
    throw new UserError(`--field "${flag}": ${why}`, {
      hint: 'Format: --field NAME:TYPE[:ref=ENTITY][:optional][:unique][:max=N][:min=N][:values=a|b][:default=V], e.g. --field customer_id:uuid:ref=customer',
    });
  };
  const [name, type, ...options] = flag.split(':');
  if (!name) bad('missing the field name');
  if (!type) bad(`missing the type; one of ${FIELD_TYPES.join(', ')}`);
  if (!(FIELD_TYPES as readonly string[]).includes(type!)) bad(`unknown type "${type}"; one of ${FIELD_TYPES.join(', ')}`);
  const field: Record<string, unknown> = { type };
  for (const option of options) {
    const [key, ...rest] = option.split('=');
    const value = rest.join('=');
    const number = () => {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) bad(`${key}= needs a number, got "${value}"`);
      return n;
    };
    switch (key) {
      case 'ref':
      case 'references':
        if (!value) bad('ref= needs an entity name');
        field.references = value;
        break;
      case 'optional':
      case 'unique':
        if (rest.length) bad(`"${key}" takes no value`);
        field[key] = true;
        break;
      case 'max':
      case 'min':
      case 'precision':
      case 'scale':
        field[key] = number();
        break;
      case 'values':
        field.values = value.split(/[|,]/).filter(Boolean);
        break;
      case 'default':
        field.default = type === 'boolean' ? value === 'true' : ['integer', 'bigint', 'decimal'].includes(type!) && value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
        break;
      case 'on-delete':
      case 'onDelete':
        field.onDelete = value;
        break;
      default:
        bad(`unknown option "${option}"`);
    }
  }
  return [name!, field as FieldInput];
}

/** `--access cols:order-dir`, e.g. `customer_id:created_at-desc`, `status,owner_id:updated_at-asc`, `:amount_cents-desc`, `customer_id`. */
export function parseAccessFlag(flag: string): AccessInput {
  const [cols = '', order, ...extra] = flag.split(':');
  if (extra.length) throw new UserError(`--access "${flag}": expected COLUMNS[:ORDER], e.g. customer_id:created_at-desc`);
  const where = cols.split(',').map((c) => c.trim()).filter(Boolean);
  const pattern: AccessInput = { where };
  if (order) pattern.order = parseOrder(order);
  return pattern;
}

/** "created_at-desc" / "created_at desc" / "created_at" → "created_at desc" etc. */
export function parseOrder(order: string): string {
  const m = order.trim().match(/^([a-z][a-z0-9_]*)(?:[- ](asc|desc))?$/);
  if (!m) return order; // the spec validation explains what is expected
  return m[2] ? `${m[1]} ${m[2]}` : m[1]!;
}

export interface ResourceOptions {
  fields: string[];
  access: string[];
  softDelete?: boolean;
  description?: string;
  /** A spec fragment: either an entity body ({fields, access, …}) or {entities: {…}, jobs: {…}}. */
  fragment?: { file: string; value: unknown };
  /** The service (bounded context) that owns it, when the spec groups entities into `services:`. */
  service?: string;
}

export function addResourceChange(name: string, options: ResourceOptions): SpecChange {
  const origins: Origin[] = [];
  const label = `add resource ${name}`;
  let entity: EntityInput | undefined;
  let extra: { entities?: Record<string, EntityInput>; jobs?: Record<string, unknown> } | undefined;
  if (options.fragment) {
    const v = options.fragment.value;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError(`${options.fragment.file}: expected a mapping (an entity, or {entities, jobs})`);
    if ('entities' in v || 'jobs' in v) {
      extra = v as typeof extra;
      origins.push({ path: [], source: options.fragment.file });
    } else {
      entity = v as EntityInput;
      origins.push({ path: ['entities', name], source: options.fragment.file });
    }
  }
  if (!extra) {
    entity ??= { fields: {} };
    const fields: Record<string, FieldInput> = { ...(entity.fields ?? {}) };
    for (const flag of options.fields) {
      const [fieldName, field] = parseFieldFlag(flag);
      if (fieldName in fields) throw new UserError(`--field "${flag}": the field "${fieldName}" is given twice`);
      fields[fieldName] = field;
      origins.push({ path: ['entities', name, 'fields', fieldName], source: `--field "${flag}"` });
    }
    const access = [...(entity.access ?? [])];
    for (const flag of options.access) {
      origins.push({ path: ['entities', name, 'access', access.length], source: `--access "${flag}"` });
      access.push(parseAccessFlag(flag));
    }
    entity = { ...entity, fields, access };
    if (options.softDelete) entity.softDelete = true;
    if (options.description) entity.description = options.description;
    if (Object.keys(fields).length === 0)
      throw new UserError(`add resource ${name}: no fields. Pass --field NAME:TYPE (repeatable), or --spec-fragment FILE.`, {
        hint: 'e.g. backend-arch add resource invoice --field number:string --field amount_cents:integer --field customer_id:uuid:ref=customer',
      });
  }
  return {
    title: label,
    label,
    origins,
    apply(spec) {
      const next = clone(spec) as SpecInput;
      if (extra) {
        for (const key of Object.keys(extra.entities ?? {}))
          if (key in next.entities) throw new UserError(`${options.fragment!.file}: the entity "${key}" already exists; use \`backend-arch update\` to change it`);
        for (const key of Object.keys(extra.jobs ?? {}))
          if (next.jobs && key in next.jobs) throw new UserError(`${options.fragment!.file}: the job "${key}" already exists`);
        next.entities = { ...next.entities, ...(extra.entities ?? {}) };
        next.jobs = { ...(next.jobs ?? {}), ...((extra.jobs ?? {}) as SpecInput['jobs']) };
        return next;
      }
      if (name in next.entities)
        throw new UserError(`The resource "${name}" already exists in this project.`, {
          hint: 'To change it, edit its entry under "spec" in .backend-arch/manifest.json (or pass --spec FILE) and run `backend-arch update`; to add an index, `backend-arch add index`.',
        });
      next.entities[name] = entity!;
      if (options.service !== undefined) {
        if (!next.services)
          throw new UserError(`add resource ${name} --service ${options.service}: the spec declares no services; its blueprint groups entities itself.`);
        // A new service (a new database and migration stream) when the name is new.
        next.services = { ...next.services, [options.service]: [...(next.services[options.service] ?? []), name] };
        origins.push({ path: ['services', options.service], source: `--service ${options.service}` });
      }
      return next;
    },
  };
}

export interface JobOptions {
  entity: string;
  retries?: number;
  backoffMs?: number;
  timeoutMs?: number;
  description?: string;
}

export function addJobChange(name: string, options: JobOptions): SpecChange {
  const label = `add job ${name}`;
  return {
    title: label,
    label,
    origins: [
      { path: ['jobs', name], source: `add job ${name}` },
      { path: ['jobs', name, 'entity'], source: `--entity "${options.entity}"` },
      { path: ['jobs', name, 'retries'], source: '--retries' },
      { path: ['jobs', name, 'backoffMs'], source: '--backoff-ms' },
      { path: ['jobs', name, 'timeoutMs'], source: '--timeout-ms' },
    ],
    apply(spec) {
      const next = clone(spec) as SpecInput;
      if (next.jobs && name in next.jobs) throw new UserError(`The job "${name}" already exists in this project.`);
      const job: Record<string, unknown> = { entity: options.entity };
      if (options.retries !== undefined) job.retries = options.retries;
      if (options.backoffMs !== undefined) job.backoffMs = options.backoffMs;
      if (options.timeoutMs !== undefined) job.timeoutMs = options.timeoutMs;
      if (options.description) job.description = options.description;
      next.jobs = { ...(next.jobs ?? {}), [name]: job as NonNullable<SpecInput['jobs']>[string] };
      return next;
    },
  };
}

export interface IndexOptions {
  where: string[];
  order?: string;
  description?: string;
}

export function addIndexChange(entity: string, options: IndexOptions): SpecChange {
  const label = `add index ${entity}`;
  return {
    title: `add index on ${entity} (${[options.where.join(', '), options.order].filter(Boolean).join(' / ')})`,
    label,
    origins: [],
    apply(spec) {
      const next = clone(spec) as SpecInput;
      const target = next.entities[entity];
      if (!target)
        throw new UserError(`add index: unknown entity "${entity}"; this project has: ${Object.keys(next.entities).join(', ')}`);
      const access = [...(target.access ?? [])];
      const pattern: AccessInput = { where: options.where };
      if (options.order) pattern.order = parseOrder(options.order);
      if (options.description) pattern.description = options.description;
      this.origins.push(
        { path: ['entities', entity, 'access', access.length], source: `add index ${entity}` },
        { path: ['entities', entity, 'access', access.length, 'where'], source: `--where "${options.where.join(',')}"` },
        { path: ['entities', entity, 'access', access.length, 'order'], source: `--order "${options.order ?? ''}"` },
      );
      access.push(pattern);
      next.entities[entity] = { ...target, access };
      return next;
    },
  };
}

/** `update`: the new spec is given whole (from --spec FILE or the manifest). */
export function replaceSpecChange(spec: Spec, label: string): SpecChange {
  return { title: 'update', label, origins: [], apply: () => clone(spec) as SpecInput };
}

export type { FieldSpec };
