/**
 * What a blueprint's checklist() and a pack's checks module get, so a check in plain JavaScript needs
 * no import from the generator: the outcome constructors and the code-analysis helpers.
 */
import type { CheckKit } from '../blueprints/contract.js';
import { evaluate, SPREAD_UNKNOWN, UNKNOWN } from './analysis/evaluate.js';
import { findAll } from './analysis/source.js';
import { fail, pass, seed, skip, verdict } from './types.js';

export const checkKit: CheckKit = { pass, fail, skip, verdict, seed, analysis: { evaluate, UNKNOWN, SPREAD_UNKNOWN, findAll } };
