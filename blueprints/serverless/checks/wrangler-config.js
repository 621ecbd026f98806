// @ts-check
/**
 * The wrangler configuration is valid against the JSON schema that ships in the project's wrangler
 * (node_modules/wrangler/config-schema.json), and wrangler itself accepts it: `wrangler deploy
 * --dry-run` bundles the Worker and checks every binding without a Cloudflare account or network.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readWranglerConfig, CONFIG_FILES } from './config.js';

/** @param {import('../../../generators/blueprints/contract.js').CheckKit} kit @returns {import('../../../generators/blueprints/contract.js').Check} */
export const wranglerConfig = ({ pass, fail, skip, seed }) => ({
  id: 'serverless.wrangler-config',
  title: "The wrangler configuration is valid against wrangler's JSON schema, and a dry-run deploy passes offline",
  seed: seed('s003', 'Delivery Standards: infrastructure as code, deployable configuration'),
  kind: 'dynamic',
  async run({ project, runtime: rt }) {
    if (!rt) return skip('dynamic checks are off (--static)');
    const why = await rt.unavailable();
    if (why) return { ...skip(`skipped: ${why.reason}`, why.fix), notRun: true };
    const read = await readWranglerConfig(project);
    if (!read) return fail('no wrangler configuration', [{ text: `none of ${CONFIG_FILES.join(', ')}` }], 'Restore wrangler.jsonc.');
    if (!read.config) return fail(`${read.file} does not parse: ${read.error}`, [{ file: read.file, text: String(read.error) }], 'Fix the JSON syntax.');
    /** @type {{ file?: string, line?: number, text: string }[]} */
    const problems = [];
    const schemaFile = path.join(project.dir, 'node_modules', 'wrangler', 'config-schema.json');
    const schema = JSON.parse(await readFile(schemaFile, 'utf8').catch(() => 'null'));
    if (!schema) problems.push({ text: 'node_modules/wrangler/config-schema.json not found: is wrangler a dependency?' });
    else {
      /** @type {new (o: object) => { validate(s: object, d: unknown): boolean, errors?: { dataPath?: string, instancePath?: string, message?: string, params?: unknown }[] | null }} */
      let Ajv;
      try {
        Ajv = rt.require('ajv');
      } catch {
        return fail('no JSON schema validator (ajv) in the project\'s node_modules', [{ text: 'ajv is installed with eslint' }], 'Install the project\'s dev dependencies (npm install).');
      }
      const ajv = new Ajv({ allErrors: true, strict: false, schemaId: 'auto', logger: false });
      if (!ajv.validate(schema, read.config))
        for (const e of (ajv.errors ?? []).slice(0, 20)) {
          const where = (e.instancePath ?? e.dataPath ?? '').replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '/').replace(/\./g, '/') || '/';
          const key = where.split('/').filter((k) => k && !/^\d+$/.test(k)).pop();
          problems.push({ file: read.file, ...(key && read.lineOf(`"${key}"`) ? { line: read.lineOf(`"${key}"`) } : {}), text: `${where} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}` });
        }
    }
    const out = await mkdtemp(path.join(tmpdir(), 'verify-dry-run-'));
    try {
      const r = await rt.exec('wrangler', ['deploy', '--dry-run', '--config', read.file, '--outdir', out], { env: { WRANGLER_SEND_METRICS: 'false' }, timeoutMs: 180_000 });
      if (r.exitCode !== 0) problems.push({ text: `wrangler deploy --dry-run exited ${r.exitCode}:\n${rt.tail(r.output, 12)}` });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    return problems.length
      ? fail(`${read.file}: ${problems.length} problem(s)`, problems, 'Fix the configuration until it matches wrangler\'s schema and `npx wrangler deploy --dry-run` passes.')
      : pass(`${read.file} matches wrangler's schema; wrangler deploy --dry-run passes`, [{ file: read.file, text: `schema ${path.relative(project.dir, schemaFile)}, dry-run bundle ok` }]);
  },
});
