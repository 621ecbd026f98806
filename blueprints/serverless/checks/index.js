// @ts-check
/**
 * The serverless blueprint's own checks (beside the shared ones it selects): the wrangler
 * configuration, the queues' retries and dead letters, no job work on the request path, PostgreSQL
 * only through Hyperdrive, the alert rules, and the consumer's idempotency on the running Worker.
 */
import { alertsCover } from './alerts.js';
import { consumerIdempotent } from './consumer-idempotent.js';
import { dbThroughProxy } from './db-proxy.js';
import { noAwaitJob } from './no-await-job.js';
import { queuesBounded } from './queues.js';
import { wranglerConfig } from './wrangler-config.js';

/**
 * @param {import('../../../generators/blueprints/contract.js').CheckKit} kit
 * @returns {import('../../../generators/blueprints/contract.js').Check[]}
 */
export function serverlessChecks(kit) {
  return [queuesBounded(kit), noAwaitJob(kit), dbThroughProxy(kit), alertsCover(kit), wranglerConfig(kit), consumerIdempotent(kit)];
}
