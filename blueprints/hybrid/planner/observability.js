// @ts-check
/**
 * The offload path's metrics and alerts. Both halves report through the relay's Prometheus endpoint:
 * it owns the outbox (pending rows, the age of the oldest = outbox lag, delivery outcomes) and reads
 * the offloaded jobs' states from job_runs, which the functions write — queue backlog (queued),
 * function errors (failed, waiting for a retry), dead letters (dead). The Worker itself also writes one
 * Analytics Engine data point per delivery (the serverless consumer's), for per-invocation detail.
 */
/** @typedef {import('../../../generators/blueprints/contract.js').MetricPlan} MetricPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').AlertPlan} AlertPlan */

const SEED_002_ASYNC = '002_6826c65448800824.txt — Async Job Pattern / Monitor Everything (queue depths, dead letters)';
const SEED_000_MONITORING = '000_edbdee17610928a9.txt — Monitoring Setup (alerts)';

/** @type {MetricPlan[]} */
export const RELAY_METRICS = [
  { name: 'relay_deliveries_total', type: 'counter', help: 'Outbox deliveries to the functions by job and outcome (sent, retried, dead)', labels: ['job', 'outcome'], process: 'relay' },
  { name: 'outbox_pending', type: 'gauge', help: 'Outbox rows not delivered yet', labels: [], process: 'relay' },
  { name: 'outbox_lag_seconds', type: 'gauge', help: 'Age of the oldest undelivered outbox row, in seconds (0 when none)', labels: [], process: 'relay' },
  { name: 'offloaded_jobs', type: 'gauge', help: 'Offloaded jobs by job and state (queued = queue backlog, failed = function errors awaiting retry, dead = dead letters)', labels: ['queue', 'status'], process: 'relay' },
];

/** @type {AlertPlan[]} */
export const RELAY_ALERTS = [
  {
    name: 'OutboxLag',
    expr: 'max(outbox_lag_seconds) > 60',
    for: '5m',
    severity: 'page',
    summary: 'Offloaded jobs wait more than a minute in the outbox (relay down or the functions unreachable)',
    source: SEED_002_ASYNC,
    metrics: ['outbox_lag_seconds'],
  },
  {
    name: 'RelayDeliveryFailures',
    expr: 'sum(rate(relay_deliveries_total{outcome!="sent"}[10m])) / clamp_min(sum(rate(relay_deliveries_total[10m])), 1e-9) > 0.05',
    for: '10m',
    severity: 'ticket',
    summary: 'More than 5% of outbox deliveries to the functions fail',
    source: SEED_000_MONITORING + ': error rate',
    metrics: ['relay_deliveries_total'],
  },
  {
    name: 'OffloadedQueueBacklog',
    expr: 'max by (queue) (offloaded_jobs{status="queued"}) > 1000',
    for: '15m',
    severity: 'ticket',
    summary: 'More than 1000 offloaded jobs wait for a function',
    source: SEED_002_ASYNC,
    metrics: ['offloaded_jobs'],
  },
  {
    name: 'OffloadedFunctionErrors',
    expr: 'max by (queue) (offloaded_jobs{status="failed"}) > 10',
    for: '10m',
    severity: 'ticket',
    summary: 'More than 10 offloaded jobs failed in a function and wait for a retry',
    source: SEED_002_ASYNC,
    metrics: ['offloaded_jobs'],
  },
  {
    name: 'OffloadedDeadLetters',
    expr: 'max by (queue) (delta(offloaded_jobs{status="dead"}[15m])) > 0',
    for: '0m',
    severity: 'ticket',
    summary: 'An offloaded job exhausted its retries (dead letter): inspect it at GET /jobs/<job>/<id>',
    source: SEED_002_ASYNC,
    metrics: ['offloaded_jobs'],
  },
];

/**
 * The offload dashboard's panels: each one query over the relay's metrics, with the alert threshold it
 * shows as a line (the same number as the rule in RELAY_ALERTS).
 */
export const OFFLOAD_PANELS = [
  { title: 'Outbox lag (age of the oldest undelivered job)', unit: 's', expr: 'max(outbox_lag_seconds)', legend: 'lag', threshold: 60 },
  { title: 'Outbox rows waiting for the relay', unit: 'short', expr: 'max(outbox_pending)', legend: 'pending', threshold: null },
  { title: 'Deliveries to the functions by outcome', unit: 'ops', expr: 'sum by (job, outcome) (rate(relay_deliveries_total[$__rate_interval]))', legend: '{{job}} {{outcome}}', threshold: null },
  { title: 'Queue backlog (offloaded jobs queued)', unit: 'short', expr: 'max by (queue) (offloaded_jobs{status="queued"})', legend: '{{queue}}', threshold: 1000 },
  { title: 'Function errors awaiting a retry', unit: 'short', expr: 'max by (queue) (offloaded_jobs{status="failed"})', legend: '{{queue}}', threshold: 10 },
  { title: 'Dead letters (retries exhausted)', unit: 'short', expr: 'max by (queue) (offloaded_jobs{status="dead"})', legend: '{{queue}}', threshold: null },
];
