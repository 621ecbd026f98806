/**
 * Our custom plop action types, registered with `plop.setActionType` before a plopfile runs (node-plop's
 * built-ins add, addMany, modify and append stay as they are):
 *
 *   { type: 'render-ejs', path: 'test/{{kebabCase name}}.test.ts', templateFile: 'generators/x.ts.ejs', force?: true }
 *
 * renders an EJS template (path relative to the plopfile) with the render our pipeline uses (render/templates.ts:
 * strict mode, the same escapers) and these locals: `plan` (the project's plan, derived from its recorded spec
 * and answers), `esc` (the escapers), `answers` (the generator's prompt answers) and `project` (the project's
 * recorded answers: name, blueprint, features, options). `path` is a Handlebars string like plop's own
 * actions'. Like plop's `add`, it refuses a file that exists unless `force: true`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NodePlopAPI } from 'node-plop';
import { escapers } from '../render/escape.js';
import { renderTemplateText } from '../render/templates.js';
import type { ActionContextSource } from './run.js';

interface RenderEjsConfig {
  type: 'render-ejs';
  path?: unknown;
  templateFile?: unknown;
  force?: boolean;
}

export function registerActionTypes(plop: NodePlopAPI, context: ActionContextSource): void {
  plop.setActionType('render-ejs', async (answers, config) => {
    const cfg = config as RenderEjsConfig;
    // Validated config: a plopfile mistake names the field, like any manifest error.
    if (typeof cfg.path !== 'string' || cfg.path === '') throw new Error('render-ejs: "path" (the file to write, relative to the project) is required');
    if (typeof cfg.templateFile !== 'string' || cfg.templateFile === '') throw new Error(`render-ejs ${cfg.path}: "templateFile" (an EJS template, relative to the plopfile) is required`);
    const relative = plop.renderString(cfg.path, answers);
    const target = path.resolve(plop.getDestBasePath(), relative);
    const rel = path.relative(plop.getDestBasePath(), target);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`render-ejs ${relative}: the path leaves the project`);
    if (existsSync(target) && cfg.force !== true) throw new Error(`render-ejs ${rel}: the file exists (pass force: true in the action to replace it)`);
    const templateFile = path.resolve(plop.getPlopfilePath(), cfg.templateFile);
    let template: string;
    try {
      template = await readFile(templateFile, 'utf8');
    } catch {
      throw new Error(`render-ejs ${rel}: no template ${templateFile}`);
    }
    let text: string;
    try {
      text = renderTemplateText(template, templateFile, { plan: context.plan(), esc: escapers, answers, project: context.manifest.answers });
    } catch (err) {
      throw new Error(`render-ejs ${rel}: ${templateFile} failed to render: ${(err as Error).message}`);
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
    return rel.split(path.sep).join('/');
  });
}
