#!/usr/bin/env node
// `backend-arch` launcher. The CLI lives in dist/ (compiled from generators/); main() maps errors to exit codes.
// Each name has its own file because how a script was invoked (argv[1]) differs across npm shims and platforms.
// Prettier is not started here: the templates print formatted code, and the formatter thread starts only
// when a rendered file needs it (dist/pipeline/format.js).
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2), { invokedAs: 'backend-arch' });
