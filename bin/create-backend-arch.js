#!/usr/bin/env node
// `create-backend-arch` launcher. The CLI lives in dist/ (compiled from generators/); main() maps errors to exit codes.
// Each name has its own file because how a script was invoked (argv[1]) differs across npm shims and platforms.
import { warmUpFormatter } from '../dist/pipeline/format.js';

// Generation formats its output with prettier, whose plugins load slowest: start that on its own
// thread before anything else loads.
warmUpFormatter();
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2), { invokedAs: 'create-backend-arch' });
