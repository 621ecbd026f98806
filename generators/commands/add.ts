/** `backend-arch add` (not implemented yet). */
import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { Io } from '../cli/main.js';

export function registerAddCommand(program: Command, _io: Io): void {
  program
    .command('add')
    .description('(coming soon)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('`backend-arch add` is not available yet.');
    });
}
