// @ts-check
/**
 * The TypeScript compiler for the blueprints' checks, loaded on first use: the checks module is imported
 * with the blueprint on every `new`, `--no-verify` included, and importing the 9 MB compiler costs
 * 0.3–1.5 s. require(), not import(): the first use stays synchronous and skips ESM's CommonJS lexer.
 * (generators/verify/analysis/typescript.ts is the same for the generator's own analysis.)
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** @type {typeof import('typescript') | undefined} */
let loaded;

/** @type {typeof import('typescript')} */
export const ts = new Proxy(/** @type {typeof import('typescript')} */ ({}), {
  get: (_target, key) => Reflect.get((loaded ??= require('typescript')), key),
});
