import ts from 'typescript';
import type { PolicyModel, SchemaModel } from '../../analysis/schema.js';
import { Sources, type SourceFile } from '../../analysis/source.js';
import type { ProjectContext } from '../../context.js';
import { seed, skip, verdict, type Check, type Evidence } from '../../types.js';

/**
 * Multi-tenancy holds in three places, each judged on the project as it is:
 *  - the database: every tenant-owned table (an entity the spec does not share, or a built-in table the
 *    blueprint's migration stream lists in `tenantTables`, e.g. a job-run table) has row-level security
 *    enabled AND forced, and a policy whose USING and WITH CHECK compare the tenant column with a
 *    current_setting(…) — so a query that forgets its tenant still sees only the caller's rows;
 *  - the role the API's queries run as: the application must switch to a role (SET [LOCAL] ROLE, or
 *    set_config('role', …)) that the migrations create without SUPERUSER or BYPASSRLS and that owns no
 *    tenant-owned table — otherwise the policies do not apply to it (the migrating user owns the
 *    tables, and a superuser always bypasses RLS);
 *  - the code: every function in src/ (and in the src/ of a separately deployed part, the plan's
 *    `workerRoot`, e.g. the hybrid's functions/) whose SQL names a tenant-owned table also names the
 *    tenant column (a `tenant = $n` predicate or the tenant in the INSERT's columns), so the query is
 *    scoped in the repository and the policies are the second line, not the only one.
 */
export const tenantIsolation: Check = {
  id: 'schema.tenant-isolation',
  title: 'Tenant-owned tables: RLS enabled and forced with a tenant policy, a role that cannot bypass it, every query scoped to the tenant',
  seed: seed('s004', 'Security & Authentication: implement proper authentication and authorization (tenant isolation, least privilege)'),
  kind: 'static',
  async run({ project }) {
    const tenancy = project.plan.tenancy;
    if (!tenancy) return skip('The spec declares no multi-tenancy');
    const schema = await project.schema();
    const column = tenancy.column;
    // The tables the spec says are tenant-owned, and the built-in tables the blueprint says hold tenant
    // rows (e.g. job runs: a job's result holds its tenant's data), as the migrations left them.
    const owned = [
      ...project.plan.entities.filter((e) => e.tenantScoped).map((e) => ({ name: e.tableName, by: 'in the spec' })),
      ...project.plan.migrationStreams.flatMap((s) => s.tenantTables ?? []).map((name) => ({ name, by: 'by the blueprint (it holds tenant rows)' })),
    ];
    const tables = owned.flatMap((o) => schema.tables.get(o.name) ?? []);
    const problems: Evidence[] = owned
      .filter((o) => !schema.tables.get(o.name)?.columns.has(column))
      .map((o) => ({ text: `${o.name} is tenant-owned ${o.by}, but no migration gives it a ${column} column` }));
    const ok: Evidence[] = [];
    for (const t of tables) {
      const at = { file: t.file, line: t.line };
      if (!t.rowSecurity.enabled) problems.push({ ...(t.rowSecurity.at ?? at), text: `${t.name} is tenant-owned (${column}) but row-level security is not enabled (ALTER TABLE ${t.name} ENABLE ROW LEVEL SECURITY)` });
      if (!t.rowSecurity.forced) problems.push({ ...(t.rowSecurity.at ?? at), text: `${t.name}: row-level security is not FORCEd, so the table's owner (the user that migrates and connects) is not held to it` });
      const policies = [...schema.policies.values()].filter((p) => p.table === t.name);
      const reads = policies.some((p) => ['all', 'select'].includes(p.command) && comparesTenant(p.using, column));
      const writes = policies.some((p) => ['all', 'insert'].includes(p.command) && comparesTenant(p.withCheck ?? (p.command === 'all' ? p.using : null), column));
      if (!reads) problems.push({ ...at, text: `${t.name}: no policy's USING compares ${column} with a current_setting(…) (rows of every tenant are visible)${describePolicies(policies)}` });
      if (!writes) problems.push({ ...at, text: `${t.name}: no policy's WITH CHECK compares ${column} with a current_setting(…) (a row can be written for another tenant)${describePolicies(policies)}` });
      if (t.rowSecurity.enabled && t.rowSecurity.forced && reads && writes) ok.push({ ...at, text: `${t.name}: RLS enabled and forced; policy ${policies.map((p) => p.name).join(', ')}` });
    }

    const code = await applicationCode(project);
    // In SQL text only (string and template literals), never in comments.
    const switched = code.flatMap(({ file, sf }) =>
      sqlLiterals(sf).flatMap((l) =>
        [...l.text.matchAll(/\bSET\s+(?:LOCAL\s+)?ROLE\s+"?([a-z_][a-z0-9_]*)"?|set_config\(\s*'role'\s*,\s*'([a-z_][a-z0-9_]*)'/gi)].map((m) => ({
          file,
          line: sf.getLineAndCharacterOfPosition(l.node.getStart()).line + 1,
          role: (m[1] ?? m[2])!,
        })),
      ),
    );
    if (switched.length === 0)
      problems.push({ text: `nothing in src/ switches to a dedicated role (SET LOCAL ROLE …, or set_config('role', …, true)): the API runs as DATABASE_URL's user, which owns the tables (and may be a superuser), so row-level security is only as good as that user` });
    for (const s of new Map(switched.map((x) => [x.role, x])).values()) problems.push(...roleProblems(schema, s, tables.map((t) => t.name)));
    if (switched.length) ok.push(...switched.slice(0, 1).map((s) => ({ file: s.file, line: s.line, text: `queries run as ${s.role}` })));

    // Permissive policies are OR-ed: one that applies to the API's role (or to every role) without
    // comparing the tenant opens every tenant's rows, whatever the tenant policy says.
    const apiRoles = new Set(['public', ...switched.map((x) => x.role)]);
    for (const t of tables)
      for (const p of schema.policies.values()) {
        if (p.table !== t.name || !p.permissive) continue;
        const role = p.roles.find((r) => apiRoles.has(r));
        if (!role) continue;
        const to = role === 'public' ? 'every role' : role;
        if (['all', 'select'].includes(p.command) && !comparesTenant(p.using, column))
          problems.push({ file: p.file, line: p.line, text: `${t.name}: policy ${p.name} (permissive, for ${to}) shows rows without comparing ${column}: permissive policies are OR-ed, so every tenant's rows are visible to the API` });
        if (['all', 'insert', 'update'].includes(p.command) && !comparesTenant(p.withCheck ?? p.using, column))
          problems.push({ file: p.file, line: p.line, text: `${t.name}: policy ${p.name} (permissive, for ${to}) accepts writes without comparing ${column}: a row can be written for another tenant` });
      }

    const unscoped = unscopedQueries(code, tables.map((t) => t.name), column);
    problems.push(...unscoped);

    return verdict(
      problems,
      { summary: `${tables.length} tenant-owned table(s): RLS enabled and forced with a tenant policy; the API's role cannot bypass it; every query names ${column}`, evidence: ok },
      {
        summary: `${problems.length} tenant isolation problem(s)`,
        fix: `In a new migration: ALTER TABLE <t> ENABLE ROW LEVEL SECURITY; ALTER TABLE <t> FORCE ROW LEVEL SECURITY; CREATE POLICY <t>_tenant_isolation ON <t> USING (${column} = NULLIF(current_setting('${tenancy.setting}', true), '')::uuid) WITH CHECK (…same…). Run tenant transactions as a NOLOGIN role with NOSUPERUSER NOBYPASSRLS that owns no table (SELECT set_config('role', '${tenancy.role}', true), set_config('${tenancy.setting}', $tenant, true) — SET LOCAL both), and give every repository query on a tenant-owned table its \`${column} = $tenant\` predicate.`,
      },
    );
  },
};

type Node = Record<string, any>;

/** Does the expression compare the tenant column with a current_setting(…) call (directly or through casts/NULLIF)? */
function comparesTenant(expr: unknown, column: string): boolean {
  const node = expr as Node | null;
  if (!node) return false;
  if (node.BoolExpr?.boolop === 'AND_EXPR') return (node.BoolExpr.args as Node[]).some((a) => comparesTenant(a, column));
  const e = node.A_Expr;
  if (!e || e.kind !== 'AEXPR_OP' || e.name?.[0]?.String?.sval !== '=') return false;
  const isColumn = (n: Node | undefined) => (n?.ColumnRef?.fields as Node[] | undefined)?.at(-1)?.String?.sval === column;
  return (isColumn(e.lexpr) && readsSetting(e.rexpr)) || (isColumn(e.rexpr) && readsSetting(e.lexpr));
}

function readsSetting(n: unknown): boolean {
  const node = n as Node | null;
  if (!node || typeof node !== 'object') return false;
  if ((node.FuncCall?.funcname as Node[] | undefined)?.at(-1)?.String?.sval === 'current_setting') return true;
  return Object.values(node).some((v) => (Array.isArray(v) ? v.some(readsSetting) : readsSetting(v)));
}

function describePolicies(policies: PolicyModel[]): string {
  return policies.length ? `; policies: ${policies.map((p) => `${p.name} (${p.command})`).join(', ')}` : '; the table has no policy';
}

function roleProblems(schema: SchemaModel, s: { file: string; line: number; role: string }, tenantTables: string[]): Evidence[] {
  const role = schema.roles.get(s.role);
  const where = { file: s.file, line: s.line };
  if (!role) return [{ ...where, text: `the API switches to role ${s.role}, which no migration creates (its attributes cannot be known)` }];
  const out: Evidence[] = [];
  if (role.superuser) out.push({ file: role.file, line: role.line, text: `role ${s.role} (the API's) is a SUPERUSER: row-level security never applies to it` });
  if (role.bypassRls) out.push({ file: role.file, line: role.line, text: `role ${s.role} (the API's) has BYPASSRLS: row-level security does not apply to it` });
  for (const name of tenantTables) {
    const t = schema.tables.get(name)!;
    if (t.owner === s.role) out.push({ file: t.file, line: t.line, text: `role ${s.role} (the API's) owns ${name}: unless forced, RLS does not apply to a table's owner, and an owner can turn it off` });
  }
  return out;
}

/** Every string and template literal under a node, with its text (template expressions as `$`). */
function sqlLiterals(root: ts.Node): { text: string; node: ts.Node }[] {
  const literals: { text: string; node: ts.Node }[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) literals.push({ text: n.text, node: n });
    else if (ts.isTemplateExpression(n)) literals.push({ text: [n.head.text, ...n.templateSpans.map((s) => s.literal.text)].join(' $ '), node: n });
    n.forEachChild(visit);
  };
  visit(root);
  return literals;
}

/**
 * Functions (top-level declarations, and methods) in src/ whose SQL text names a tenant-owned table in
 * FROM / JOIN / UPDATE / INTO without naming the tenant column anywhere in their SQL. The SQL pieces a
 * function builds (a WHERE list, an INSERT's columns) are in its own literals, so the whole function is
 * the unit.
 */
function unscopedQueries(code: SourceFile[], tables: string[], column: string): Evidence[] {
  if (tables.length === 0) return [];
  const names = tables.map((t) => t.replace(/[^a-z0-9_]/g, '')).join('|');
  const touches = new RegExp(`\\b(FROM|JOIN|UPDATE|INTO)\\s+"?(${names})"?(?![a-z0-9_])`, 'i');
  const tenant = new RegExp(`(?<![a-z0-9_])"?${column}"?(?![a-z0-9_])`);
  const out: Evidence[] = [];
  for (const { file, sf } of code) {
    if (!touches.test(sf.text)) continue;
    const units: ts.Node[] = [];
    for (const stmt of sf.statements) {
      if (ts.isClassDeclaration(stmt)) units.push(...stmt.members);
      else units.push(stmt);
    }
    for (const unit of units) {
      const literals = sqlLiterals(unit);
      const query = literals.find((l) => touches.test(l.text));
      if (!query || literals.some((l) => tenant.test(l.text))) continue;
      const line = sf.getLineAndCharacterOfPosition(query.node.getStart()).line + 1;
      out.push({ file, line, text: `${touches.exec(query.text)![0]} … is not scoped to the tenant: no ${column} in this function's SQL (${query.text.replace(/\s+/g, ' ').slice(0, 120)})` });
    }
  }
  return out;
}

/**
 * The code that queries the database: src/ (not tests), and the src/ of a separately deployed part
 * the plan names (`workerRoot`, e.g. the hybrid's functions/, whose jobs read and write tenant rows too).
 */
async function applicationCode(project: ProjectContext): Promise<SourceFile[]> {
  const app = (await project.sources()).app;
  const workerRoot = (project.plan as { workerRoot?: string }).workerRoot;
  if (!workerRoot) return app;
  const files = project.files.filter((f) => f.startsWith(`${workerRoot}src/`) && /\.m?ts$/.test(f) && !f.endsWith('.d.ts') && !/\.(test|spec)\.ts$/.test(f));
  const worker = new Sources(await Promise.all(files.map(async (file) => ({ file, text: (await project.read(file)) ?? '' }))));
  return [...app, ...worker.all];
}
