/**
 * Field spec → column: SQL type and constraints, the API's value schema as JSON Schema facts (a blueprint
 * prints them in its validator's syntax: the shared templates as TypeBox), TypeScript type, example values.
 */
import type { FieldSpec } from '../domain/schema.js';
import { quoteIdent } from '../domain/sql-names.js';
import { camelCase } from '../domain/words.js';
import { sqlLiteral, tsString } from '../render/escape.js';
import type { ColumnConstraints, ColumnPlan, ValueSchema } from './types.js';

const DEFAULT_STRING_MAX = 255;
const EMAIL_MAX = 320;
const TEXT_MAX = 100_000;
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
/** Schemas for values carried as strings; every string in the API has a bound (OWASP API4: unrestricted resources). */
export const UUID_SCHEMA: ValueSchema = { type: 'string', format: 'uuid', maxLength: 36 };
export const TIMESTAMP_SCHEMA: ValueSchema = { type: 'string', format: 'date-time', maxLength: 40 };

export interface FieldContext {
  /** Soft-deleted tables enforce uniqueness with a partial unique index instead (deleted rows do not count). */
  softDelete: boolean;
  /** The referenced table as printed in SQL, for a foreign key. */
  referencedTable?: string;
  /**
   * Tenant-owned table: a unique field is unique within the tenant (an index leading with the tenant
   * column), and a reference to another tenant-owned table is a composite table constraint instead.
   */
  tenantScoped?: boolean;
}

export function fieldColumn(name: string, field: FieldSpec, ctx: FieldContext): ColumnPlan {
  const col = quoteIdent(name);
  const checks: string[] = [];
  let sqlType: string;
  let schema: ValueSchema;
  let tsType = 'string';
  let exampleExpr: string | null;
  let seedSql: string | null;

  switch (field.type) {
    case 'string':
    case 'email': {
      const max = field.max ?? (field.type === 'email' ? EMAIL_MAX : DEFAULT_STRING_MAX);
      const min = field.min ?? 1;
      sqlType = `varchar(${max})`;
      checks.push(`char_length(${col}) >= ${min}`);
      schema = { type: 'string', minLength: min, maxLength: max };
      if (field.type === 'email') {
        schema.format = 'email';
        checks.push(`${col} LIKE '%_@_%'`);
        exampleExpr = `\`user\${n}@example.com\``;
        seedSql = `'user' || g || '@example.com'`;
      } else {
        exampleExpr = stringExample(name, min, max);
        seedSql = `left(${sqlString(`${name}-`)} || g, ${max})`;
      }
      break;
    }
    case 'text':
      sqlType = 'text';
      schema = { type: 'string', maxLength: TEXT_MAX };
      exampleExpr = `\`${name} \${n}\``;
      seedSql = `'${name} ' || g`;
      break;
    case 'integer':
    case 'bigint': {
      sqlType = field.type;
      const lo = field.min ?? (field.max !== undefined && field.max < 0 ? field.max - 1000 : 0);
      const hi = field.max ?? lo + 1_000_000;
      if (field.min !== undefined) checks.push(`${col} >= ${field.min}`);
      if (field.max !== undefined) checks.push(`${col} <= ${field.max}`);
      if (field.type === 'integer') {
        // int4 bounds unless the spec narrows them: the API refuses what the column cannot hold.
        schema = { type: 'integer', format: 'int32', minimum: field.min ?? INT32_MIN, maximum: field.max ?? INT32_MAX };
        tsType = 'number';
        exampleExpr = `${lo} + (n % ${hi - lo + 1})`;
      } else {
        // int8 does not fit a JS number: the API carries it as a decimal string.
        schema = { type: 'string', pattern: '^-?[0-9]{1,19}$', maxLength: 20 };
        exampleExpr = `String(${lo} + (n % ${hi - lo + 1}))`;
      }
      seedSql = `${lo} + (g % ${hi - lo + 1})`;
      break;
    }
    case 'decimal': {
      const precision = field.precision ?? 12;
      const scale = field.scale ?? 2;
      sqlType = `numeric(${precision}, ${scale})`;
      if (field.min !== undefined) checks.push(`${col} >= ${field.min}`);
      if (field.max !== undefined) checks.push(`${col} <= ${field.max}`);
      // numeric is carried as a string so no precision is lost on the way through JSON.
      schema = decimalSchema(precision, scale);
      const lo = field.min ?? 0;
      exampleExpr = `(${lo} + (n % 100) / 4).toFixed(${scale})`;
      seedSql = `${lo} + (g % 100) / 4.0`;
      break;
    }
    case 'boolean':
      sqlType = 'boolean';
      schema = { type: 'boolean' };
      tsType = 'boolean';
      exampleExpr = 'n % 2 === 0';
      seedSql = 'g % 2 = 0';
      break;
    case 'uuid':
      sqlType = 'uuid';
      schema = UUID_SCHEMA;
      exampleExpr = field.references ? null : 'crypto.randomUUID()';
      seedSql = field.references ? null : 'gen_random_uuid()';
      break;
    case 'timestamp':
      sqlType = 'timestamptz';
      schema = TIMESTAMP_SCHEMA;
      exampleExpr = 'new Date(Date.UTC(2026, 0, 1 + (n % 28))).toISOString()';
      seedSql = `timestamptz '2026-01-01' + (g % 365) * interval '1 day'`;
      break;
    case 'date':
      sqlType = 'date';
      schema = { type: 'string', format: 'date', maxLength: 10 };
      exampleExpr = "`2026-01-${String(1 + (n % 28)).padStart(2, '0')}`";
      seedSql = `date '2026-01-01' + (g % 365)`;
      break;
    case 'enum': {
      const values = field.values ?? [];
      sqlType = 'text';
      checks.push(`${col} IN (${values.map(sqlString).join(', ')})`);
      schema = { enum: values };
      tsType = values.map((v) => `'${v}'`).join(' | ');
      exampleExpr = `([${values.map(tsString).join(', ')}] as const)[n % ${values.length}]!`;
      seedSql = `(ARRAY[${values.map(sqlString).join(', ')}])[1 + g % ${values.length}]`;
      break;
    }
    case 'json':
      sqlType = 'jsonb';
      schema = {};
      tsType = 'unknown';
      exampleExpr = '{ n }';
      seedSql = `jsonb_build_object('n', g)`;
      break;
  }

  const sqlDefault = field.default === undefined ? null : defaultSql(field);
  const parts = [col, sqlType];
  if (!field.optional) parts.push('NOT NULL');
  if (sqlDefault) parts.push(`DEFAULT ${sqlDefault}`);
  const inlineUnique = field.unique && !ctx.softDelete && !ctx.tenantScoped;
  if (inlineUnique) parts.push('UNIQUE');
  if (ctx.referencedTable) parts.push(`REFERENCES ${ctx.referencedTable} (id) ON DELETE ${onDeleteSql(field)}`);
  for (const check of checks) parts.push(`CHECK (${check})`);
  // The same constraints as data: add/update diff these, never the DDL text.
  const constraints: ColumnConstraints = {
    notNull: !field.optional,
    default: sqlDefault,
    unique: inlineUnique,
    references: ctx.referencedTable ? { table: ctx.referencedTable, onDelete: onDeleteSql(field) } : null,
    checks,
  };

  return {
    name,
    sql: col,
    camel: camelCase(name),
    fieldType: field.type,
    ddl: parts.join(' '),
    constraints,
    sqlType,
    nullable: field.optional,
    unique: field.unique,
    required: !field.optional && field.default === undefined,
    generated: false,
    schema,
    tsType,
    references: field.references ?? null,
    exampleExpr,
    decimalScale: field.type === 'decimal' ? (field.scale ?? 2) : null,
    seedSql,
    description: field.description ?? '',
  };
}

/**
 * A decimal as the API accepts it: at most `scale` fractional digits and `precision - scale` integer
 * digits, so a value the column would round or refuse is a 400 naming the field, never silently changed.
 */
export function decimalSchema(precision: number, scale: number): ValueSchema {
  const integerDigits = precision - scale;
  const integer = integerDigits > 0 ? `[0-9]{1,${integerDigits}}` : '0';
  const fraction = scale > 0 ? `(\\.[0-9]{1,${scale}})?` : '';
  return { type: 'string', pattern: `^-?${integer}${fraction}$`, maxLength: precision + 2 };
}

function stringExample(name: string, min: number, max: number): string {
  // Unique per n, within [min, max] characters.
  const prefix = name.slice(0, Math.max(0, max - 8));
  const expr = `\`${prefix}\${n}\``;
  return min > prefix.length + 1 ? `${expr}.padEnd(${min}, 'x').slice(0, ${max})` : `${expr}.slice(0, ${max})`;
}

function defaultSql(field: FieldSpec): string {
  const value = field.default!;
  if ((field.type === 'timestamp' || field.type === 'date') && value === 'now') return field.type === 'date' ? 'CURRENT_DATE' : 'now()';
  if (typeof value === 'string') return sqlString(value);
  return String(value);
}

export function onDeleteSql(field: FieldSpec): 'RESTRICT' | 'CASCADE' | 'SET NULL' {
  return field.onDelete === 'cascade' ? 'CASCADE' : field.onDelete === 'set-null' ? 'SET NULL' : 'RESTRICT';
}

/** A SQL string literal (the one escaper for that context, render/escape.ts). */
export const sqlString = sqlLiteral;

/** The tenant column of a tenant-owned table: set from the caller's token, never from a request body. */
export function tenantColumn(name: string): ColumnPlan {
  return {
    ...generatedColumn(name, 'uuid', `${quoteIdent(name)} uuid NOT NULL`, UUID_SCHEMA, false, "The tenant owning the row (from the caller's token)."),
    sql: quoteIdent(name),
    constraints: { notNull: true, default: null, unique: false, references: null, checks: [] },
  };
}

/** Columns the generator adds to every table. */
export function idColumn(): ColumnPlan {
  return generatedColumn('id', 'uuid', 'id uuid PRIMARY KEY DEFAULT gen_random_uuid()', UUID_SCHEMA, false, 'Primary key.');
}

export function auditColumns(softDelete: boolean): ColumnPlan[] {
  const cols = [
    generatedColumn('created_at', 'timestamptz', 'created_at timestamptz NOT NULL DEFAULT now()', TIMESTAMP_SCHEMA, false, 'When the row was created (audit column).'),
    generatedColumn('updated_at', 'timestamptz', 'updated_at timestamptz NOT NULL DEFAULT now()', TIMESTAMP_SCHEMA, false, 'Last modification, maintained by a trigger (audit column).'),
  ];
  if (softDelete)
    cols.push(generatedColumn('deleted_at', 'timestamptz', 'deleted_at timestamptz', TIMESTAMP_SCHEMA, true, 'Set when the row is soft-deleted; reads skip such rows.'));
  return cols;
}

function generatedColumn(name: string, sqlType: string, ddl: string, schema: ValueSchema, nullable: boolean, description: string): ColumnPlan {
  return {
    name,
    sql: name,
    camel: camelCase(name),
    fieldType: name === 'id' ? 'id' : 'audit',
    ddl,
    constraints: { notNull: !nullable, default: name === 'id' ? 'gen_random_uuid()' : nullable ? null : 'now()', unique: false, references: null, checks: [] },
    sqlType,
    nullable,
    unique: name === 'id',
    required: false,
    generated: true,
    schema,
    tsType: 'string',
    references: null,
    exampleExpr: null,
    decimalScale: null,
    seedSql: null,
    description,
  };
}
