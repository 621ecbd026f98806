/** Seed 000's Validation Criteria as checks on docs/architecture.md against the project. */
import type { Check } from '../../types.js';
import { patternsEvaluated } from './patterns-evaluated.js';
import { schemaMatches } from './schema-matches.js';
import { costProjections } from './cost-projections.js';
import { securityClaims } from './security-claims.js';
import { scalingMonitoring } from './scaling-monitoring.js';
import { migrationPath } from './migration-path.js';

export const ARCHITECTURE_CHECKS: Check[] = [patternsEvaluated, schemaMatches, costProjections, securityClaims, scalingMonitoring, migrationPath];
