import { missingFeatureFile } from '../feature-files.js';
import { fail, pass, seed, type Check } from '../../types.js';

interface Instruction {
  op: string;
  args: string;
  line: number;
}

/** Dockerfile instructions: comments skipped, backslash continuations joined, each with its first line. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!;
    if (/^\s*(#|$)/.test(l)) continue;
    const start = i + 1;
    while (/\\\s*$/.test(l) && i + 1 < lines.length) l = l.replace(/\\\s*$/, ' ') + lines[++i];
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(l);
    if (m) out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
  }
  return out;
}

export const dockerfileNonRoot: Check = {
  id: 'delivery.dockerfile-non-root',
  title: 'The Dockerfile runs the app as a non-root user',
  seed: seed('s001', 'Security-First Architecture: principle of least privilege'),
  kind: 'static',
  async run({ project }) {
    const text = await project.read('Dockerfile');
    if (text === undefined) return missingFeatureFile(project, 'docker', 'Dockerfile', 'Restore the Dockerfile.');
    const ins = parseDockerfile(text);
    const froms = ins.map((x, i) => (x.op === 'FROM' ? i : -1)).filter((i) => i >= 0);
    const last = ins.slice(froms[froms.length - 1] ?? 0);
    const users = last.filter((x) => x.op === 'USER');
    const user = users[users.length - 1];
    if (!user) return fail('The final image stage has no USER: the app runs as root', [{ file: 'Dockerfile', line: last[0]?.line ?? 1, text: `final stage ${last[0]?.args ?? ''} has no USER instruction` }], 'Add `USER node` (the unprivileged user of the node image) before CMD in the final stage.');
    const name = user.args.split(':')[0]!.trim();
    if (name === 'root' || name === '0') return fail(`The final stage runs as ${name}`, [{ file: 'Dockerfile', line: user.line, text: `USER ${user.args}` }], 'Use `USER node` (or another unprivileged user).');
    return pass(`The final stage runs as ${name}`, [{ file: 'Dockerfile', line: user.line, text: `USER ${user.args}` }]);
  },
};
