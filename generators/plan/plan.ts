/**
 * spec + answers → Plan. The only place that derives anything a template prints: the core derives the
 * blueprint-neutral domain plan (planDomain), the blueprint's planner adds its parts (planProject).
 */
import type { ResolvedBlueprint } from '../blueprints/contract.js';
import { plannerKit } from '../blueprints/kit.js';
import { ROLES, type EntitySpec, type Role, type Spec } from '../domain/schema.js';
import { quoteIdent } from '../domain/sql-names.js';
import { camelCase, kebabCase, pascalCase, pluralize } from '../domain/words.js';
import { auditColumns, fieldColumn, idColumn, onDeleteSql, tenantColumn } from './columns.js';
import { isTenantScoped } from '../domain/validate.js';
import { entityIndexes, foreignKeyIndex, normalizePattern, sortFor, type NormalizedPattern } from './indexes.js';
import { initialMigration } from './migrations.js';
import type { ColumnPlan, DomainPlan, EntityPlan, FilterPlan, JobPlan, MigrationStreamPlan, Plan, PlanInput, TenancyPlan, ValueSchema } from './types.js';
import { serviceGrouping, type ServiceGrouping } from '../domain/services.js';
import { PACKAGE_MANAGER_COMMANDS } from './package-manager.js';
import { planArchitecture } from './architecture.js';
import { isArchitecture } from '../blueprints/registry.js';
import { InvalidInputError, UserError } from '../core/errors.js';
import { blueprintSpecIssues } from '../domain/validate.js';

export type { PlanInput } from './types.js';

/** The whole plan: the domain plan plus the blueprint's parts, with every migration stream's initial migration. */
export function planProject(input: PlanInput, blueprint: ResolvedBlueprint): Plan {
  if (input.spec.tenancy && !blueprint.manifest.supports.includes('tenancy'))
    throw new UserError(
      `spec tenancy: the ${blueprint.id} blueprint does not generate multi-tenant projects (row-level security, tenant-scoped queries); use a blueprint whose manifest lists "tenancy" in "supports" (all four built-in ones do), or remove tenancy from the spec`,
    );
  const taken = blueprintSpecIssues(input.spec, blueprint);
  if (taken.length > 0) throw new InvalidInputError('spec', taken);
  const domain = planDomain(input, blueprint);
  const parts = blueprint.module.plan({ domain, input, kit: plannerKit, parent: blueprint.parentPlan });
  const { migrationStreams: streamInputs, architectureFacts, ...rest } = parts;
  const ids = new Set<string>();
  const migrationStreams: MigrationStreamPlan[] = streamInputs.map((stream) => {
    if (ids.has(stream.id)) throw new Error(`blueprint ${blueprint.id}: two migration streams with the id "${stream.id}"`);
    ids.add(stream.id);
    const tenantTables = domain.tenancy && stream.tenantTables?.length ? { tenantTables: stream.tenantTables } : {};
    const tenantColumnTables = domain.tenancy && stream.tenantColumnTables?.length ? { tenantColumnTables: stream.tenantColumnTables } : {};
    const tenantBackfill = domain.tenancy && stream.tenantBackfill ? { tenantBackfill: stream.tenantBackfill } : {};
    // Kept for `update` turning tenancy on for an existing project: its migration adds them after the isolation.
    const tenantGrants = domain.tenancy && stream.tenantGrants?.up.length ? { tenantGrants: stream.tenantGrants } : {};
    return { id: stream.id, dir: stream.dir, entities: stream.entities, derivedTables: stream.derivedTables ?? [], ...tenantTables, ...tenantColumnTables, ...tenantBackfill, ...tenantGrants, migrations: [initialMigration(stream, domain.entities, domain.tenancy)] };
  });
  const plan: Plan = { ...domain, ...rest, migrations: migrationStreams[0]?.migrations ?? [], migrationStreams };
  // The decision record (docs/architecture.md) compares the four architectures advise knows; a
  // blueprint that is not one of them gets none.
  if (isArchitecture(plan.blueprint.id)) {
    const merged = plan as Omit<Plan, 'architecture'>;
    plan.architecture = planArchitecture(merged, input.context, input.measured);
    // What only the blueprint knows about its shape (its diagram, how it meets each security item, its
    // scaling steps from the load the estimate gives, how its metrics show the targets) replaces the
    // core's blueprint-neutral defaults.
    if (architectureFacts !== undefined && typeof architectureFacts !== 'function')
      throw new Error(`blueprint ${blueprint.id}: architectureFacts must be a function ({ plan, estimate }) => { diagram?, security?, scalingPath?, targets? }`);
    if (architectureFacts) Object.assign(plan.architecture, architectureFacts({ plan: merged, estimate: plan.architecture.estimate }));
  }
  return plan;
}

export function planDomain(input: PlanInput, blueprint: Pick<ResolvedBlueprint, 'manifest'>): DomainPlan {
  const { spec } = input;
  const order = creationOrder(spec);
  const tenancy = planTenancy(spec, input.name);
  const grouping = serviceGrouping(spec, blueprint.manifest.defaultServices);
  const entities = order.map((name) => planEntity(name, spec.entities[name]!, spec, grouping));
  const jobs = Object.entries(spec.jobs).map(([name, job]): JobPlan => {
    const entity = entities.find((e) => e.name === job.entity)!;
    return {
      name,
      queue: name,
      pascal: pascalCase(name),
      camel: camelCase(name),
      entity: entity.name,
      entityPascal: entity.pascal,
      entityCamel: entity.camel,
      entityModuleDir: entity.moduleDir,
      entityTable: entity.table,
      // A shared entity's job runs with no tenant: it cannot count tenant-owned children (RLS shows none).
      children: entity.tenantScoped ? entity.referencedBy : entity.referencedBy.filter((c) => !isTenantScoped(spec, spec.entities[c.entity]!)),
      description: job.description ?? `Runs ${name} for one ${entity.name} in the worker process.`,
      routePath: `${entity.routePrefix}/:id/jobs/${name}`,
      attempts: job.retries + 1,
      backoffMs: job.backoffMs,
      timeoutMs: job.timeoutMs,
      permissions: entity.permissions.write,
    };
  });
  for (const job of jobs) entities.find((e) => e.name === job.entity)!.jobs.push(job.name);
  const { manifest } = blueprint;
  return {
    generator: { name: 'create-backend-arch', version: input.generatorVersion },
    project: {
      name: input.name,
      description: spec.description ?? `${input.name}: a ${manifest.title.toLowerCase()} backend generated by create-backend-arch`,
      packageManager: input.packageManager,
      commands: PACKAGE_MANAGER_COMMANDS[input.packageManager],
      nodeEngine: '>=20.19',
    },
    blueprint: { id: manifest.id, title: manifest.title },
    features: Object.fromEntries(manifest.features.map((f) => [f.id, input.features === undefined || input.features.includes(f.id)])),
    options: input.options ?? {},
    roles: ROLES,
    tenancy,
    entities,
    jobs,
    spec,
    ...(grouping ? { services: planServices(grouping, order) } : {}),
  };
}

/** The services in the order of their first entity (table-creation order), each with its entities. */
function planServices(grouping: Map<string, string>, order: string[]): NonNullable<DomainPlan['services']> {
  const out = new Map<string, string[]>();
  for (const name of order) {
    const service = grouping.get(name)!;
    out.set(service, [...(out.get(service) ?? []), name]);
  }
  return [...out].map(([name, entities]) => ({ name, entities }));
}

/**
 * The entity's spec as its own database sees it: a reference to another service's entity is a plain
 * uuid field (no foreign key, no parent in this database); kept aside as an external reference.
 */
function localView(name: string, entity: EntitySpec, grouping: ServiceGrouping): { entity: EntitySpec; external: [string, string][] } {
  const service = grouping?.get(name);
  if (service === undefined) return { entity, external: [] };
  const external: [string, string][] = [];
  const fields = Object.fromEntries(
    Object.entries(entity.fields).map(([col, field]) => {
      if (!field.references || grouping!.get(field.references) === service) return [col, field];
      external.push([col, field.references]);
      const { references: _references, onDelete: _onDelete, ...plain } = field;
      return [col, plain];
    }),
  );
  return { entity: { ...entity, fields }, external };
}

/** The tenancy settings, or null without `tenancy` in the spec. */
function planTenancy(spec: Spec, projectName: string): TenancyPlan | null {
  if (!spec.tenancy) return null;
  const column = spec.tenancy.column;
  const setting = 'app.tenant_id';
  // One role per project (roles are cluster-wide); a plain lower-case identifier within 63 bytes.
  const base = projectName.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^[^a-z]+/, '');
  return {
    column,
    columnSql: quoteIdent(column),
    claim: 'tenant',
    setting,
    // NULLIF: once a session has used the setting, an unset value reads as '' (and ''::uuid would fail).
    policySql: `${quoteIdent(column)} = NULLIF(current_setting('${setting}', true), '')::uuid`,
    role: `${(base || 'app').slice(0, 50)}_tenant_app`,
  };
}

function planEntity(name: string, declared: EntitySpec, spec: Spec, grouping?: ServiceGrouping): EntityPlan {
  const { entity, external } = localView(name, declared, grouping);
  const service = grouping?.get(name);
  const table = quoteIdent(name);
  const plural = pluralize(name);
  const routePrefix = `/${kebabCase(plural)}`;
  const tenantScoped = isTenantScoped(spec, entity);
  const tenant = tenantScoped ? spec.tenancy!.column : null;
  /** A reference between two tenant-owned tables carries the tenant: (tenant, column) → parent (tenant, id). */
  const composite = (parent: string) => tenantScoped && isTenantScoped(spec, spec.entities[parent]!);
  const fields = Object.entries(entity.fields).map(([fieldName, field]) =>
    fieldColumn(fieldName, field, {
      softDelete: entity.softDelete,
      ...(field.references && !composite(field.references) ? { referencedTable: quoteIdent(field.references) } : {}),
      ...(tenantScoped ? { tenantScoped } : {}),
    }),
  );
  const tableConstraints = Object.entries(entity.fields)
    .filter(([, f]) => f.references && composite(f.references))
    .map(([col, f]) => {
      const t = quoteIdent(tenant!);
      // SET NULL names its column (PostgreSQL 15+): the tenant column is never nulled.
      const onDelete = onDeleteSql(f) === 'SET NULL' ? `SET NULL (${quoteIdent(col)})` : onDeleteSql(f);
      return `FOREIGN KEY (${t}, ${quoteIdent(col)}) REFERENCES ${quoteIdent(f.references!)} (${t}, id) ON DELETE ${onDelete}`;
    });
  // Children in the same database only: a reference from another service is no foreign key (localView).
  const scopedChildren = tenantScoped
    ? Object.entries(spec.entities)
        .filter(([childName, child]) => grouping?.get(childName) === service && isTenantScoped(spec, child) && Object.values(child.fields).some((f) => f.references === name))
        .map(([childName]) => childName)
    : [];
  const scopedParents = new Set(Object.values(entity.fields).flatMap((f) => (f.references && composite(f.references) ? [f.references] : [])));
  const columns = [idColumn(), ...(tenant ? [tenantColumn(tenant)] : []), ...fields, ...auditColumns(entity.softDelete)];
  const byName = new Map(columns.map((c) => [c.name, c]));
  const patterns = entity.access.map((p) => normalizePattern(p, entity));
  const sortKeys = new Map<string, ReturnType<typeof sortFor>>();
  for (const order of [{ column: 'created_at', direction: 'desc' as const, nullable: false }, ...patterns.map((p) => p.order)]) {
    const sort = sortFor(order, byName.get(order.column)!.sqlType);
    if (!sortKeys.has(sort.key)) sortKeys.set(sort.key, sort);
  }
  const invalidField = fields.find((f) => f.fieldType !== 'json') ?? fields[0]!;
  return {
    name,
    pascal: pascalCase(name),
    camel: camelCase(name),
    plural,
    pluralPascal: pascalCase(plural),
    pluralCamel: camelCase(plural),
    description: entity.description ?? '',
    table,
    tableName: name,
    routePrefix,
    moduleDir: kebabCase(name),
    softDelete: entity.softDelete,
    appendOnly: entity.appendOnly,
    uniques: entity.unique,
    tenantScoped,
    tableConstraints,
    cacheTtl: entity.cacheTtl,
    permissions: entity.permissions,
    forbiddenWriteRole: forbiddenWriteRole(entity.permissions),
    columns,
    fields,
    references: Object.entries(entity.fields)
      .filter(([, f]) => f.references)
      .map(([col, f]) => ({
        tenantScoped: composite(f.references!),
        column: col,
        columnSql: quoteIdent(col),
        entity: f.references!,
        entityPascal: pascalCase(f.references!),
        entityModuleDir: kebabCase(f.references!),
        table: quoteIdent(f.references!),
        onDelete: onDeleteSql(f),
        nullable: f.optional,
        parentSoftDelete: spec.entities[f.references!]?.softDelete === true,
      })),
    referencedBy: Object.entries(spec.entities).flatMap(([childName, child]) =>
      Object.entries(child.fields)
        .filter(([, f]) => f.references === name && grouping?.get(childName) === grouping?.get(name))
        .map(([col]) => ({ entity: childName, table: quoteIdent(childName), column: quoteIdent(col) })),
    ),
    indexes: [
      ...entityIndexes(name, entity, table, routePrefix, { column: tenant, scopedParents, scopedChildren }),
      // A cross-service id is still looked up (and joined to the read model): indexed, without a foreign key.
      ...external
        .filter(([col]) => entity.softDelete || !entity.access.some((p) => p.where[0] === col))
        .map(([col, parent]) => ({
          ...foreignKeyIndex(name, table, col, parent),
          serves: `the cross-service reference ${name}.${col} → ${parent}.id (owned by the ${grouping!.get(parent)} service, no foreign key across databases): ${name} rows by ${parent}`,
        })),
    ],
    filters: listFilters(patterns, byName),
    sorts: [...sortKeys.values()],
    jobs: [],
    invalidBodyJson: JSON.stringify({ [invalidField.name]: { not: 'a valid value' } }),
    ...(service === undefined
      ? {}
      : {
          service,
          externalReferences: external.map(([col, parent]) => ({
            column: col,
            columnSql: quoteIdent(col),
            entity: parent,
            entityPascal: pascalCase(parent),
            service: grouping!.get(parent)!,
            nullable: entity.fields[col]!.optional,
          })),
        }),
  };
}

/**
 * The list filters, from the access patterns: equality on a `where` column (`?status=active`), and
 * `?returned_at=null` / `?returned_at=!null` on a column an access pattern checks for NULL.
 */
function listFilters(patterns: NormalizedPattern[], byName: Map<string, ColumnPlan>): FilterPlan[] {
  const names = [...new Set(patterns.flatMap((p) => [...p.where, ...p.nullChecks.map((c) => c.column)]))];
  return names.map((name) => {
    const column = byName.get(name)!;
    const equality = patterns.some((p) => p.where.includes(name));
    const nullCheck = patterns.some((p) => p.nullChecks.some((c) => c.column === name));
    const nullLiterals: ValueSchema[] = [{ const: 'null' }, { const: '!null' }];
    // Every member a bounded string: say so on the union too (OWASP's rules read the union itself: without
    // `type` a *_id parameter may be numeric, a string without maxLength is unbounded).
    const valueMax = column.schema.maxLength ?? NaN;
    const bounded = !equality || (column.schema.type === 'string' && Number.isFinite(valueMax));
    const filterSchema: ValueSchema = !nullCheck
      ? column.schema
      : {
          anyOf: [...(equality ? [column.schema] : []), ...nullLiterals],
          ...(bounded ? { type: 'string' as const, maxLength: Math.max('!null'.length, equality ? valueMax : 0) } : {}),
          description: `${equality ? 'a value, or ' : ''}null (IS NULL) or !null (IS NOT NULL)`,
        };
    return { ...column, equality, nullCheck, filterSchema };
  });
}

/** A role that can read but not write: the wrong-role (403) case in the generated tests. */
function forbiddenWriteRole(permissions: { read: Role[]; write: Role[] }): Role | null {
  return permissions.read.find((r) => !permissions.write.includes(r)) ?? ROLES.find((r) => !permissions.write.includes(r)) ?? null;
}

/** Referenced entities before the entities that reference them (validate.ts rejects cycles). */
function creationOrder(spec: Spec): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  const visit = (name: string) => {
    if (done.has(name)) return;
    done.add(name);
    for (const field of Object.values(spec.entities[name]!.fields)) {
      if (field.references && field.references !== name) visit(field.references);
    }
    order.push(name);
  };
  Object.keys(spec.entities).forEach(visit);
  return order;
}
