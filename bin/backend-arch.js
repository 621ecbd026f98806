#!/usr/bin/env node
// `backend-arch` launcher. The CLI lives in dist/ (compiled from generators/); main() maps errors to exit codes.
// Each name has its own file because how a script was invoked (argv[1]) differs across npm shims and platforms.
import { warmUpFormatter } from '../dist/pipeline/format.js';

// Commands that render templates format with prettier, whose plugins load slowest: start that on its
// own thread before anything else loads.
if (['new', 'add', 'update'].includes(process.argv[2] ?? '')) warmUpFormatter();
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2), { invokedAs: 'backend-arch' });
