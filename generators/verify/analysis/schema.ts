/**
 * The schema as the migrations on disk make it: every `migrations/*.sql` file, in the order the runner
 * applies them, parsed with the real PostgreSQL parser (libpg-query), replayed into a model of tables,
 * columns, constraints and indexes. Only the "Up" part of a node-pg-migrate SQL file is applied.
 */
import { parse } from 'libpg-query';

export interface Located {
  file: string;
  line: number;
  /** The statement as written. */
  sql: string;
}

export interface ColumnModel extends Located {
  name: string;
  type: string;
  notNull: boolean;
  hasDefault: boolean;
}

export interface ForeignKeyModel extends Located {
  columns: string[];
  refTable: string;
  /** Its name: as declared, or the one PostgreSQL gives an unnamed key (<table>_<columns>_fkey). */
  name: string;
}

export interface TableModel extends Located {
  name: string;
  columns: Map<string, ColumnModel>;
  primaryKey: string[] | null;
  foreignKeys: ForeignKeyModel[];
  /** Unique constraints (they are backed by an index too). */
  uniques: string[][];
  partitionedBy: string | null;
  partitionOf: string | null;
  /** ALTER TABLE … ENABLE / FORCE ROW LEVEL SECURITY (as the last migration touching them leaves them). */
  rowSecurity: { enabled: boolean; forced: boolean; at: Located | null };
  /** A role given ownership by ALTER TABLE … OWNER TO, or null (owned by the migrating user). */
  owner: string | null;
}

export interface PolicyModel extends Located {
  name: string;
  table: string;
  /** all | select | insert | update | delete */
  command: string;
  /** USING and WITH CHECK expressions as parse trees (null when absent). */
  using: unknown | null;
  withCheck: unknown | null;
  /** The roles it applies to ('public' for every role; CREATE POLICY without TO means public). */
  roles: string[];
  /** PERMISSIVE (the default: OR-ed with the others) or RESTRICTIVE (AND-ed). */
  permissive: boolean;
}

/** A role as CREATE ROLE / ALTER ROLE statements in the migrations leave it (also inside DO blocks). */
export interface RoleModel extends Located {
  name: string;
  superuser: boolean;
  bypassRls: boolean;
}

export interface IndexModel extends Located {
  name: string;
  table: string;
  /** Column per key part; null for an expression. */
  columns: (string | null)[];
  directions: ('asc' | 'desc')[];
  /** Explicit NULLS FIRST/LAST per key part; null when the default applies (LAST for ASC, FIRST for DESC). */
  nulls: ('first' | 'last' | null)[];
  unique: boolean;
  /** Partial predicate as a parse tree (null for a full index). */
  where: unknown | null;
  /** Implicit: created by a PRIMARY KEY or UNIQUE constraint. */
  implicit: boolean;
}

export interface TriggerModel extends Located {
  name: string;
  table: string;
  timing: 'before' | 'after' | 'instead';
  events: ('insert' | 'update' | 'delete' | 'truncate')[];
  function: string;
}

export interface FunctionModel extends Located {
  name: string;
  /** The function body as written (plpgsql/sql source). */
  body: string;
}

export interface SchemaModel {
  tables: Map<string, TableModel>;
  indexes: Map<string, IndexModel>;
  triggers: Map<string, TriggerModel>;
  functions: Map<string, FunctionModel>;
  /** Row-level security policies, by `table.policy`. */
  policies: Map<string, PolicyModel>;
  roles: Map<string, RoleModel>;
  files: string[];
  /** Parse errors, per file (the check reporting them fails; others see what did parse). */
  errors: { file: string; line: number; message: string }[];
}

export interface MigrationFile {
  file: string;
  text: string;
}

/** Sort as node-pg-migrate does: by the numeric prefix, then by name. */
export function migrationOrder(a: string, b: string): number {
  const na = Number(/^(\d+)/.exec(a.split('/').pop()!)?.[1] ?? NaN);
  const nb = Number(/^(\d+)/.exec(b.split('/').pop()!)?.[1] ?? NaN);
  if (!Number.isNaN(na) && !Number.isNaN(nb) && na !== nb) return na - nb;
  return a.localeCompare(b);
}

/** The Up part of a node-pg-migrate SQL migration; later lines are blanked so line numbers hold. */
export function upSection(text: string): string {
  const lines = text.split('\n');
  const down = lines.findIndex((l) => /^\s*--\s*down migration\b/i.test(l));
  if (down < 0) return text;
  return lines.map((l, i) => (i < down ? l : '')).join('\n');
}

type Node = Record<string, any>;

const str = (n: Node | undefined): string => n?.String?.sval ?? '';
const names = (list: Node[] | undefined): string[] => (list ?? []).map(str);

function typeName(t: Node | undefined): string {
  const parts = names(t?.names).filter((p) => p !== 'pg_catalog');
  return parts.join('.');
}

export async function buildSchema(files: MigrationFile[]): Promise<SchemaModel> {
  const model: SchemaModel = {
    tables: new Map(),
    indexes: new Map(),
    triggers: new Map(),
    functions: new Map(),
    policies: new Map(),
    roles: new Map(),
    files: files.map((f) => f.file),
    errors: [],
  };
  for (const { file, text } of [...files].sort((a, b) => migrationOrder(a.file, b.file))) {
    const sql = upSection(text);
    const bytes = Buffer.from(sql, 'utf8');
    const lineAt = (byteOffset: number) => bytes.subarray(0, byteOffset).toString('utf8').split('\n').length;
    let tree: { stmts?: { stmt: Node; stmt_location?: number; stmt_len?: number }[] };
    try {
      tree = await parse(sql);
    } catch (err) {
      const pos = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
      model.errors.push({ file, line: pos !== undefined ? lineAt(pos) : 1, message: (err as Error).message });
      continue;
    }
    for (const raw of tree.stmts ?? []) {
      const start = raw.stmt_location ?? 0;
      const len = raw.stmt_len ?? bytes.length - start;
      let text = bytes.subarray(start, start + len).toString('utf8');
      // The statement slice starts after the previous `;`: skip leading comments and blank lines.
      const lead = /^(\s*(--[^\n]*\n)?)*/.exec(text)?.[0] ?? '';
      const line = lineAt(start + Buffer.byteLength(lead));
      text = text.slice(lead.length).trim();
      apply(model, raw.stmt, { file, line, sql: text });
      // Role statements inside a DO block (CREATE ROLE guarded against a concurrent creator) count too.
      if (raw.stmt.DoStmt) for (const inner of await roleStatementsIn(raw.stmt.DoStmt)) apply(model, inner, { file, line, sql: text });
    }
  }
  return model;
}

/** CREATE ROLE / ALTER ROLE statements in a DO block's body, parsed (a statement that does not parse is skipped). */
async function roleStatementsIn(node: Node): Promise<Node[]> {
  const body = ((node.args as Node[] | undefined) ?? []).find((a) => a.DefElem?.defname === 'as')?.DefElem?.arg?.String?.sval as string | undefined;
  const out: Node[] = [];
  for (const m of (body ?? '').matchAll(/\b(CREATE|ALTER)\s+ROLE\s+[^;]*;/gi)) {
    try {
      const tree = (await parse(m[0])) as { stmts?: { stmt: Node }[] };
      out.push(...(tree.stmts ?? []).map((s) => s.stmt));
    } catch {
      // Dynamic SQL or a fragment: not a statement this model follows.
    }
  }
  return out;
}

function roleOptions(role: RoleModel, options: Node[] | undefined): void {
  for (const o of options ?? []) {
    const on = o.DefElem?.arg?.Boolean?.boolval === true;
    if (o.DefElem?.defname === 'superuser') role.superuser = on;
    if (o.DefElem?.defname === 'bypassrls') role.bypassRls = on;
  }
}

function apply(model: SchemaModel, stmt: Node, at: Located): void {
  const [kind, node] = Object.entries(stmt)[0] as [string, Node];
  switch (kind) {
    case 'CreateStmt':
      return createTable(model, node, at);
    case 'IndexStmt': {
      const table = node.relation.relname as string;
      const name = (node.idxname as string | undefined) ?? `${table}_${Object.keys(model.indexes).length}_idx`;
      model.indexes.set(name, {
        ...at,
        name,
        table,
        columns: (node.indexParams ?? []).map((p: Node) => (p.IndexElem?.name as string | undefined) ?? null),
        directions: (node.indexParams ?? []).map((p: Node) => (p.IndexElem?.ordering === 'SORTBY_DESC' ? 'desc' : 'asc')),
        nulls: (node.indexParams ?? []).map((p: Node) =>
          p.IndexElem?.nulls_ordering === 'SORTBY_NULLS_FIRST' ? 'first' : p.IndexElem?.nulls_ordering === 'SORTBY_NULLS_LAST' ? 'last' : null,
        ),
        unique: node.unique === true || node.primary === true,
        where: node.whereClause ?? null,
        implicit: false,
      });
      return;
    }
    case 'AlterTableStmt': {
      const table = model.tables.get(node.relation?.relname);
      if (!table) return;
      for (const c of node.cmds ?? []) {
        const cmd = c.AlterTableCmd as Node;
        if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) addColumn(model, table, cmd.def.ColumnDef, at);
        else if (cmd.subtype === 'AT_DropColumn') dropColumn(model, table, cmd.name);
        else if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint) addConstraint(model, table, cmd.def.Constraint, at, []);
        else if (cmd.subtype === 'AT_DropConstraint') {
          table.foreignKeys = table.foreignKeys.filter((fk) => fk.name !== cmd.name && !fk.sql.includes(cmd.name));
          const implicit = model.indexes.get(cmd.name);
          if (implicit?.implicit) model.indexes.delete(cmd.name);
        } else if (cmd.subtype === 'AT_DisableTrig') {
          // A disabled trigger does not fire: for what it guards it is as good as dropped.
          model.triggers.delete(`${table.name}.${cmd.name}`);
        } else if (cmd.subtype === 'AT_DisableTrigAll' || cmd.subtype === 'AT_DisableTrigUser') {
          for (const [n, t] of model.triggers) if (t.table === table.name) model.triggers.delete(n);
        } else if (cmd.subtype === 'AT_EnableRowSecurity' || cmd.subtype === 'AT_DisableRowSecurity') {
          table.rowSecurity = { ...table.rowSecurity, enabled: cmd.subtype === 'AT_EnableRowSecurity', at };
        } else if (cmd.subtype === 'AT_ForceRowSecurity' || cmd.subtype === 'AT_NoForceRowSecurity') {
          table.rowSecurity = { ...table.rowSecurity, forced: cmd.subtype === 'AT_ForceRowSecurity', at };
        } else if (cmd.subtype === 'AT_ChangeOwner') {
          table.owner = (cmd.newowner?.rolename as string | undefined) ?? null;
        } else if (cmd.subtype === 'AT_SetNotNull') {
          const col = table.columns.get(cmd.name);
          if (col) col.notNull = true;
        } else if (cmd.subtype === 'AT_DropNotNull') {
          const col = table.columns.get(cmd.name);
          if (col) col.notNull = false;
        } else if (cmd.subtype === 'AT_ColumnDefault') {
          const col = table.columns.get(cmd.name);
          if (col) col.hasDefault = cmd.def !== undefined;
        }
      }
      return;
    }
    case 'CreatePolicyStmt': {
      const table = node.table?.relname as string;
      const name = node.policy_name as string;
      const roles = ((node.roles as Node[] | undefined) ?? []).map((r) => (r.RoleSpec?.roletype === 'ROLESPEC_CSTRING' ? (r.RoleSpec.rolename as string) : r.RoleSpec?.roletype === 'ROLESPEC_PUBLIC' ? 'public' : String(r.RoleSpec?.roletype ?? '').toLowerCase()));
      model.policies.set(`${table}.${name}`, {
        ...at,
        name,
        table,
        command: (node.cmd_name as string | undefined) ?? 'all',
        using: node.qual ?? null,
        withCheck: node.with_check ?? null,
        roles: roles.length ? roles : ['public'],
        permissive: node.permissive !== false,
      });
      return;
    }
    case 'CreateRoleStmt': {
      if (node.stmt_type && node.stmt_type !== 'ROLESTMT_ROLE' && node.stmt_type !== 'ROLESTMT_USER') return;
      const role: RoleModel = { ...at, name: node.role as string, superuser: false, bypassRls: false };
      roleOptions(role, node.options);
      model.roles.set(role.name, role);
      return;
    }
    case 'AlterRoleStmt': {
      const role = model.roles.get(node.role?.rolename as string);
      if (role) {
        roleOptions(role, node.options);
        // The statement that changed the role is where its attributes now come from.
        Object.assign(role, { file: at.file, line: at.line, sql: at.sql });
      }
      else if (node.role?.rolename) {
        const created: RoleModel = { ...at, name: node.role.rolename as string, superuser: false, bypassRls: false };
        roleOptions(created, node.options);
        model.roles.set(created.name, created);
      }
      return;
    }
    case 'CreateTrigStmt': {
      const events = Number(node.events ?? 0);
      const timing = Number(node.timing ?? 0);
      const name = node.trigname as string;
      model.triggers.set(`${node.relation?.relname}.${name}`, {
        ...at,
        name,
        table: node.relation?.relname as string,
        // pg_trigger.tgtype bits: BEFORE = 2, INSTEAD = 64; INSERT = 4, DELETE = 8, UPDATE = 16, TRUNCATE = 32.
        timing: timing & 64 ? 'instead' : timing & 2 ? 'before' : 'after',
        events: (['insert', 'delete', 'update', 'truncate'] as const).filter((_, i) => events & (4 << i)),
        function: names(node.funcname).pop() ?? '',
      });
      return;
    }
    case 'CreateFunctionStmt': {
      const name = names(node.funcname).pop() ?? '';
      const as = (node.options as Node[] | undefined)?.find((o) => o.DefElem?.defname === 'as');
      const body = names(as?.DefElem?.arg?.List?.items).join('\n');
      model.functions.set(name, { ...at, name, body });
      return;
    }
    case 'DropStmt': {
      if (node.removeType === 'OBJECT_POLICY') {
        for (const obj of node.objects ?? []) model.policies.delete(names(obj.List?.items).slice(-2).join('.'));
        return;
      }
      if (node.removeType === 'OBJECT_TRIGGER') {
        for (const obj of node.objects ?? []) {
          const parts = names(obj.List?.items);
          model.triggers.delete(parts.slice(-2).join('.'));
        }
        return;
      }
      for (const obj of node.objects ?? []) {
        const parts = names(obj.List?.items);
        const name = parts[parts.length - 1];
        if (!name) continue;
        if (node.removeType === 'OBJECT_TABLE') {
          model.tables.delete(name);
          for (const [n, idx] of model.indexes) if (idx.table === name) model.indexes.delete(n);
          for (const [n, t] of model.triggers) if (t.table === name) model.triggers.delete(n);
        } else if (node.removeType === 'OBJECT_INDEX') model.indexes.delete(name);
      }
      return;
    }
    case 'RenameStmt': {
      if (node.renameType === 'OBJECT_TABLE') {
        const t = model.tables.get(node.relation?.relname);
        if (!t) return;
        model.tables.delete(t.name);
        t.name = node.newname;
        model.tables.set(t.name, t);
        for (const idx of model.indexes.values()) if (idx.table === node.relation.relname) idx.table = node.newname;
      } else if (node.renameType === 'OBJECT_COLUMN') {
        const t = model.tables.get(node.relation?.relname);
        const col = t?.columns.get(node.subname);
        if (!t || !col) return;
        t.columns.delete(col.name);
        col.name = node.newname;
        t.columns.set(col.name, col);
        for (const idx of model.indexes.values()) if (idx.table === t.name) idx.columns = idx.columns.map((c) => (c === node.subname ? node.newname : c));
        if (t.primaryKey) t.primaryKey = t.primaryKey.map((c) => (c === node.subname ? node.newname : c));
        for (const fk of t.foreignKeys) fk.columns = fk.columns.map((c) => (c === node.subname ? node.newname : c));
      } else if (node.renameType === 'OBJECT_INDEX') {
        const parts = [node.relation?.relname].filter(Boolean) as string[];
        const idx = model.indexes.get(parts[0] ?? '');
        if (!idx) return;
        model.indexes.delete(idx.name);
        idx.name = node.newname;
        model.indexes.set(idx.name, idx);
      }
      return;
    }
    default:
      return;
  }
}

function createTable(model: SchemaModel, node: Node, at: Located): void {
  const name = node.relation.relname as string;
  const table: TableModel = {
    ...at,
    name,
    columns: new Map(),
    primaryKey: null,
    foreignKeys: [],
    uniques: [],
    partitionedBy: node.partspec ? node.partspec.strategy ?? 'partitioned' : null,
    partitionOf: node.partbound ? ((node.inhRelations?.[0]?.RangeVar?.relname as string | undefined) ?? null) : null,
    rowSecurity: { enabled: false, forced: false, at: null },
    owner: null,
  };
  model.tables.set(name, table);
  for (const elt of node.tableElts ?? []) {
    if (elt.ColumnDef) addColumn(model, table, elt.ColumnDef, at);
    else if (elt.Constraint) addConstraint(model, table, elt.Constraint, at, []);
  }
}

function addColumn(model: SchemaModel, table: TableModel, def: Node, at: Located): void {
  const col: ColumnModel = { ...at, name: def.colname, type: typeName(def.typeName), notNull: false, hasDefault: false };
  // serial types and identity columns are NOT NULL with a default.
  if (/^(small|big)?serial$/.test(col.type)) col.notNull = col.hasDefault = true;
  table.columns.set(col.name, col);
  for (const c of def.constraints ?? []) addConstraint(model, table, c.Constraint, at, [col.name]);
}

function addConstraint(model: SchemaModel, table: TableModel, c: Node, at: Located, columnScope: string[]): void {
  const cols = c.keys ? names(c.keys) : columnScope;
  switch (c.contype) {
    case 'CONSTR_NOTNULL':
      for (const n of columnScope) table.columns.get(n)!.notNull = true;
      return;
    case 'CONSTR_DEFAULT':
    case 'CONSTR_IDENTITY':
    case 'CONSTR_GENERATED':
      for (const n of columnScope) {
        table.columns.get(n)!.hasDefault = true;
        if (c.contype === 'CONSTR_IDENTITY') table.columns.get(n)!.notNull = true;
      }
      return;
    case 'CONSTR_PRIMARY':
      table.primaryKey = cols;
      for (const n of cols) {
        const col = table.columns.get(n);
        if (col) col.notNull = true;
      }
      implicitIndex(model, table, (c.conname as string | undefined) ?? `${table.name}_pkey`, cols, at);
      return;
    case 'CONSTR_UNIQUE':
      table.uniques.push(cols);
      implicitIndex(model, table, (c.conname as string | undefined) ?? `${table.name}_${cols.join('_')}_key`, cols, at);
      return;
    case 'CONSTR_FOREIGN':
    {
      const columns: string[] = c.fk_attrs ? names(c.fk_attrs) : columnScope;
      const name = (c.conname as string | undefined) ?? `${table.name}_${columns.join('_')}_fkey`.slice(0, 63);
      table.foreignKeys.push({ ...at, columns, refTable: c.pktable?.relname, name });
    }
      return;
    default:
      return;
  }
}

function implicitIndex(model: SchemaModel, table: TableModel, name: string, columns: string[], at: Located): void {
  model.indexes.set(name, { ...at, name, table: table.name, columns, directions: columns.map(() => 'asc'), nulls: columns.map(() => null), unique: true, where: null, implicit: true });
}

/** True if a partial predicate is `deleted_at IS NULL` (alone, or ANDed with other conditions). */
export function predicateSkipsDeleted(where: unknown, column = 'deleted_at'): boolean {
  const node = where as Node | null;
  if (!node) return false;
  if (node.NullTest) return node.NullTest.nulltesttype === 'IS_NULL' && names(node.NullTest.arg?.ColumnRef?.fields).pop() === column;
  if (node.BoolExpr?.boolop === 'AND_EXPR') return (node.BoolExpr.args as Node[]).some((a) => predicateSkipsDeleted(a, column));
  return false;
}

/**
 * The `column IS [NOT] NULL` conditions a partial predicate ANDs together; null when it holds anything
 * else (then no list query is known to imply it).
 */
export function nullTestConjuncts(where: unknown): { column: string; isNull: boolean }[] | null {
  const node = where as Node | null;
  if (!node) return [];
  if (node.NullTest) {
    const column = names(node.NullTest.arg?.ColumnRef?.fields).pop();
    return column ? [{ column, isNull: node.NullTest.nulltesttype === 'IS_NULL' }] : null;
  }
  if (node.BoolExpr?.boolop === 'AND_EXPR') {
    const parts = (node.BoolExpr.args as Node[]).map(nullTestConjuncts);
    return parts.some((p) => p === null) ? null : parts.flatMap((p) => p!);
  }
  return null;
}

/** Indexes of a table, explicit and implicit. */
export function indexesOf(model: SchemaModel, table: string): IndexModel[] {
  return [...model.indexes.values()].filter((i) => i.table === table);
}

/** Is `table` a partition of another table (its indexes and keys come from the parent)? */
export function isPartition(model: SchemaModel, table: TableModel): boolean {
  return table.partitionOf !== null && model.tables.has(table.partitionOf);
}

function dropColumn(model: SchemaModel, table: TableModel, name: string): void {
  table.columns.delete(name);
  // PostgreSQL drops the indexes (and constraints) that use a dropped column.
  for (const [n, idx] of model.indexes) if (idx.table === table.name && idx.columns.includes(name)) model.indexes.delete(n);
  table.foreignKeys = table.foreignKeys.filter((fk) => !fk.columns.includes(name));
  if (table.primaryKey?.includes(name)) table.primaryKey = null;
}
