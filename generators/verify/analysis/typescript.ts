/**
 * The TypeScript compiler, loaded on first use. It is a 9 MB CommonJS file: importing it costs 0.3–1.5 s
 * (ESM's CommonJS lexer, then compiling it), and the modules that use it are reached from `new` through the
 * blueprint's checklist and the check kit even when no check runs (`--no-verify`). Loaded with require(),
 * not import(), so the first use stays synchronous and skips the lexer.
 */
import { createRequire } from 'node:module';
import type * as TS from 'typescript';

const require = createRequire(import.meta.url);
let loaded: typeof TS | undefined;

export const ts: typeof TS = new Proxy({} as typeof TS, {
  get: (_target, key) => Reflect.get((loaded ??= require('typescript') as typeof TS), key),
});
