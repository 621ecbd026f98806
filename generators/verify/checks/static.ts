/**
 * Every shared static check, in report order. A check that can only be stated in one blueprint's
 * libraries lives in that blueprint's checks/ (the monolith's api.rate-limit and async.job-options).
 */
import type { Check } from '../types.js';
import { migrationsParse } from './schema/migrations-parse.js';
import { primaryKeys } from './schema/primary-keys.js';
import { fkIndexed } from './schema/fk-indexed.js';
import { accessPatternIndexes } from './schema/access-pattern-indexes.js';
import { softDeleteIndexes } from './schema/soft-delete-indexes.js';
import { auditColumns } from './schema/audit-columns.js';
import { constraints } from './schema/constraints.js';
import { auditLog } from './schema/audit-log.js';
import { tenantIsolation } from './schema/tenant-isolation.js';
import { routeSchemas } from './api/route-schemas.js';
import { authOnMutations } from './api/auth-on-mutations.js';
import { listPagination } from './api/list-pagination.js';
import { errorFormat } from './api/error-format.js';
import { sqlParameterized } from './code/sql-parameterized.js';
import { noAwaitJob } from './code/no-await-job.js';
import { noSecretLiterals } from './code/no-secret-literals.js';
import { enqueue202 } from './async/enqueue-202.js';
import { alertMetrics } from './observability/alert-metrics.js';
import { alertThresholds } from './observability/alert-thresholds.js';
import { healthEndpoints } from './observability/health-endpoints.js';
import { structuredLogs } from './observability/structured-logs.js';
import { passwordHashing } from './security/password-hashing.js';
import { dockerfileNonRoot } from './delivery/dockerfile.js';
import { ciWorkflow } from './delivery/ci-workflow.js';
import { readme } from './delivery/readme.js';
import { envExample } from './delivery/env-example.js';
import { ARCHITECTURE_CHECKS } from './architecture/index.js';

export const STATIC_CHECKS: Check[] = [
  migrationsParse,
  primaryKeys,
  fkIndexed,
  accessPatternIndexes,
  softDeleteIndexes,
  auditColumns,
  constraints,
  auditLog,
  tenantIsolation,
  routeSchemas,
  authOnMutations,
  listPagination,
  errorFormat,
  sqlParameterized,
  noAwaitJob,
  noSecretLiterals,
  enqueue202,
  alertMetrics,
  alertThresholds,
  healthEndpoints,
  structuredLogs,
  passwordHashing,
  dockerfileNonRoot,
  ciWorkflow,
  readme,
  envExample,
  ...ARCHITECTURE_CHECKS,
];
