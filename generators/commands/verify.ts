/** `backend-arch verify` (not implemented yet). */
import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { Io } from '../cli/main.js';

export function registerVerifyCommand(program: Command, _io: Io): void {
  program
    .command('verify')
    .description('(coming soon)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('`backend-arch verify` is not available yet.');
    });
}

/** Called by `new` after install unless --no-verify; undefined while verify is not available. */
export async function verifyAfterNew(_io: Io, _json: boolean): Promise<((dir: string) => Promise<void>) | undefined> {
  return undefined;
}
