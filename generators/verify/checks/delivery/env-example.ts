import ts from 'typescript';
import { findAll } from '../../analysis/source.js';
import { fail, pass, seed, type Check, type Evidence } from '../../types.js';

/**
 * .env.example documents every variable the app reads from the environment: `process.env.X` anywhere in
 * src/, and the UPPER_SNAKE keys of the configuration module — src/config.ts (a Node process's), or
 * src/env.ts (a Worker's, whose variables arrive as bindings and are validated there).
 */
export const envExample: Check = {
  id: 'delivery.env-example',
  title: '.env.example lists every environment variable the app reads',
  seed: seed('s004', 'Output Format: document any setup steps or environment variables needed'),
  kind: 'static',
  async run({ project }) {
    const text = await project.read('.env.example');
    if (text === undefined) return fail('.env.example is missing', [{ text: '.env.example: not found' }], 'Restore .env.example with every variable of the configuration module (src/config.ts or src/env.ts).');
    const documented = new Set(text.split('\n').map((l) => /^\s*([A-Z][A-Z0-9_]*)\s*=/.exec(l)?.[1]).filter(Boolean) as string[]);
    const sources = await project.sources();
    const read = new Map<string, { file: string; line: number }>();
    // Variables named in src/config.ts's schema, and any process.env.X read elsewhere.
    for (const { file, sf } of sources.app) {
      for (const n of findAll(sf, ts.isPropertyAccessExpression)) {
        if (n.expression.getText() === 'process.env' && /^[A-Z][A-Z0-9_]*$/.test(n.name.text)) read.set(n.name.text, { file, line: sources.lineOf(n) });
      }
      if (file === 'src/config.ts' || file === 'src/env.ts') {
        for (const p of findAll(sf, ts.isPropertyAssignment)) {
          const name = ts.isIdentifier(p.name) ? p.name.text : undefined;
          if (name && /^[A-Z][A-Z0-9_]+$/.test(name)) read.set(name, { file, line: sources.lineOf(p) });
        }
      }
    }
    const missing: Evidence[] = [...read].filter(([name]) => !documented.has(name) && !['NODE_ENV', 'CI'].includes(name)).map(([name, at]) => ({ ...at, text: `${name} is read here but not in .env.example` }));
    if (missing.length) return fail(`${missing.length} variable(s) missing from .env.example`, missing, 'Add each variable to .env.example with a comment and a placeholder value (never a real secret).');
    return pass(`.env.example documents all ${read.size} variable(s) the app reads`, [{ file: '.env.example', text: [...documented].join(', ') }]);
  },
};
