import { missingFeatureFile } from '../feature-files.js';
import { fail, pass, seed, type Check, type Evidence } from '../../types.js';

/** A CI workflow that installs, type-checks, runs the tests (against real services) and builds. */
export const ciWorkflow: Check = {
  id: 'delivery.ci-workflow',
  title: 'A CI workflow type-checks, tests and builds',
  seed: seed('s003', 'Delivery Standards: Deployment (CI/CD pipelines)'),
  kind: 'static',
  async run({ project }) {
    const files = project.files.filter((f) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(f));
    if (files.length === 0) return missingFeatureFile(project, 'ci', '.github/workflows/ci.yml', 'Restore .github/workflows/ci.yml.');
    const steps: { file: string; run: string; line: number }[] = [];
    for (const file of files) {
      const parsed = await project.yaml(file);
      const text = (await project.read(file)) ?? '';
      const jobs = (parsed?.data as { jobs?: Record<string, { steps?: { run?: string }[] }> } | null)?.jobs ?? {};
      for (const job of Object.values(jobs)) for (const s of job.steps ?? []) if (s.run) steps.push({ file, run: s.run, line: text.split('\n').findIndex((l) => l.includes(s.run!.split('\n')[0]!)) + 1 });
    }
    const need: [string, RegExp][] = [
      ['install', /\bnpm (ci|install)\b|\bpnpm install\b|\byarn( install)?\b/],
      ['typecheck', /\b(typecheck|tsc)\b/],
      ['tests', /\bnpm (run )?test\b|\bvitest\b|\bpnpm test\b|\byarn test\b/],
      ['build', /\b(run )?build\b/],
    ];
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    for (const [what, re] of need) {
      const s = steps.find((x) => re.test(x.run));
      if (s) ok.push({ file: s.file, line: s.line, text: `${what}: ${s.run}` });
      else problems.push({ file: files[0]!, text: `no step runs ${what}` });
    }
    if (problems.length) return fail(`The CI workflow misses ${problems.length} step(s)`, problems, 'Run npm ci, npm run typecheck, npm test (with PostgreSQL and Redis services) and npm run build in the workflow.');
    return pass(`CI installs, type-checks, tests and builds (${files.join(', ')})`, ok);
  },
};
