// @ts-check
/**
 * Reading a Worker project's wrangler configuration (wrangler.jsonc or wrangler.json; JSON with
 * comments and trailing commas, parsed by TypeScript's tolerant JSON parser), with the line of a key
 * for evidence.
 */
import ts from 'typescript';

export const CONFIG_FILES = ['wrangler.jsonc', 'wrangler.json'];

/**
 * The folder the Worker lives in, relative to the project: '' (its root) unless the plan says
 * `workerRoot` (the hybrid's 'functions/'): its wrangler configuration and its src/ are there.
 * @param {import('../../../generators/blueprints/contract.js').CheckContext['project']} project
 * @returns {string}
 */
export const workerRoot = (project) => /** @type {{ workerRoot?: string }} */ (project.plan).workerRoot ?? '';

/**
 * @typedef {{ binding?: string, queue?: string }} Producer
 * @typedef {{ queue?: string, max_retries?: unknown, dead_letter_queue?: string, max_batch_size?: unknown }} Consumer
 * @typedef {{ name?: string, main?: string, hyperdrive?: { binding?: string, id?: string }[], queues?: { producers?: Producer[], consumers?: Consumer[] }, [key: string]: unknown }} WranglerConfig
 */

/**
 * @param {import('../../../generators/blueprints/contract.js').CheckContext['project']} project
 * @returns {Promise<{ file: string, text: string, config: WranglerConfig | null, error: string | null, lineOf: (needle: string) => number | undefined } | null>}
 */
export async function readWranglerConfig(project) {
  for (const file of CONFIG_FILES.map((f) => `${workerRoot(project)}${f}`)) {
    const text = await project.read(file);
    if (text === undefined) continue;
    const { config, error } = ts.parseConfigFileTextToJson(file, text);
    const lines = text.split('\n');
    /** @param {string} needle */
    const lineOf = (needle) => {
      const i = lines.findIndex((l) => l.includes(needle));
      return i < 0 ? undefined : i + 1;
    };
    if (error) {
      const at = error.start !== undefined ? ts.getLineAndCharacterOfPosition(ts.createSourceFile(file, text, ts.ScriptTarget.Latest), error.start).line + 1 : undefined;
      return { file, text, config: null, error: `${ts.flattenDiagnosticMessageText(error.messageText, ' ')}${at ? ` (line ${at})` : ''}`, lineOf };
    }
    return { file, text, config: config && typeof config === 'object' ? config : null, error: config && typeof config === 'object' ? null : 'not a JSON object', lineOf };
  }
  return null;
}
