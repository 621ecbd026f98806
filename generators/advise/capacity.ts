/**
 * Capacity and monthly cost at 1×, 2×, 5× and 10× of the stated load, for one blueprint, from the
 * dated price table shipped in the package (generators/advise/prices.json). Every figure is produced by
 * a formula listed in `formulas`, so the decision record can show how it was reached. When `verify`
 * has measured the API's throughput on this machine, the per-instance capacity starts from that
 * figure instead of the rule of thumb, and says so.
 */
import { z } from 'zod';
import type { BlueprintId } from '../blueprints/registry.js';
// Imported (not read from disk) so tsc copies it into dist/ and the package ships it.
import PRICES from './prices.json' with { type: 'json' };
import type { AdviceContext, Provider } from './context.js';

const priceSchema = z.strictObject({
  usd: z.number().nonnegative(),
  unit: z.string(),
  what: z.string(),
  source: z.url(),
  date: z.iso.date(),
  crossChecked: z.url().optional(),
});
const PRICE_KEYS = [
  'container.vcpuHour', 'container.gbHour', 'loadBalancer.hour',
  'db.small.hour', 'db.medium.hour', 'db.large.hour', 'db.xlarge.hour', 'db.storageGbMonth',
  'cache.small.hour', 'cache.large.hour', 'queue.perMillion',
  'functions.perMillion', 'functions.gbSecond', 'apiGateway.perMillion',
  'monitoring.perMillionSamples', 'logs.perGb',
] as const;
type PriceKey = (typeof PRICE_KEYS)[number];
const DB_TIERS = ['small', 'medium', 'large', 'xlarge'] as const;
type DbTier = (typeof DB_TIERS)[number];

export const priceTableSchema = z.strictObject({
  description: z.string(),
  currency: z.literal('USD'),
  recorded: z.iso.date(),
  hoursPerMonth: z.number().positive(),
  providers: z.record(z.string(), z.strictObject({ title: z.string(), prices: z.strictObject(Object.fromEntries(PRICE_KEYS.map((k) => [k, priceSchema])) as Record<PriceKey, typeof priceSchema>) })),
  capacity: z.strictObject({
    'db.small': z.strictObject({ gbMemory: z.number(), queriesPerSecond: z.number() }),
    'db.medium': z.strictObject({ gbMemory: z.number(), queriesPerSecond: z.number() }),
    'db.large': z.strictObject({ gbMemory: z.number(), queriesPerSecond: z.number() }),
    'db.xlarge': z.strictObject({ gbMemory: z.number(), queriesPerSecond: z.number() }),
    'cache.small': z.strictObject({ gb: z.number() }),
    'cache.large': z.strictObject({ gb: z.number() }),
  }),
});
export type PriceTable = z.output<typeof priceTableSchema>;
export type Price = z.output<typeof priceSchema>;

export const PRICE_TABLE_PATH = 'generators/advise/prices.json';
let loaded: PriceTable | undefined;

/** The shipped price table (validated once; a broken table is a packaging bug). */
export function priceTable(): PriceTable {
  loaded ??= priceTableSchema.parse(PRICES);
  return loaded;
}

export const MULTIPLIERS = [1, 2, 5, 10] as const;

/** The assumptions the formulas use; printed with them. */
export const ASSUMPTIONS = {
  /** A 1-vCPU / 2 GB container serves this many mixed requests/s at ≤ 50% CPU when nothing was measured. */
  ruleOfThumbRpsPerInstance: 250,
  /** A measured loopback figure is for cached reads by id; mixed traffic at 50% CPU gets a quarter of it. */
  measuredShare: 0.25,
  instance: { vcpu: 1, gb: 2 },
  /** Seed 000's 99.9% uptime target: at least two API instances and a standby database. */
  minApiInstances: 2,
  apiPerWorker: 4,
  /** Database queries per API request: 90% reads × 20% cache misses (seed target: hit rate > 80%) + 10% writes. */
  dbQueriesPerRequest: 0.28,
  /** Share of the data that is hot (the cache's working set). */
  hotShare: 0.02,
  /** One request in a hundred enqueues a job. */
  jobsPerRequest: 0.01,
  seriesPerInstance: 300,
  scrapeSamplesPerSeriesMonth: 87_600, // a 30 s scrape interval over 730 hours
  logKbPerRequest: 0.5,
  functionSeconds: 0.1,
  jobFunctionSeconds: 1,
  functionGb: 0.5,
  secondsPerMonth: 730 * 3600,
} as const;

export interface Measured {
  rps: number;
  /** Where the figure comes from, e.g. "docs/verification.md (dynamic.load-p95, 2026-11-26T…)". */
  source: string;
}

export interface EstimateRow {
  multiplier: number;
  rpsAverage: number;
  rpsPeak: number;
  apiInstances: number;
  workerInstances: number;
  /** Function invocations per month (serverless API calls, or hybrid jobs). */
  functionInvocations: number;
  services: number;
  dbTier: DbTier;
  dbReplicas: number;
  dbGb: number;
  cacheNodes: number;
  cacheGb: number;
  jobsPerMonth: number;
  cost: { compute: number; loadBalancer: number; functions: number; database: number; cache: number; queue: number; monitoring: number; total: number };
}

export interface Estimate {
  blueprint: BlueprintId;
  provider: Provider;
  providerTitle: string;
  recorded: string;
  throughput: { perInstanceRps: number; basis: 'measured' | 'rule of thumb'; note: string };
  formulas: string[];
  rows: EstimateRow[];
  /** Every price the formulas use, with its source and date. */
  prices: (Price & { key: PriceKey })[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
/**
 * An integer with comma thousands separators, as toLocaleString('en-US') prints it, without ICU: its
 * first use initialises the number formatter (10–40 ms of every `new`, which prints these formulas).
 */
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * How each architecture advise compares is deployed, in the terms the formulas need: this is advice data
 * about the four architectures (advise estimates one that is not generated, or has no blueprint yet), not
 * a fact of a blueprint's code, so it names no library. One row per architecture; the formulas below
 * read only these fields.
 */
export interface CapacityShape {
  /** Where the API runs: always-on containers behind a load balancer, or functions billed per request. */
  api: 'containers' | 'functions';
  /** Where jobs run: worker containers beside the API, or functions fed by a managed queue. */
  jobs: 'workers' | 'functions';
  /** One deployable, or one service per team (at least three) plus a gateway, each with its database. */
  services: 'one' | 'per-team';
  /** A cache cluster (which also holds the job queue when jobs run on workers), or none. */
  cache: boolean;
}

export const CAPACITY_SHAPES: Record<BlueprintId, CapacityShape> = {
  'monolith-cache': { api: 'containers', jobs: 'workers', services: 'one', cache: true },
  microservices: { api: 'containers', jobs: 'workers', services: 'per-team', cache: true },
  serverless: { api: 'functions', jobs: 'functions', services: 'one', cache: false },
  hybrid: { api: 'containers', jobs: 'functions', services: 'one', cache: true },
};

export function estimateCapacity(context: AdviceContext, blueprint: BlueprintId, measured?: Measured, table: PriceTable = priceTable()): Estimate {
  const provider = table.providers[context.provider];
  if (!provider) throw new Error(`internal: no prices for provider ${context.provider}`);
  const P = (k: PriceKey) => provider.prices[k].usd;
  const A = ASSUMPTIONS;
  const H = table.hoursPerMonth;
  const perInstanceRps = measured ? Math.max(1, Math.floor(measured.rps * A.measuredShare)) : A.ruleOfThumbRpsPerInstance;
  const shape = CAPACITY_SHAPES[blueprint];
  const containers = shape.api === 'containers';
  const functionsForApi = shape.api === 'functions';
  const functionsForJobs = shape.jobs === 'functions';
  const services = shape.services === 'per-team' ? Math.max(3, context.teams) : 1;
  const containerHour = A.instance.vcpu * P('container.vcpuHour') + A.instance.gb * P('container.gbHour');

  const rows = MULTIPLIERS.map((m): EstimateRow => {
    const rpsAverage = context.rpsAverage * m;
    const rpsPeak = context.rpsPeak * m;
    const requests = rpsAverage * A.secondsPerMonth;
    const jobsPerMonth = Math.round(requests * A.jobsPerRequest);
    // Containers: the API sized for the peak; per service for microservices (each at least two).
    const apiInstances = !containers ? 0 : services === 1 ? Math.max(A.minApiInstances, Math.ceil(rpsPeak / perInstanceRps)) : services * Math.max(A.minApiInstances, Math.ceil(rpsPeak / services / perInstanceRps)) + A.minApiInstances;
    const workerInstances = containers && !functionsForJobs ? Math.max(1, Math.ceil(apiInstances / A.apiPerWorker)) : 0;
    const functionInvocations = Math.round((functionsForApi ? requests : 0) + (functionsForJobs ? jobsPerMonth : 0));
    // Database: tier by queries/s at the peak (per service for microservices), Multi-AZ standby, read replicas beyond the largest tier.
    const dbQps = (rpsPeak * A.dbQueriesPerRequest) / services;
    const dbTier = DB_TIERS.find((t) => table.capacity[`db.${t}`].queriesPerSecond >= dbQps) ?? 'xlarge';
    const dbReplicas = Math.max(0, Math.ceil(dbQps / table.capacity['db.xlarge'].queriesPerSecond) - 1);
    const dbGb = round2((context.dataGb + 12 * context.dataGrowthGbPerMonth) * m);
    const cacheGb = round2(Math.max(0.1, dbGb * A.hotShare));
    const cacheTier = cacheGb <= table.capacity['cache.small'].gb ? 'small' : 'large';
    // An architecture without a cache cluster (serverless: the platform's rate-limit binding and queue replace it).
    const cacheNodes = !shape.cache ? 0 : 2 * (cacheTier === 'small' ? 1 : Math.ceil(cacheGb / table.capacity['cache.large'].gb));
    const instances = apiInstances + workerInstances;
    const series = instances * A.seriesPerInstance + (functionInvocations > 0 ? A.seriesPerInstance : 0);
    const cost = {
      compute: round2(instances * containerHour * H),
      loadBalancer: round2(containers ? P('loadBalancer.hour') * H : 0),
      functions: round2(
        (functionInvocations / 1e6) * P('functions.perMillion') +
          ((functionsForApi ? requests * A.functionSeconds : 0) + (functionsForJobs ? jobsPerMonth * A.jobFunctionSeconds : 0)) * A.functionGb * P('functions.gbSecond') +
          (functionsForApi ? (requests / 1e6) * P('apiGateway.perMillion') : 0),
      ),
      database: round2(services * (2 + dbReplicas) * P(`db.${dbTier}.hour`) * H + 2 * dbGb * P('db.storageGbMonth')),
      cache: round2(cacheNodes * P(`cache.${cacheTier}.hour`) * H),
      // Workers take their jobs from a queue kept in the cache's Redis (no extra line); functions need a managed queue: send, receive, delete per job.
      queue: round2(functionsForJobs ? ((jobsPerMonth * 3) / 1e6) * P('queue.perMillion') : 0),
      monitoring: round2(((series * A.scrapeSamplesPerSeriesMonth) / 1e6) * P('monitoring.perMillionSamples') + ((requests * A.logKbPerRequest) / 1e6) * P('logs.perGb')),
      total: 0,
    };
    cost.total = round2(cost.compute + cost.loadBalancer + cost.functions + cost.database + cost.cache + cost.queue + cost.monitoring);
    return { multiplier: m, rpsAverage, rpsPeak, apiInstances, workerInstances, functionInvocations, services, dbTier, dbReplicas, dbGb, cacheNodes, cacheGb, jobsPerMonth, cost };
  });

  const used = new Set<PriceKey>(['db.storageGbMonth', 'monitoring.perMillionSamples', 'logs.perGb', ...rows.flatMap((r) => [`db.${r.dbTier}.hour` as PriceKey, ...(r.cacheNodes > 0 ? [(r.cacheGb <= table.capacity['cache.small'].gb ? 'cache.small.hour' : 'cache.large.hour') as PriceKey] : [])])]);
  if (containers) ['container.vcpuHour', 'container.gbHour', 'loadBalancer.hour'].forEach((k) => used.add(k as PriceKey));
  if (functionsForApi || functionsForJobs) ['functions.perMillion', 'functions.gbSecond', 'queue.perMillion'].forEach((k) => used.add(k as PriceKey));
  if (functionsForApi) used.add('apiGateway.perMillion');

  return {
    blueprint,
    provider: context.provider,
    providerTitle: provider.title,
    recorded: table.recorded,
    throughput: measured
      ? { perInstanceRps, basis: 'measured', note: `measured by verify: ${measured.rps} req/s for a cached read on this machine (${measured.source}); ×${A.measuredShare} for mixed traffic at ≤ 50% CPU` }
      : { perInstanceRps, basis: 'rule of thumb', note: `rule of thumb: ${A.ruleOfThumbRpsPerInstance} mixed req/s per ${A.instance.vcpu}-vCPU instance at ≤ 50% CPU (run \`backend-arch verify\` to measure it)` },
    formulas: formulas(blueprint, perInstanceRps, services, table),
    rows,
    prices: [...used].sort().map((key) => ({ key, ...provider.prices[key] })),
  };
}

function formulas(blueprint: BlueprintId, perInstanceRps: number, services: number, table: PriceTable): string[] {
  const A = ASSUMPTIONS;
  const shape = CAPACITY_SHAPES[blueprint];
  const out: string[] = [];
  if (shape.api === 'containers') {
    out.push(
      services === 1
        ? `API instances = max(${A.minApiInstances}, ⌈peak req/s ÷ ${perInstanceRps}⌉)`
        : `service instances = ${services} services × max(${A.minApiInstances}, ⌈peak req/s ÷ ${services} ÷ ${perInstanceRps}⌉) + ${A.minApiInstances} gateway instances`,
    );
    if (shape.jobs === 'workers') out.push(`worker instances = max(1, ⌈API instances ÷ ${A.apiPerWorker}⌉)`);
    out.push(`compute = instances × (${A.instance.vcpu} vCPU × vCPU-hour + ${A.instance.gb} GB × GB-hour) × ${table.hoursPerMonth} h; one load balancer`);
  }
  out.push(`requests/month = average req/s × ${thousands(A.secondsPerMonth)} s; jobs/month = requests × ${A.jobsPerRequest}`);
  if (shape.api === 'functions') out.push(`functions = requests × (per-million price + ${A.functionSeconds} s × ${A.functionGb} GB × GB-second) + API gateway per million requests`);
  if (shape.jobs === 'functions') out.push(`job functions = jobs × (per-million price + ${A.jobFunctionSeconds} s × ${A.functionGb} GB × GB-second); managed queue = 3 requests per job`);
  else out.push('queue = a job queue in the same Redis as the cache: no separate line');
  out.push(
    `database tier: the smallest whose queries/s ≥ peak req/s × ${A.dbQueriesPerRequest}${services > 1 ? ` ÷ ${services} (one database per service)` : ''} (90% reads × 20% cache misses + 10% writes); primary + Multi-AZ standby + read replicas beyond ${table.capacity['db.xlarge'].queriesPerSecond} queries/s`,
    'database size = (data today + 12 × monthly growth) × the multiplier; storage billed on primary and standby',
    !shape.cache
      ? `cache: none (${blueprint} keeps no Redis)`
      : `cache = ${A.hotShare * 100}% of the database size (the hot set), one node + one replica per ${table.capacity['cache.large'].gb} GB`,
    `monitoring = ${A.seriesPerInstance} series per instance × ${thousands(A.scrapeSamplesPerSeriesMonth)} samples/month + logs at ${A.logKbPerRequest} KB per request`,
  );
  return out;
}

/**
 * The throughput a verify run measured, from the report it wrote (docs/verification.md): the
 * `rps=` figure of the dynamic.load-p95 check, if that check passed. Undefined when absent.
 */
export function measuredFromReport(markdown: string | undefined, file = 'docs/verification.md'): Measured | undefined {
  if (!markdown) return undefined;
  const row = markdown.split('\n').find((l) => l.includes('`dynamic.load-p95`'));
  if (!row || !row.trimStart().startsWith('| ✓')) return undefined;
  const rps = /\brps=(\d+(?:\.\d+)?)/.exec(row);
  if (!rps) return undefined;
  const when = /on (\d{4}-\d{2}-\d{2}T[\d:.]+Z)/.exec(markdown)?.[1];
  return { rps: Number(rps[1]), source: `${file}, dynamic.load-p95${when ? `, ${when}` : ''}` };
}
