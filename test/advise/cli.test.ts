/** `backend-arch advise` end to end in-process: flags, answers file, --json, --save, bad input, and `new` starting from the advice. */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, scriptedPrompter } from '../support/cli.js';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'cba-advise-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const advise = (args: string[], prompter?: ReturnType<typeof scriptedPrompter>) => runCli(['advise', ...args], { cwd, as: 'backend-arch', ...(prompter ? { prompter } : {}) });

describe('backend-arch advise', () => {
  it('prints the matrix, the recommendation with reasons and sources, the cost at 1×–10× and the command', async () => {
    const run = await advise(['--teams', '6', '--team-size', '40', '--rps', '2000', '--peak-rps', '5000', '--p95', '150']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Decision matrix/);
    expect(run.stdout).toMatch(/^ {2}microservices\s+\d/m);
    expect(run.stdout).toContain('Recommendation: microservices');
    expect(run.stdout).not.toContain('microservices (not available yet)');
    expect(run.stdout).toContain('many-teams (4 or more teams deploy independently)');
    expect(run.stdout).toContain('https://learn.microsoft.com/en-us/azure/architecture/guide/architecture-styles/microservices');
    expect(run.stdout).not.toContain('Meanwhile');
    expect(run.stdout).toMatch(/ 10× {2}50000 req\/s peak/);
    expect(run.stdout).toContain('npx create-backend-arch my-api --blueprint microservices');
  });

  it('--json gives the advice as data', async () => {
    const run = await advise(['--traffic', 'idle', '--rps', '1', '--peak-rps', '20', '--budget', '40', '--team-size', '2', '--p95', '400', '--json']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.recommended).toBe('serverless');
    expect(json.ranking).toHaveLength(4);
    expect(json.estimate.rows.map((r: { multiplier: number }) => r.multiplier)).toEqual([1, 2, 5, 10]);
    expect(json.given).toEqual({ traffic: 'idle', rpsAverage: 1, rpsPeak: 20, budgetUsdPerMonth: 40, teamSize: 2, p95Ms: 400 });
    expect(json.command).toBe('npx create-backend-arch my-api --blueprint serverless'); // serverless is available
  });

  it('reads an answers file (bare or under "context"); flags win over it', async () => {
    await writeFile(path.join(cwd, 'ctx.yaml'), 'replacesSystem: true\nteams: 2\nrpsAverage: 300\n');
    const bare = JSON.parse((await advise(['--answers', 'ctx.yaml', '--json'])).stdout);
    expect(bare.recommended).toBe('hybrid');
    await writeFile(path.join(cwd, 'answers.json'), JSON.stringify({ name: 'x', context: { replacesSystem: true, teams: 2 } }));
    const wrapped = JSON.parse((await advise(['--answers', 'answers.json', '--json'])).stdout);
    expect(wrapped.recommended).toBe('hybrid');
    const overridden = JSON.parse((await advise(['--answers', 'ctx.yaml', '--replaces-system', 'no', '--json'])).stdout);
    expect(overridden.context.replacesSystem).toBe(false);
    expect(overridden.recommended).toBe('monolith-cache');
  });

  it('bad flags: exit 2, every bad flag named, no stack trace', async () => {
    const run = await advise(['--rps', 'lots', '--traffic', 'wavy', '--teams', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--rps');
    expect(run.stderr).toContain('(got "lots")');
    expect(run.stderr).toMatch(/--traffic Invalid option: expected one of "steady"\|"spiky"\|"idle"/);
    expect(run.stderr).toMatch(/--teams expected at least 1 team/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });

  it('a bad answers file: exit 2 naming file, line and field', async () => {
    await writeFile(path.join(cwd, 'ctx.yaml'), 'teams: 2\ntraffic: bursty\nbudget: 10\n');
    const run = await advise(['--answers', 'ctx.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/ctx\.yaml:2:1 traffic: Invalid option/);
    expect(run.stderr).toMatch(/ctx\.yaml:3:1 budget: unknown key "budget"/);
    const missing = await advise(['--answers', 'nope.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read answers file nope.yaml: no such file');
  });

  it('--save writes answers that `new --answers` turns into the decision record; never overwrites', async () => {
    const run = await advise(['--replaces-system', '--teams', '2', '--rps', '300', '--save', 'advice.json']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('npx create-backend-arch my-api --blueprint hybrid --answers advice.json');
    const saved = JSON.parse(await readFile(path.join(cwd, 'advice.json'), 'utf8'));
    expect(saved).toEqual({ blueprint: 'hybrid', context: { rpsAverage: 300, teams: 2, replacesSystem: true } });
    const again = await advise(['--save', 'advice.json', '--yes']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('the file exists');
    expect(JSON.parse(await readFile(path.join(cwd, 'advice.json'), 'utf8'))).toEqual(saved);

    const gen = await runCli(['api', '--answers', 'advice.json', '--yes', '--no-install', '--no-verify'], { cwd });
    expect(gen.code).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(cwd, 'api/.backend-arch/manifest.json'), 'utf8'));
    expect(manifest.answers.context).toEqual(saved.context);
    const adr = await readFile(path.join(cwd, 'api/docs/architecture.md'), 'utf8');
    expect(adr).toMatch(/Recommended for this context: \*\*Hybrid \(`hybrid`\)\*\*/);
    expect(adr).not.toMatch(/not available yet/);
    expect(adr).toMatch(/\| Expected requests per second, on average\s+\| 300\s+\| stated \(`--rps`\)/);
    expect(adr).toContain('This project replaces the existing system');
  });

  it('uses the throughput a verify run measured in the project', async () => {
    await mkdir(path.join(cwd, 'docs'));
    await writeFile(
      path.join(cwd, 'docs/verification.md'),
      '# Verification report\n\nChecked by `backend-arch verify` (create-backend-arch 0.1.0, blueprint `monolith-cache`) on 2026-11-26T09:00:00.000Z:\n\n| ✓ | `dynamic.load-p95` | dynamic | p95 3 ms < 100 ms at 6000 req/s [requests=18000, rps=6000] | x |\n',
    );
    const json = JSON.parse((await advise(['--json', '--peak-rps', '9000', '--rps', '3000'])).stdout);
    expect(json.estimate.throughput.basis).toBe('measured');
    expect(json.estimate.throughput.perInstanceRps).toBe(1500);
    expect(json.estimate.rows[0].apiInstances).toBe(6);
    const text = (await advise(['--yes'])).stdout;
    expect(text).toContain('measured by verify: 6000 req/s');
  });

  it('prompts for what flags did not answer, on a terminal', async () => {
    // rps, peak, users, data, growth, p95 (inputs), traffic (select), team size, teams, budget (inputs),
    // realtime (select), compliance, stack (inputs), replaces (select), provider (select)
    const prompter = scriptedPrompter(['', '', '', '', '', '', 'idle', '2', '', '30', 'no', '', '', 'no', 'gcp']);
    const run = await advise([], prompter);
    expect(run.code).toBe(0);
    expect(prompter.asked[0]).toMatch(/Expected requests per second/);
    expect(run.stdout).toContain('Recommendation: serverless');
    expect(run.stdout).toContain('Google Cloud');
  });
});

describe('docs/architecture.md after generation', () => {
  it('`update` redraws the same record from answers.context, and uses the throughput verify measured', async () => {
    await writeFile(path.join(cwd, 'a.json'), JSON.stringify({ context: { rpsAverage: 3000, rpsPeak: 9000, teams: 1 } }));
    expect((await runCli(['api', '--answers', 'a.json', '--yes', '--no-install', '--no-verify'], { cwd })).code).toBe(0);
    const dir = path.join(cwd, 'api');
    const before = await readFile(path.join(dir, 'docs/architecture.md'), 'utf8');
    // The numbers follow from the answers: 9000 req/s peak ÷ 250 per instance = 36 API instances at 1×.
    expect(before).toMatch(/\| API \/ worker instances\s*\| 36 \/ 9\s*\| 72 \/ 18 /);
    expect(before).toContain('rule of thumb: 250 mixed req/s');
    const same = await runCli(['update', '--dir', dir, '--allow-dirty'], { cwd, as: 'backend-arch' });
    expect(same.code).toBe(0);
    expect(await readFile(path.join(dir, 'docs/architecture.md'), 'utf8')).toBe(before);
    await writeFile(
      path.join(dir, 'docs/verification.md'),
      '# Verification report\n\nChecked by `backend-arch verify` (create-backend-arch 0.1.0, blueprint `monolith-cache`) on 2026-11-26T09:00:00.000Z:\n\n| ✓ | `dynamic.load-p95` | dynamic | p95 3 ms < 100 ms at 6000 req/s [requests=18000, rps=6000] | x |\n',
    );
    const run = await runCli(['update', '--dir', dir, '--allow-dirty'], { cwd, as: 'backend-arch' });
    expect(run.code, run.stderr).toBe(0);
    const after = await readFile(path.join(dir, 'docs/architecture.md'), 'utf8');
    expect(after).toContain('measured by verify: 6000 req/s');
    // 9000 ÷ (6000 × 0.25) = 6 API instances at 1×.
    expect(after).toMatch(/\| API \/ worker instances\s*\| 6 \/ 2\s*\|/);
  });
});

describe('create-backend-arch: "Help me choose a blueprint" (scripted prompts)', () => {
  it('asks the context, shows the matrix, generates the available choice and records the context', async () => {
    const spec = path.resolve('test/fixtures/specs/shop.yaml');
    // Domain first, then (the spec names the project) the blueprint; the package manager is a flag so
    // the script does not depend on which ones this machine has; then the parts and git.
    const prompter = scriptedPrompter([
      'file', spec,
      'help-me-choose',
      '300', '', '', '', '', '', 'steady', '', '2', '', 'no', '', '', 'yes', 'aws',
      'hybrid',
      ['monitoring'], false,
    ]);
    const run = await runCli(['chosen-api', '--package-manager', 'npm', '--no-install', '--no-verify'], { cwd, prompter });
    expect(run.code, run.stderr).toBe(0);
    const matrixPrompt = prompter.asked.find((m) => m.startsWith('Decision matrix'));
    expect(matrixPrompt).toMatch(/Recommended: hybrid \(replaces-system/);
    expect(matrixPrompt).not.toMatch(/not available yet/);
    const manifest = JSON.parse(await readFile(path.join(cwd, 'chosen-api/.backend-arch/manifest.json'), 'utf8'));
    expect(manifest.answers.blueprint).toBe('hybrid');
    expect(manifest.answers.context).toEqual({ rpsAverage: 300, teams: 2, replacesSystem: true });
    expect(existsSync(path.join(cwd, 'chosen-api/docs/architecture.md'))).toBe(true);
    // The context has no flags: the reproducible command replays the saved answers file, context included.
    const command = 'npx create-backend-arch@0.1.0 chosen-api --yes --answers chosen-api/.backend-arch/answers.yaml --no-install --no-verify';
    expect(run.stdout).toContain(command);
    const elsewhere = path.join(cwd, 'elsewhere');
    await mkdir(elsewhere);
    const replay = await runCli(command.replace('chosen-api/', '../chosen-api/').split(' ').slice(2), { cwd: elsewhere });
    expect(replay.code, replay.stderr).toBe(0);
    const replayed = JSON.parse(await readFile(path.join(elsewhere, 'chosen-api/.backend-arch/manifest.json'), 'utf8'));
    expect(replayed.answers).toEqual(manifest.answers);
    expect(replayed.files).toEqual(manifest.files);
  });
});
