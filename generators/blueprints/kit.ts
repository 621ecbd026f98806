/**
 * The helpers the core hands a blueprint's planner (so a blueprint, built in or external, never
 * imports the generator's internals by path): SQL quoting, naming, migration file names.
 */
import { ROLES } from '../domain/schema.js';
import { quoteIdent } from '../domain/sql-names.js';
import { camelCase, kebabCase, pascalCase, pluralize } from '../domain/words.js';
import { sqlString } from '../plan/columns.js';
import { createRoleSql, migrationFileName } from '../plan/migrations.js';
import { PACKAGE_MANAGER_COMMANDS } from '../plan/package-manager.js';

export const plannerKit = {
  roles: ROLES,
  sql: { quoteIdent, sqlString, createRole: createRoleSql },
  words: { camelCase, kebabCase, pascalCase, pluralize },
  migrationFileName,
  packageManagerCommands: PACKAGE_MANAGER_COMMANDS,
  /** Sorted by name, as npm writes dependencies: package.json prints them in this order. */
  sortedByKey(record: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
  },
};
export type PlannerKit = typeof plannerKit;
