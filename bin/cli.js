#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/ (compiled from generators/). Errors are mapped to exit codes in main().
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2), { invokedAs: process.argv[1] ?? '' });
