import { fail, pass, seed, type Check, type Evidence } from '../../types.js';

/** A README with an architecture diagram and how to run it. */
export const readme: Check = {
  id: 'delivery.readme',
  title: 'README with an architecture diagram and how to run the project',
  seed: seed('s003', 'Delivery Standards: Documentation (architecture diagrams, API documentation, deployment guides)'),
  kind: 'static',
  async run({ project }) {
    const text = await project.read('README.md');
    if (text === undefined) return fail('README.md is missing', [{ text: 'README.md: not found' }], 'Restore README.md (architecture diagram, quick start).');
    const lines = text.split('\n');
    const problems: Evidence[] = [];
    const diagram = lines.findIndex((l) => /^```\s*mermaid\b/.test(l.trim()));
    const headings = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^#{1,3}\s/.test(l));
    const arch = headings.find(({ l }) => /architecture/i.test(l));
    const run = headings.find(({ l }) => /(quick ?start|getting started|run|usage|develop)/i.test(l));
    if (diagram < 0) problems.push({ file: 'README.md', text: 'no architecture diagram (a ```mermaid block)' });
    if (!arch) problems.push({ file: 'README.md', text: 'no Architecture section' });
    if (!run) problems.push({ file: 'README.md', text: 'no section on how to run it (Quick start)' });
    if (problems.length) return fail(`README.md lacks ${problems.length} part(s)`, problems, 'Keep the Architecture section with its mermaid diagram and the Quick start in README.md.');
    return pass('README.md has an architecture diagram and a quick start', [
      { file: 'README.md', line: diagram + 1, text: 'mermaid architecture diagram' },
      { file: 'README.md', line: run!.i + 1, text: run!.l },
    ]);
  },
};
