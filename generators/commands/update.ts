/** `backend-arch update` (not implemented yet). */
import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { Io } from '../cli/main.js';

export function registerUpdateCommand(program: Command, _io: Io): void {
  program
    .command('update')
    .description('(coming soon)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('`backend-arch update` is not available yet.');
    });
}
