/** Every dynamic check, in run order (later ones reuse what earlier ones created). */
import type { Check } from '../types.js';
import { typecheck } from './dynamic/typecheck.js';
import { testSuite } from './dynamic/test-suite.js';
import { explainAccessPatterns } from './dynamic/explain.js';
import { apiWalk } from './dynamic/api-walk.js';
import { jobRoundtrip } from './dynamic/job-roundtrip.js';
import { metricsSeries } from './dynamic/metrics.js';
import { rateLimit429 } from './dynamic/rate-limit-429.js';
import { readiness } from './dynamic/readiness.js';
import { gracefulShutdown } from './dynamic/graceful-shutdown.js';
import { loadP95 } from './dynamic/load.js';
import { jobAcceptedWithoutWorker } from './dynamic/job-accepted.js';
import { securityHeaders } from './dynamic/security-headers.js';
import { corsAllowlist } from './dynamic/cors.js';

export const DYNAMIC_CHECKS: Check[] = [typecheck, testSuite, explainAccessPatterns, apiWalk, securityHeaders, corsAllowlist, jobAcceptedWithoutWorker, jobRoundtrip, metricsSeries, rateLimit429, readiness, gracefulShutdown, loadP95];
