import ts from 'typescript';
import { Constness, isNamespace } from '../../analysis/constant.js';
import { Flow, isEnvRead } from '../../analysis/flow.js';
import { programOf, skipOuter } from '../../analysis/program.js';
import { oneLine, propName } from '../../analysis/source.js';
import { seed, verdict, type Check, type Evidence } from '../../types.js';

/** Credentials recognisable by their format, wherever they appear in source. */
const KNOWN_FORMATS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\b(postgres(ql)?|redis|rediss|mysql|amqp):\/\/[^:/\s]+:[^@/\s]+@/, 'a connection string with a password'],
  [/\b(sk|pk)_(live|test)_[0-9a-zA-Z]{16,}\b/, 'a payment API key'],
  [/\bgh[pousr]_[0-9A-Za-z]{36}\b/, 'a GitHub token'],
];

/** A credential inside a longer literal (a URL's user:password@). */
const EMBEDDED_CREDENTIAL = /:\/\/[^/@\s]*:[^/@\s]+@/;

/** Object properties that hold a secret wherever they are written (plugin options, client configs). */
const SECRET_PROPS = /^(secret|secretOrPrivateKey|secretOrPublicKey|privateKey|signingKey|jwtSecret|hmacKey|hmacSecret|encryptionKey|connectionString|databaseUrl|redisUrl)$/;
/** Connection constructors: their first argument (a URL) is a secret sink, and so are these properties of an options object. */
const CONNECTORS = /^(Pool|Client|Redis|IORedis|Cluster|Sequelize|Knex|knex|postgres|createClient|createPool|createCluster)$/;
const CONNECTOR_PROPS = /^(url|password|connectionString|uri)$/;

/**
 * Secrets come only from the environment. Follows every value that reaches a secret sink — the JWT
 * signer (`secret` options, `sign`/`verify` keys), HMAC keys (`createHmac`, `createSecretKey`), the
 * database URL (pg Pool/Client `connectionString`, a connection URL), the Redis URL (`new Redis(url)`,
 * `createClient({ url })`) — back through variables, object properties, helper functions,
 * parameters' defaults, `??` / `||` and config tables' defaults (the TypeScript checker's symbols).
 * Any string literal it can come from fails; `process.env` is where it must come from. Credentials
 * recognisable by format (PEM keys, cloud keys, URLs with a password) fail wherever they are.
 */
export const noSecretLiterals: Check = {
  id: 'code.no-secret-literals',
  title: 'No secret literals reach a secret sink (secrets only from the environment)',
  seed: seed('s000', 'Security Checklist: Secrets management (env vars, vault)'),
  kind: 'static',
  async run({ project }) {
    const program = await programOf(project);
    const flow = new Flow(program, { nameFallback: true });
    const constness = new Constness(new Flow(program));
    const problems = new Map<string, Evidence>();
    const add = (lit: ts.Node, text: string) => {
      const at = program.at(lit);
      const key = `${at.file}:${at.line}`;
      if (!problems.has(key)) problems.set(key, { ...at, text });
    };
    let sinks = 0;
    for (const { file, sf } of program.files) {
      if (/\.(test|spec)\.ts$/.test(file) || file.startsWith('test/')) continue;
      const visit = (n: ts.Node): void => {
        if (ts.isStringLiteralLike(n)) for (const [re, what] of KNOWN_FORMATS) if (re.test(n.text)) add(n, `${what}: ${mask(n.text)}`);
        for (const sink of sinksAt(n, (callee) => flow.program.functionOf(callee) !== undefined)) {
          sinks++;
          const s = program.at(sink.node);
          traceLiterals(flow, constness, sink.value, (lit, path) =>
            add(lit, `${mask(literalText(lit))} (a literal) reaches ${sink.what} at ${s.file}:${s.line}${path.length > 1 ? ` via ${path.map((p) => oneLine(p.getText(), 40)).join(' ← ')}` : ''}`),
          );
        }
        n.forEachChild(visit);
      };
      visit(sf);
    }
    const list = [...problems.values()];
    return verdict(
      list,
      { summary: `${sinks} secret sink(s) (JWT, HMAC, database and Redis URLs): every value comes from the environment, no literal reaches one` },
      { summary: `${list.length} secret literal(s) reach a secret sink or sit in source`, fix: 'Read the value from the environment (src/config.ts, validated at boot, with no default for a secret) and put a placeholder in .env.example; rotate the leaked secret.' },
    );
  },
};

interface SecretSink {
  node: ts.Node;
  value: ts.Expression;
  what: string;
}

function sinksAt(n: ts.Node, isProjectFunction: (callee: ts.Expression) => boolean): SecretSink[] {
  const out: SecretSink[] = [];
  if (ts.isPropertyAssignment(n)) {
    const name = propName(n.name);
    if (name && SECRET_PROPS.test(name)) out.push({ node: n, value: n.initializer, what: `the ${name} option` });
  }
  if (ts.isShorthandPropertyAssignment(n) && SECRET_PROPS.test(n.name.text)) out.push({ node: n, value: n.name, what: `the ${n.name.text} option` });
  if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
    const callee = n.expression;
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    const args = n.arguments ?? [];
    if (name === 'createHmac' && args[1]) out.push({ node: n, value: args[1], what: 'the HMAC key of createHmac()' });
    if ((name === 'createSecretKey' || name === 'importKey') && args[name === 'importKey' ? 1 : 0]) out.push({ node: n, value: args[name === 'importKey' ? 1 : 0]!, what: `the key of ${name}()` });
    if ((name === 'sign' || name === 'verify') && args[1] && ts.isPropertyAccessExpression(callee) && /^(jwt|jsonwebtoken|jws)$/i.test(skipOuter(callee.expression).getText())) out.push({ node: n, value: args[1], what: `the key of jwt.${name}()` });
    // A project function of that name is followed into its body instead (its own sinks are checked there).
    if (CONNECTORS.test(name) && args[0] && !isProjectFunction(callee)) {
      const a = skipOuter(args[0]);
      if (ts.isObjectLiteralExpression(a)) {
        for (const p of a.properties) if (ts.isPropertyAssignment(p) && CONNECTOR_PROPS.test(propName(p.name) ?? '')) out.push({ node: p, value: p.initializer, what: `the ${propName(p.name)} of ${name}()` });
      } else out.push({ node: n, value: args[0], what: `the connection URL of ${name}()` });
    }
  }
  return out;
}

/** Follows a sink's value back and reports every string literal it can be. */
function traceLiterals(flow: Flow, constness: Constness, start: ts.Expression, found: (lit: ts.Node, path: readonly ts.Expression[]) => void): void {
  flow.trace(start, {
    visit: (x, path) => {
      const e = skipOuter(x);
      if (e !== x) return 'follow';
      if (isEnvRead(e)) return 'stop'; // from the environment: what the rule asks for
      if (ts.isStringLiteralLike(e)) {
        if (e.text.length > 0) found(e, path);
        return 'stop';
      }
      // Text built only from literals ('dev-' + 'secret', `${PREFIX}-key`) is a literal too.
      if ((ts.isTemplateExpression(e) || (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken)) && constness.variable(e) === null) {
        found(e, path);
        return 'stop';
      }
      if (ts.isTemplateExpression(e)) {
        for (const part of [e.head, ...e.templateSpans.map((s) => s.literal)]) if (EMBEDDED_CREDENTIAL.test(part.text)) found(e, path);
        for (const s of e.templateSpans) traceLiterals(flow, constness, s.expression, (lit, p) => found(lit, [...path, ...p]));
        return 'stop';
      }
      if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
        for (const part of [e.left, e.right]) {
          const p = skipOuter(part);
          if (ts.isStringLiteralLike(p)) {
            if (EMBEDDED_CREDENTIAL.test(p.text)) found(p, path);
          } else traceLiterals(flow, constness, part, (lit, q) => found(lit, [...path, ...q]));
        }
        return 'stop';
      }
      if (ts.isObjectLiteralExpression(e)) {
        // A config table entry { schema, default, … }: the default is what the value is when the environment lacks it.
        for (const p of e.properties) if (ts.isPropertyAssignment(p) && propName(p.name) === 'default') traceLiterals(flow, constness, p.initializer, (lit, q) => found(lit, [...path, ...q]));
        return 'stop';
      }
      if (ts.isCallExpression(e)) {
        if (flow.program.functionOf(e.expression)) return 'follow';
        const callee = e.expression;
        const inputs: ts.Expression[] = [];
        if (ts.isPropertyAccessExpression(callee)) {
          const namespace = isNamespace(flow, callee.expression);
          if (!namespace) inputs.push(callee.expression); // secret.trim(), z.string().default(…)
          if ((namespace || /^(default|catch|prefault|concat)$/.test(callee.name.text)) && e.arguments[0]) inputs.push(e.arguments[0]); // Buffer.from(x), .default('…')
        } else if (e.arguments[0]) inputs.push(e.arguments[0]); // String(x)
        for (const i of inputs) traceLiterals(flow, constness, i, (lit, q) => found(lit, [...path, ...q]));
        return 'stop';
      }
      if (ts.isArrayLiteralExpression(e) || ts.isNewExpression(e) || ts.isFunctionLike(e)) return 'stop';
      return 'follow';
    },
  });
}

function literalText(n: ts.Node): string {
  return ts.isStringLiteralLike(n) ? n.text : ts.isTemplateExpression(n) ? n.getText().slice(1, -1) : n.getText();
}

function mask(v: string): string {
  return v.length <= 8 ? JSON.stringify('*'.repeat(v.length)) : `"${v.slice(0, 4)}…${v.slice(-2)}" (${v.length} chars)`;
}
