// @ts-check
/**
 * The Worker reaches PostgreSQL only through the Hyperdrive binding: the configuration declares one,
 * and every database client the Worker's code creates (pg's Client/Pool, postgres()) takes its
 * connection string from a Hyperdrive binding — directly, or through the one function that opens
 * clients when every caller passes it the binding's. No database URL or direct host in the Worker.
 */
import ts from 'typescript';
import { readWranglerConfig, CONFIG_FILES } from './config.js';
import { findAll, lineOf, workerSources } from './source.js';

const DRIVERS = new Set(['pg', 'postgres', '@neondatabase/serverless']);

/** @param {import('../../../generators/blueprints/contract.js').CheckKit} kit @returns {import('../../../generators/blueprints/contract.js').Check} */
export const dbThroughProxy = ({ pass, fail, seed }) => ({
  id: 'serverless.db-through-proxy',
  title: 'The Worker reaches PostgreSQL only through the Hyperdrive binding (connection pooling at the edge)',
  seed: seed('s004', 'Performance & Reliability: connection pooling; no connection exhaustion'),
  kind: 'static',
  async run({ project }) {
    const read = await readWranglerConfig(project);
    if (!read?.config) return fail('no readable wrangler configuration', [{ text: read?.error ?? `none of ${CONFIG_FILES.join(', ')}` }], 'Restore wrangler.jsonc with its hyperdrive binding.');
    const bindings = (read.config.hyperdrive ?? []).map((h) => h.binding).filter((b) => typeof b === 'string');
    /** @type {{ file?: string, line?: number, text: string }[]} */
    const problems = [];
    /** @type {{ file?: string, line?: number, text: string }[]} */
    const ok = [];
    if (bindings.length === 0) problems.push({ file: read.file, text: 'no hyperdrive binding: the Worker would connect to PostgreSQL directly, one connection per isolate' });
    const viaBinding = (/** @type {string} */ text) => bindings.some((b) => new RegExp(`\\b${b}\\s*\\??\\.\\s*connectionString\\b`).test(text));
    const sources = await workerSources(project);
    /** @type {Map<string, { file: string, name: string }>} functions whose connection string is a parameter's, to check at their call sites */
    const openers = new Map();
    for (const f of sources.files.values()) {
      for (const lit of findAll(f.sf, (n) => ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)))
        if (/^postgres(ql)?:\/\//i.test(/** @type {ts.StringLiteral} */ (lit).text)) problems.push({ file: f.file, line: lineOf(f.sf, lit), text: 'a PostgreSQL URL in the Worker\'s code' });
      for (const id of findAll(f.sf, (n) => (ts.isIdentifier(n) || ts.isStringLiteral(n)) && /** @type {ts.Identifier} */ (n).text === 'DATABASE_URL'))
        problems.push({ file: f.file, line: lineOf(f.sf, id), text: 'reads DATABASE_URL: a direct connection, not the Hyperdrive binding' });
      const driverNames = new Set(f.imports.filter((i) => DRIVERS.has(i.from)).flatMap((i) => [...i.names.keys()]));
      if (driverNames.size === 0) continue;
      for (const n of findAll(f.sf, (x) => ts.isNewExpression(x) || ts.isCallExpression(x))) {
        const call = /** @type {ts.NewExpression | ts.CallExpression} */ (n);
        const root = call.expression.getText(f.sf).split('.')[0] ?? '';
        // new pg.Client(…), new Pool(…), postgres(…): a client of a PostgreSQL driver.
        const isClient = ts.isNewExpression(call) ? driverNames.has(root) : ts.isIdentifier(call.expression) && driverNames.has(call.expression.text);
        if (!isClient) continue;
        const arg = call.arguments?.[0];
        const text = arg ? arg.getText(f.sf).replace(/\s+/g, ' ') : '';
        const at = { file: f.file, line: lineOf(f.sf, call) };
        if (viaBinding(text)) ok.push({ ...at, text: `${call.expression.getText(f.sf)}(… ${text.slice(0, 60)} …)` });
        else if (arg && /\b(host|port)\s*:/.test(text) && !viaBinding(text)) problems.push({ ...at, text: `${call.expression.getText(f.sf)} with its own host/port: bypasses Hyperdrive` });
        else {
          // The connection string comes from a parameter: check every caller of the enclosing function.
          let fn = call.parent;
          while (fn && !ts.isFunctionDeclaration(fn) && !ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn) && !ts.isMethodDeclaration(fn)) fn = fn.parent;
          const name = fn && ts.isFunctionDeclaration(fn) && fn.name ? fn.name.text : undefined;
          if (!name) problems.push({ ...at, text: `${call.expression.getText(f.sf)}(${text.slice(0, 60)}): the connection string does not come from a Hyperdrive binding` });
          else openers.set(`${f.file}#${name}`, { file: f.file, name });
        }
      }
    }
    for (const opener of openers.values()) {
      const calls = [];
      for (const f of sources.files.values()) {
        const local = f.file === opener.file ? opener.name : [...f.imports.filter((i) => i.resolved === opener.file)].flatMap((i) => [...i.names].filter(([, imported]) => imported === opener.name).map(([l]) => l))[0];
        if (!local) continue;
        for (const call of /** @type {ts.CallExpression[]} */ (findAll(f.sf, (n) => ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === local))) calls.push({ f, call });
      }
      if (calls.length === 0) continue;
      for (const { f, call } of calls) {
        const text = call.arguments.map((a) => a.getText(f.sf)).join(', ').replace(/\s+/g, ' ');
        if (viaBinding(text)) ok.push({ file: f.file, line: lineOf(f.sf, call), text: `${opener.name}(… ${text.slice(0, 60)} …)` });
        else problems.push({ file: f.file, line: lineOf(f.sf, call), text: `${opener.name}(${text.slice(0, 80)}): the connection string is not the Hyperdrive binding's` });
      }
    }
    if (problems.length === 0 && ok.length === 0) problems.push({ text: 'no database client found in src/: expected one opened on the Hyperdrive binding\'s connection string' });
    return problems.length
      ? fail(`${problems.length} way(s) to PostgreSQL around the connection proxy`, problems, `Open clients only with env.${bindings[0] ?? 'HYPERDRIVE'}.connectionString (the hyperdrive binding in ${read.file}).`)
      : pass(`PostgreSQL only through ${bindings.join(', ')} (${ok.length} place(s))`, ok);
  },
});
