/**
 * The CLI in a real pseudo-terminal (util-linux `script`), where what a user sees depends on the
 * terminal: inquirer's prompts answered by keystrokes, spinners, and status lines redrawn in place.
 * The screen is reconstructed from the raw bytes (carriage returns, erase-line) as a terminal shows it.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = path.resolve('bin');

/**
 * Runs a command in a pseudo-terminal; each time a question in `answers` appears on screen, types its
 * keys. Resolves with the raw output and the exit code; bounded by `timeoutMs`.
 */
function inTerminal(command: string, cwd: string, answers: Record<string, string> = {}, timeoutMs = 120_000): Promise<{ raw: string; code: number | null }> {
  // A git identity: CI machines may have none, and the interactive run makes a first commit.
  const env = { ...process.env, COLUMNS: '120', LINES: '40', GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com' };
  delete env.CI; // prompts and live output only appear without CI
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let raw = '';
  const answered = new Set<string>();
  child.stdout.on('data', (chunk: Buffer) => {
    raw += chunk.toString();
    for (const [question, keys] of Object.entries(answers)) {
      if (answered.has(question) || !raw.includes(question)) continue;
      answered.add(question);
      setTimeout(() => child.stdin.write(keys), 150); // after the prompt has set up its input
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms; output so far:\n${screen(raw).join('\n')}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start \`script\` (util-linux, package bsdutils on Debian): ${err.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      child.stdin.end();
      resolve({ raw, code });
    });
  });
}

/** The lines a terminal ends up showing: \r returns to column 0, ESC[2K erases the line, ESC[nA/ESC[nB move up/down. */
function screen(raw: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  const put = (text: string) => {
    const line = lines[row] ?? '';
    lines[row] = line.slice(0, col).padEnd(col, ' ') + text + line.slice(col + text.length);
    col += text.length;
  };
  const tokens = raw.match(/\x1b\[[0-9;?]*[A-Za-z]|\r|\n|[^\x1b\r\n]+/g) ?? [];
  for (const token of tokens) {
    if (token === '\r') col = 0;
    else if (token === '\n') {
      row += 1;
      col = 0;
      if (lines[row] === undefined) lines[row] = '';
    } else if (token.startsWith('\x1b[')) {
      const n = Number(token.slice(2, -1)) || 1;
      const op = token.at(-1);
      if (op === 'K' && token.slice(2, -1) === '2') lines[row] = '';
      else if (op === 'A') row = Math.max(0, row - n);
      else if (op === 'B') row += n;
      else if (op === 'G') col = n - 1;
      // colours, cursor visibility: nothing visible
    } else put(token);
  }
  return lines.map((l) => l.trimEnd());
}

describe('in a real terminal', () => {
  it('the interactive run: intro, questions answered by keys, a summary, then the result and the reproducible command', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'cba-pty-'));
    const keys = {
      Domain: '\r', // the built-in example
      'Architecture blueprint': '\r',
      'Package manager': '\r',
      'Optional parts to include': 'i\r', // invert: none
      'Initialize a git repository': 'y\r',
    };
    const { raw, code } = await inTerminal(`node ${BIN}/create-backend-arch.js tty-api --no-install --no-verify`, cwd, keys);
    const shown = screen(raw).join('\n');
    expect(code, shown).toBe(0);
    expect(shown).toMatch(/^create-backend-arch 0\.1\.0: /);
    expect(shown).toContain('✔ Domain Built-in example');
    const summaryAt = shown.indexOf('Summary:');
    expect(summaryAt).toBeGreaterThan(shown.indexOf('Initialize a git repository'));
    expect(shown).toContain('optional parts   none');
    expect(shown.indexOf('Write ')).toBeGreaterThan(summaryAt);
    expect(shown).toContain('Created tty-api (');
    expect(shown).toContain('--features none');
    expect(execFileSync('git', ['log', '--oneline'], { cwd: path.join(cwd, 'tty-api'), encoding: 'utf8' })).toContain('Initial commit from create-backend-arch');
  }, 150_000);

  it('verify shows each dynamic check once: the running check is a status line, the report the only list', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'cba-pty-'));
    execFileSync(process.execPath, [`${BIN}/create-backend-arch.js`, 'p', '--yes', '--no-install', '--no-verify', '--no-git'], { cwd, env: { ...process.env, CI: 'true' } });
    const { raw, code } = await inTerminal(`node ${BIN}/backend-arch.js verify p --only dynamic.typecheck,dynamic.readiness --no-report`, cwd);
    const lines = screen(raw);
    // Without node_modules the dynamic checks cannot run: verify says so in its exit status (3).
    expect(code, lines.join('\n')).toBe(3);
    for (const id of ['dynamic.typecheck', 'dynamic.readiness']) expect(lines.filter((l) => l.includes(id)), lines.join('\n')).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/0 passed, 0 failed, 2 skipped/);
  }, 150_000);
});
