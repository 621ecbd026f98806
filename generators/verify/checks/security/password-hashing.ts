import ts from 'typescript';
import { calleeName, enclosingFunction, findAll, type Sources } from '../../analysis/source.js';
import { evaluate, UNKNOWN } from '../../analysis/evaluate.js';
import { fail, pass, seed, type Check, type Evidence } from '../../types.js';

const HASHERS = new Set(['@node-rs/argon2', 'argon2', '@node-rs/bcrypt', 'bcrypt', 'bcryptjs']);

/**
 * scrypt's cost parameters OWASP's Password Storage Cheat Sheet lists as equivalent minimums (r = 8):
 * N = 2^17 with p = 1, 2^16/2, 2^15/3, 2^14/5, 2^13/10. A runtime without native addons (a Worker)
 * has scrypt natively in node:crypto, not argon2.
 */
const SCRYPT_MINIMUMS: [number, number][] = [
  [2 ** 17, 1],
  [2 ** 16, 2],
  [2 ** 15, 3],
  [2 ** 14, 5],
  [2 ** 13, 10],
];
const strongScrypt = (n: number, r: number, p: number) => r >= 8 && SCRYPT_MINIMUMS.some(([minN, minP]) => n >= minN && p >= minP);

export const passwordHashing: Check = {
  id: 'security.password-hashing',
  title: "Passwords are hashed with argon2 (or bcrypt, or scrypt at OWASP's cost)",
  seed: seed('s004', 'Security & Authentication: proper password hashing (bcrypt, Argon2), never plaintext'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    for (const { sf } of sources.app) {
      for (const call of findAll(sf, ts.isCallExpression)) {
        if (calleeName(call) !== 'hash' && calleeName(call) !== 'hashSync') continue;
        const id = ts.isIdentifier(call.expression) ? call.expression : ts.isPropertyAccessExpression(call.expression) && ts.isIdentifier(call.expression.expression) ? call.expression.expression : undefined;
        const from = id && sources.importSource(id);
        if (from && HASHERS.has(from)) return pass(`Passwords are hashed with ${from}`, [sources.at(call)]);
      }
    }
    const scrypt = scryptUses(sources);
    const strong = scrypt.filter((u) => u.strong);
    if (scrypt.length > 0 && strong.length === scrypt.filter((u) => u.known).length && strong.length > 0)
      return pass(`Passwords are hashed with scrypt (node:crypto) at OWASP's cost: ${strong.map((u) => u.params).join('; ')}`, strong.map((u) => u.at));
    const evidence: Evidence[] = scrypt.length
      ? scrypt.map((u) => ({ ...u.at, text: `${u.at.text}: ${u.known ? `${u.params}${u.strong ? '' : " — below OWASP's minimum"}` : 'cost parameters not known statically'}` }))
      : [{ text: 'no hash() call imported from @node-rs/argon2, argon2 or bcrypt, and no scrypt from node:crypto' }];
    return fail(scrypt.length ? "scrypt is used below OWASP's minimum cost (or with unknown parameters)" : 'No password hashing with argon2/bcrypt/scrypt found in src/', evidence, "Hash passwords with argon2id (@node-rs/argon2 hash()); where native addons cannot load (a Worker), node:crypto's scrypt with N=2^15, r=8, p=3 or stronger (OWASP's Password Storage Cheat Sheet).");
  },
};

interface ScryptUse {
  at: Evidence & { file: string; line: number };
  known: boolean;
  strong: boolean;
  params: string;
}

/**
 * Every scrypt/scryptSync call imported from node:crypto, with its N, r, p: evaluated where they are
 * constants, or — when they are the enclosing function's parameters — at each call of that function
 * that passes constants (a verifier that passes a stored hash's parameters passes none).
 */
function scryptUses(sources: Sources): ScryptUse[] {
  const out: ScryptUse[] = [];
  for (const { sf } of sources.app) {
    for (const call of findAll(sf, ts.isCallExpression)) {
      const name = calleeName(call);
      if (name !== 'scrypt' && name !== 'scryptSync') continue;
      const id = ts.isIdentifier(call.expression) ? call.expression : ts.isPropertyAccessExpression(call.expression) && ts.isIdentifier(call.expression.expression) ? call.expression.expression : undefined;
      if (!id || !/^(node:)?crypto$/.test(sources.importSource(id) ?? '')) continue;
      // scrypt(password, salt, keylen[, options], callback): a function in 4th place means no options.
      const fourth = call.arguments[3];
      const options = fourth && !ts.isArrowFunction(fourth) && !ts.isFunctionExpression(fourth) ? fourth : undefined;
      const at = sources.at(call, call.getText().replace(/\s+/g, ' ').slice(0, 100));
      const envs: Map<string, unknown>[] = [new Map()];
      // The nearest enclosing named function (the call may sit in a callback, e.g. inside new Promise(…)).
      let fn = enclosingFunction(call);
      const nameOf = (f: ts.FunctionLikeDeclaration) => (ts.isFunctionDeclaration(f) ? f.name?.text : ts.isVariableDeclaration(f.parent) && ts.isIdentifier(f.parent.name) ? f.parent.name.text : undefined);
      while (fn && !nameOf(fn)) fn = enclosingFunction(fn);
      const fnName = fn && nameOf(fn);
      if (fn && fnName) {
        for (const { sf: other } of sources.app)
          for (const c of findAll(other, ts.isCallExpression))
            if (ts.isIdentifier(c.expression) && c.expression.text === fnName && c !== call)
              envs.push(new Map(fn.parameters.map((p, i) => [p.name.getText(), evaluate(sources, c.arguments[i])])));
      }
      // Scrypt's defaults when the options leave a parameter out: N=16384, r=8, p=1.
      const read = (o: unknown, k: string, alt: string, dflt: number) => (o && typeof o === 'object' ? ((o as Record<string, unknown>)[k] ?? (o as Record<string, unknown>)[alt] ?? dflt) : options ? UNKNOWN : dflt);
      for (const env of envs) {
        const o = options ? evaluate(sources, options, env) : undefined;
        const [n, r, p] = [read(o, 'N', 'cost', 16384), read(o, 'r', 'blockSize', 8), read(o, 'p', 'parallelization', 1)];
        const known = [n, r, p].every((v) => typeof v === 'number');
        if (!known && env.size > 0) continue; // this caller passes values only known at run time (a stored hash's)
        out.push({ at, known, strong: known && strongScrypt(n as number, r as number, p as number), params: known ? `N=${n}, r=${r}, p=${p}` : 'unknown' });
      }
    }
  }
  // A call whose parameters only callers fix is judged by those callers; drop its own "unknown" when they exist.
  return out.filter((u, _, all) => u.known || !all.some((v) => v.known && v.at.line === u.at.line && v.at.file === u.at.file));
}
