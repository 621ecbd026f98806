/**
 * Live progress for long steps (render, format, write, install, verify): a spinner line per task on a
 * TTY, nothing at all with --json or when output is not a terminal (CI logs stay clean).
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  task<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export const silentProgress: Progress = { task: (_title, fn) => fn() };

export function createProgress(options: { enabled: boolean; stream: { write(text: string): unknown } }): Progress {
  const { stream } = options;
  if (!options.enabled) return silentProgress;
  return {
    async task(title, fn) {
      const started = Date.now();
      let frame = 0;
      const draw = () => stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${title}`);
      draw();
      const timer = setInterval(draw, 80);
      try {
        const result = await fn();
        stream.write(`\r\x1b[2K\x1b[32m✓\x1b[0m ${title} \x1b[2m(${Date.now() - started} ms)\x1b[0m\n`);
        return result;
      } catch (err) {
        stream.write(`\r\x1b[2K\x1b[31m✗\x1b[0m ${title}\n`);
        throw err;
      } finally {
        clearInterval(timer);
      }
    },
  };
}

/**
 * One transient status line on a terminal ("which check is running"): each show() redraws it in place
 * and clear() erases it, so the final report is the only lasting list (nothing is printed twice).
 */
export interface StatusLine {
  show(text: string): void;
  clear(): void;
}

export function createStatusLine(stream: { write(text: string): unknown }): StatusLine {
  let shown = false;
  return {
    show(text) {
      stream.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
