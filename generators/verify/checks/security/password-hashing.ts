import ts from 'typescript';
import { calleeName, findAll } from '../../analysis/source.js';
import { fail, pass, seed, type Check } from '../../types.js';

const HASHERS = new Set(['@node-rs/argon2', 'argon2', '@node-rs/bcrypt', 'bcrypt', 'bcryptjs']);

export const passwordHashing: Check = {
  id: 'security.password-hashing',
  title: 'Passwords are hashed with argon2 (or bcrypt)',
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
    return fail('No password hashing with argon2/bcrypt found in src/', [{ text: 'no hash() call imported from @node-rs/argon2, argon2 or bcrypt' }], 'Hash passwords with argon2id (@node-rs/argon2 hash()) before storing them; never store or compare plaintext.');
  },
};
