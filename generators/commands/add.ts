/**
 * `backend-arch add resource NAME | job NAME --entity E | index ENTITY --where a,b --order "col dir"`:
 * new spec = old spec + this change; then the same re-render and merge as `update` (regen/run.ts).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { Io } from '../cli/io.js';
import { NO_PROMPT_HINT, type Prompter } from '../cli/prompter.js';
import { readLocated } from '../domain/located.js';
import { FIELD_TYPES } from '../domain/schema.js';
import { printRegenResult } from '../regen/report.js';
import { runRegen, type RegenResult } from '../regen/run.js';
import { addIndexChange, addJobChange, addResourceChange, parseAccessFlag, parseFieldFlag, type ResourceOptions } from '../regen/spec-change.js';

export interface CommonFlags {
  dir?: string;
  dryRun?: boolean;
  allowDirty?: boolean;
  allowDestructive?: boolean;
  json?: boolean;
  verbose?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function common(cmd: Command): Command {
  return cmd
    .option('--dir <dir>', 'the project directory (default: the current directory)')
    .option('--dry-run', 'print a unified diff of every change and write nothing')
    .option('--allow-dirty', 'run even if the git working tree has uncommitted changes')
    .option('--allow-destructive', 'generate a migration even for destructive changes (drop, type change, …)')
    .option('--json', 'print a machine-readable result')
    .option('--verbose', 'also list unchanged files');
}

function parseInteger(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new UserError(`${flag} expects an integer, got "${value}"`);
    return n;
  };
}

export function finish(result: RegenResult, io: Io, flags: CommonFlags): void {
  printRegenResult(result, io.out, { json: flags.json === true, verbose: flags.verbose === true, cwd: io.cwd });
  // Conflicts are a result to act on, not a failure of the command; exit 1 so scripts notice them.
  if (result.conflicts.length > 0 && !result.dryRun) process.exitCode = 1;
}

/** Field and access-pattern prompts for `add resource NAME` on a terminal without --field. */
export async function promptResource(prompter: Prompter, name: string): Promise<Pick<ResourceOptions, 'fields' | 'access' | 'softDelete'>> {
  const fields: string[] = [];
  for (;;) {
    const line = await prompter.input({
      message: `Field of ${name} (NAME:TYPE[:ref=ENTITY][:optional]; types: ${FIELD_TYPES.join(', ')}; empty to finish)`,
      validate: (v) => {
        if (v.trim() === '') return fields.length > 0 ? true : 'a resource needs at least one field';
        try {
          parseFieldFlag(v.trim());
          return true;
        } catch (err) {
          return (err as Error).message;
        }
      },
    });
    if (line.trim() === '') break;
    fields.push(line.trim());
  }
  const access: string[] = [];
  for (;;) {
    const line = await prompter.input({
      message: `Query to serve fast (COLUMNS:ORDER, e.g. ${fields[0]?.split(':')[0] ?? 'status'}:created_at-desc; empty to finish)`,
      validate: (v) => {
        try {
          if (v.trim()) parseAccessFlag(v.trim());
          return true;
        } catch (err) {
          return (err as Error).message;
        }
      },
    });
    if (line.trim() === '') break;
    access.push(line.trim());
  }
  const softDelete = await prompter.select<boolean>({
    message: 'Delete',
    choices: [
      { name: 'hard delete (DELETE removes the row)', value: false },
      { name: 'soft delete (sets deleted_at; reads skip deleted rows)', value: true },
    ],
    default: false,
  });
  return { fields, access, softDelete };
}

export function registerAddCommand(program: Command, io: Io): void {
  const add = program.command('add').description('Add a resource, a job or an index to a generated project (merged with your edits)');

  common(
    add
      .command('resource')
      .description('An entity: a new migration, its module (routes, schemas, service, repository), tests, metrics, cache, wiring')
      .argument('<name>', 'snake_case entity name, e.g. invoice'),
  )
    .option('--field <spec>', 'NAME:TYPE[:ref=ENTITY][:optional][:unique][:max=N][:min=N][:values=a|b][:default=V] (repeatable)', collect)
    .option('--access <pattern>', 'a query to serve with an index: COLUMNS:ORDER, e.g. customer_id:created_at-desc (repeatable)', collect)
    .option('--soft-delete', 'DELETE sets deleted_at instead of removing the row')
    .option('--description <text>', 'what the entity is')
    .option('--spec-fragment <file>', 'the entity (or {entities, jobs}) in YAML or JSON, as in a spec file')
    .option('--service <name>', 'the service that owns it, when the spec groups entities into services (a new name adds a service)')
    .action(async (name: string, flags: CommonFlags & { field?: string[]; access?: string[]; softDelete?: boolean; description?: string; specFragment?: string; service?: string }) => {
      const options: ResourceOptions = { fields: flags.field ?? [], access: flags.access ?? [] };
      if (flags.service) options.service = flags.service;
      if (flags.softDelete) options.softDelete = true;
      if (flags.description) options.description = flags.description;
      if (flags.specFragment) {
        const doc = await readLocated(path.resolve(io.cwd, flags.specFragment), 'spec fragment', flags.specFragment);
        options.fragment = { file: flags.specFragment, value: doc.value };
      } else if (options.fields.length === 0) {
        const prompter = io.interactive ? await io.prompter() : undefined;
        if (prompter) Object.assign(options, await promptResource(prompter, name), flags.softDelete ? { softDelete: true } : {});
      }
      const result = await runRegen({ ...regenFlags(io, flags), generator: 'resource', change: addResourceChange(name, options) });
      finish(result, io, flags);
    });

  common(
    add
      .command('job')
      .description('An async job on an entity: queue, processor, endpoints (202 + status URL), tests, metrics, alerts')
      .argument('<name>', 'kebab-case job name, e.g. send-invoice'),
  )
    .option('--entity <entity>', 'the entity the job runs on')
    .option('--retries <n>', 'retries after the first attempt (default 3)', parseInteger('--retries'))
    .option('--backoff-ms <n>', 'first retry delay, doubled each attempt (default 1000)', parseInteger('--backoff-ms'))
    .option('--timeout-ms <n>', 'time limit per attempt (default 30000)', parseInteger('--timeout-ms'))
    .option('--description <text>', 'what the job does')
    .action(async (name: string, flags: CommonFlags & { entity?: string; retries?: number; backoffMs?: number; timeoutMs?: number; description?: string }) => {
      let entity = flags.entity;
      if (!entity) {
        const prompter = io.interactive ? await io.prompter() : undefined;
        if (!prompter) throw new UserError(`add job ${name}: missing --entity ENTITY (the entity the job runs on).`, { hint: NO_PROMPT_HINT });
        entity = await prompter.input({ message: 'Entity the job runs on' });
      }
      const change = addJobChange(name, {
        entity,
        ...(flags.retries !== undefined ? { retries: flags.retries } : {}),
        ...(flags.backoffMs !== undefined ? { backoffMs: flags.backoffMs } : {}),
        ...(flags.timeoutMs !== undefined ? { timeoutMs: flags.timeoutMs } : {}),
        ...(flags.description ? { description: flags.description } : {}),
      });
      const result = await runRegen({ ...regenFlags(io, flags), generator: 'job', change });
      finish(result, io, flags);
    });

  common(
    add
      .command('index')
      .description('An access pattern on an entity: a new migration with its index (and the query it serves)')
      .argument('<entity>', 'the entity to index'),
  )
    .option('--where <columns>', 'equality filter columns, comma-separated, e.g. customer_id,status')
    .option('--order <order>', 'sort column and direction, e.g. "created_at desc"')
    .option('--description <text>', 'the query, in words')
    .action(async (entity: string, flags: CommonFlags & { where?: string; order?: string; description?: string }) => {
      const where = (flags.where ?? '').split(',').map((c) => c.trim()).filter(Boolean);
      if (where.length === 0 && !flags.order) throw new UserError(`add index ${entity}: pass --where COLUMNS and/or --order "COLUMN asc|desc".`);
      const change = addIndexChange(entity, { where, ...(flags.order ? { order: flags.order } : {}), ...(flags.description ? { description: flags.description } : {}) });
      const result = await runRegen({ ...regenFlags(io, flags), generator: 'index', change });
      finish(result, io, flags);
    });
}

export function regenFlags(io: Io, flags: CommonFlags) {
  return {
    dir: path.resolve(io.cwd, flags.dir ?? '.'),
    dryRun: flags.dryRun === true,
    allowDirty: flags.allowDirty === true,
    allowDestructive: flags.allowDestructive === true,
  };
}
