/** Commands beyond `new`, registered on the same program; each lives in its own module. */
import type { Command } from 'commander';
import { registerAddCommand } from '../commands/add.js';
import { registerUpdateCommand } from '../commands/update.js';
import { registerVerifyCommand } from '../commands/verify.js';
import { registerAdviseCommand } from '../commands/advise.js';
import { registerPackCommand } from '../commands/pack.js';
import { registerGenerateCommand } from '../commands/generate.js';
import type { Io } from './io.js';

export function registerLaterCommands(program: Command, io: Io): void {
  registerVerifyCommand(program, io);
  registerAddCommand(program, io);
  registerUpdateCommand(program, io);
  registerAdviseCommand(program, io);
  registerPackCommand(program, io);
  registerGenerateCommand(program, io);
}
