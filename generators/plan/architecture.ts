/**
 * The architecture decision record (docs/architecture.md) as data: seed 000's method applied to this
 * project — context, the options evaluated with their trade-offs, the decision matrix, the decision,
 * what was generated (a mermaid diagram), the database design, the performance targets and the alert
 * rules that monitor them, the security checklist against what the project implements, capacity and
 * cost at 1×–10×, the scaling path and the migration path. The template only prints this.
 */
import { BLUEPRINTS, type BlueprintId } from '../blueprints/registry.js';
import { advise, type Advice } from '../advise/advice.js';
import { QUESTIONS, describeValue, type AdviceContextInput } from '../advise/context.js';
import { estimateCapacity, MULTIPLIERS, type Estimate, type Measured } from '../advise/capacity.js';
import { CRITERIA, CRITERION_TITLES, RULES, type Source } from '../advise/rules.js';
import { TRADE_OFFS } from '../advise/trade-offs.js';
import type { Plan } from './types.js';

export interface ArchitecturePlan {
  /** True when the answers carried a context (from `advise` or the "help me choose" prompt). */
  contextStated: boolean;
  context: { question: string; flag: string; value: string; stated: boolean }[];
  generated: { id: BlueprintId; title: string };
  recommended: { id: BlueprintId; title: string; available: boolean };
  /** Why the generated blueprint differs from the recommendation (null when they agree). */
  divergence: string | null;
  /** `source` is markdown: a link when the source is on the web. */
  reasons: { rule: string; condition: string; reason: string; source: string }[];
  wouldChangeIf: { if: string; then: BlueprintId }[];
  criteria: { id: string; title: string }[];
  /** One row per blueprint, in the advice's order (best first). */
  matrix: { blueprint: BlueprintId; title: string; scores: number[]; total: number }[];
  options: { blueprint: BlueprintId; title: string; summary: string; pros: string[]; cons: string[] }[];
  rules: { id: string; condition: string; fired: boolean; source: string }[];
  diagram: string[];
  /** Every table the migrations create (built-in ones included), with its columns. */
  tables: { name: string; columns: string; notes: string }[];
  indexes: { table: string; name: string; columns: string; partial: string; serves: string }[];
  partitioning: { table: string; scheme: string; why: string }[];
  targets: { target: string; monitoredBy: string }[];
  monitoringOn: boolean;
  alerts: { name: string; fires: string; source: string }[];
  security: { item: string; done: boolean; how: string }[];
  estimate: Estimate;
  /** Column headers of the cost table: "1×", "2×", … */
  multipliers: string[];
  scalingPath: { step: string; when: string; what: string }[];
  migration: { required: boolean; from: string; to: string; phases: { name: string; steps: string[] }[]; rollback: string[] };
}

/**
 * Seed 000's performance targets, each with the shared verify check that measures it before release.
 * How production monitoring shows a target depends on what the blueprint's processes export, so the
 * blueprint says it (`architectureFacts.targets`); by default the row says it is not described.
 */
const TARGETS = [
  { target: 'API response time p95 < 100 ms', verify: 'dynamic.load-p95 (verify)' },
  { target: 'Database query time p95 < 50 ms', verify: 'dynamic.explain-access-patterns (verify: every access pattern uses its index)' },
  { target: 'Cache hit rate > 80%', verify: undefined },
  { target: 'Uptime 99.9%', verify: 'observability.health-endpoints (verify: liveness and readiness)' },
] as const;

export function planArchitecture(plan: Omit<Plan, 'architecture'>, contextInput: AdviceContextInput | undefined, measured?: Measured): ArchitecturePlan {
  const advice: Advice = advise(contextInput ?? {}, measured ? { measured } : {});
  const generated = plan.blueprint.id as BlueprintId; // planProject calls this only for the architectures advise compares
  const title = (id: BlueprintId) => BLUEPRINTS.find((b) => b.id === id)!.title;
  const estimate = estimateCapacity(advice.context, generated, measured);
  const monitoringOn = plan.features.monitoring === true;
  const replaces = advice.context.replacesSystem;
  return {
    contextStated: contextInput !== undefined,
    context: QUESTIONS.map((q) => ({ question: q.message, flag: q.flag, value: describeValue(q.field, advice.context[q.field]), stated: !advice.defaulted.includes(q.field) })),
    generated: { id: generated, title: title(generated) },
    recommended: { id: advice.recommended, title: title(advice.recommended), available: advice.available },
    divergence:
      advice.recommended === generated
        ? null
        : !advice.available && generated === advice.generate
          ? `${advice.recommended} is not available yet in create-backend-arch ${plan.generator.version}; ${generated} was generated as the MonolithFirst step, and the migration path below leads to ${advice.recommended}.`
          : `${generated} was chosen explicitly over the recommendation (${advice.recommended}); the matrix shows what that trades.`,
    reasons: advice.reasons.map((r) => ({ rule: r.rule, condition: r.condition, reason: r.reason, source: sourceLink(r.source) })),
    wouldChangeIf: advice.wouldChangeIf,
    criteria: CRITERIA.map((c) => ({ id: c, title: CRITERION_TITLES[c] })),
    matrix: advice.ranking.map(({ blueprint, total }) => {
      const s = advice.matrix.scores.find((x) => x.blueprint === blueprint)!;
      return { blueprint, title: title(blueprint), scores: CRITERIA.map((c) => s.criteria[c].score), total };
    }),
    options: advice.ranking.map(({ blueprint }) => ({ blueprint, title: title(blueprint), summary: BLUEPRINTS.find((b) => b.id === blueprint)!.summary, ...TRADE_OFFS[blueprint] })),
    rules: RULES.map((r) => ({ id: r.id, condition: r.condition, fired: advice.matrix.fired.includes(r.id), source: sourceLink(r.source) })),
    diagram: diagram(plan),
    ...schemaTables(plan),
    partitioning: [
      { table: 'audit_log', scheme: 'RANGE (created_at), one partition per month created ahead by ensure_audit_log_partitions(), plus a DEFAULT partition', why: 'append-only and the fastest-growing table; old months are detached or dropped instead of deleted row by row' },
      ...(estimate.rows.some((r) => r.dbGb >= 100)
        ? [{ table: largestTable(plan), scheme: `RANGE (created_at) by month once the database passes ~100 GB (the estimate reaches ${estimate.rows.find((r) => r.dbGb >= 100)!.dbGb} GB at ${estimate.rows.find((r) => r.dbGb >= 100)!.multiplier}×)`, why: 'keeps indexes and vacuum per partition small; lists by recent created_at touch one partition' }]
        : []),
    ],
    targets: TARGETS.map((t) => ({ target: t.target, monitoredBy: `${t.verify ? `${t.verify}; ` : ''}in production: not described by the ${generated} blueprint` })),
    monitoringOn,
    alerts: plan.alerts.map((a) => ({ name: a.name, fires: `${a.summary} for ${a.for} (${a.severity})`, source: a.source })),
    security: securityChecklist(plan),
    estimate,
    multipliers: MULTIPLIERS.map((m) => `${m}×`),
    scalingPath: scalingPath(estimate, nextArchitecture(generated)),
    migration: migrationPath(generated, replaces, advice.context.stack),
  };
}

/**
 * Tables and indexes as the planned migrations create them (built-in tables included), each index
 * with the query it serves (the comment the migration prints above it).
 */
function schemaTables(plan: Omit<Plan, 'architecture'>): Pick<ArchitecturePlan, 'tables' | 'indexes'> {
  const tables: ArchitecturePlan['tables'] = [];
  const indexes: ArchitecturePlan['indexes'] = [];
  // Every database's initial schema (one stream per service in a split deployment); a built-in table every
  // service's database has (audit_log, outbox …) is listed once.
  const seen = new Set<string>();
  for (const statement of plan.migrationStreams.flatMap((s) => s.migrations).flatMap((m) => m.up)) {
    if (seen.has(statement.sql)) continue;
    seen.add(statement.sql);
    const table = /^CREATE TABLE ("?[\w]+"?) \(\n([\s\S]*?)\n\)( PARTITION BY [^;]+)?;$/.exec(statement.sql);
    if (table) {
      const name = table[1]!.replaceAll('"', '');
      const entity = plan.entities.find((e) => e.tableName === name);
      const columns = table[2]!.split('\n').map((l) => l.trim()).filter((l) => !/^(PRIMARY KEY|UNIQUE|CHECK|CONSTRAINT|FOREIGN KEY)\b/.test(l)).map((l) => l.split(/\s+/)[0]!.replaceAll('"', ''));
      const notes = entity
        ? [entity.softDelete ? 'soft delete (deleted_at)' : '', ...entity.references.map((r) => `${r.column} → ${r.entity} (${r.onDelete})`), `read by id cached ${entity.cacheTtl} s`]
        : [statement.comment];
      if (table[3]) notes.push(`partitioned:${table[3].replace(' PARTITION BY', '')}`);
      tables.push({ name, columns: columns.join(', '), notes: notes.filter(Boolean).join('; ') });
      continue;
    }
    const index = /^CREATE (?:UNIQUE )?INDEX (\w+) ON ("?\w+"?) \((.+?)\)(?: WHERE (.+?))?;$/.exec(statement.sql);
    if (index) {
      indexes.push({
        table: index[2]!.replaceAll('"', ''),
        name: index[1]!,
        columns: index[3]!,
        partial: index[4] ?? '',
        serves: statement.comment.replace(/^Serves /, '').replace(/\.$/, ''),
      });
    }
  }
  return { tables, indexes };
}

function sourceLink(source: Source): string {
  return source.url ? `[${source.title}](${source.url})` : source.title;
}

function largestTable(plan: Omit<Plan, 'architecture'>): string {
  // The table most others point at collects the most rows per parent: the child with the most references.
  const leaf = [...plan.entities].sort((a, b) => b.references.length - a.references.length)[0];
  return leaf?.tableName ?? 'the largest table';
}

/**
 * The blueprint-neutral diagram: a client, the API and the database. A blueprint draws its own processes,
 * queues and stores by returning `architectureFacts.diagram` (the monolith and serverless ones do).
 */
function diagram(plan: Omit<Plan, 'architecture'>): string[] {
  return ['flowchart LR', '  client(["Client"]) -->|"HTTP"| api["API"]', `  api -->|"SQL"| pg[("PostgreSQL: ${plan.entities.length} entity tables")]`];
}

/** Seed 000's Security Checklist items. */
const SECURITY_ITEMS = [
  'Authentication (JWT, OAuth, API keys)',
  'Authorization (RBAC, permissions)',
  'Rate limiting (per-user, per-IP)',
  'Input validation (SQL injection, XSS prevention)',
  'Encryption at rest (database, backups)',
  'Encryption in transit (TLS 1.3)',
  'Secrets management (env vars, vault)',
  'Audit logging (all mutations)',
] as const;

/**
 * Seed 000's Security Checklist before the blueprint says how it meets each item: how is a property of
 * the blueprint's libraries, so it comes from `architectureFacts.security`; without it no item is claimed.
 */
function securityChecklist(plan: Omit<Plan, 'architecture'>): ArchitecturePlan['security'] {
  return SECURITY_ITEMS.map((item) => ({ item, done: false, how: `not described by the ${plan.blueprint.id} blueprint` }));
}

/**
 * The blueprint-neutral scaling path: the steps every architecture here takes, in the order they pay off,
 * each from the load at which the estimate says it applies. It names no engine, variable, alert or metric:
 * those are the blueprint's (`architectureFacts.scalingPath`, which gets the same estimate).
 */
function scalingPath(estimate: Estimate, next: string): ArchitecturePlan['scalingPath'] {
  const at = (pred: (r: Estimate['rows'][number]) => boolean) => estimate.rows.find(pred);
  const moreInstances = at((r) => r.apiInstances > estimate.rows[0]!.apiInstances);
  const biggerDb = at((r) => r.dbTier !== estimate.rows[0]!.dbTier);
  const replicas = at((r) => r.dbReplicas > 0);
  const bigData = at((r) => r.dbGb >= 100);
  const where = (r: Estimate['rows'][number] | undefined, what: string) => (r ? `from ${r.multiplier}× (${r.rpsPeak} req/s at the peak): ${what}` : `beyond 10× of the stated load`);
  return [
    { step: 'Cache', when: 'p95 above 100 ms or the cache hit rate under 80%', what: 'Raise the cache TTL of hot entities and cache list pages that repeat; keep invalidating on writes' },
    { step: 'Database connections', when: 'requests wait for a database connection, or the database nears its connection limit', what: "Keep instances × connections per instance under the database's limit; put a connection pooler in front of it beyond that" },
    { step: 'More API capacity', when: where(moreInstances, moreInstances ? `${moreInstances.apiInstances} API instances` : ''), what: 'The API keeps no state between requests: scale it out; job consumers follow the queue depth' },
    { step: 'Bigger database, then read replicas', when: where(biggerDb ?? replicas, biggerDb ? `database tier ${biggerDb.dbTier}` : ''), what: `Scale the primary up first; route list reads to read replicas${replicas ? ` (${replicas.dbReplicas} at ${replicas.multiplier}×)` : ''} when the primary passes its tier` },
    { step: 'Partitions', when: where(bigData, bigData ? `${bigData.dbGb} GB` : ''), what: 'Partition the largest tables by created_at; keep every access-pattern index per partition' },
    { step: 'Next architecture', when: 'four or more teams deploy independently, or one part dominates the load', what: `Follow the migration path (towards ${next})` },
  ];
}

/** Where the migration path leads from an architecture when it outgrows it. */
function nextArchitecture(from: BlueprintId): string {
  return from === 'monolith-cache' ? 'hybrid, then microservices' : from === 'hybrid' ? 'microservices' : 'hybrid';
}

function migrationPath(from: BlueprintId, replaces: boolean, stack: string): ArchitecturePlan['migration'] {
  const rollback = [
    'route traffic back at the load balancer or with a feature flag per route (instant)',
    'a database snapshot before every migration; applied migrations are never edited, a failed one is rolled back by its down migration',
    'jobs are idempotent (each run is recorded by queue and job id), so work replayed on the old path is safe',
  ];
  if (replaces)
    return {
      required: true,
      from: `the existing system (${stack})`,
      to: from,
      phases: [
        { name: 'Phase 1: preparation', steps: ['put one entry point (proxy or gateway) in front of the old system', 'migrate the data with scripts and keep it in sync (dual write or change data capture)', 'generate and deploy this backend beside the old system, dark'] },
        { name: 'Phase 2: validation', steps: ['shadow traffic to the new backend and compare responses', 'run `backend-arch verify` and the load test against production-sized data'] },
        { name: 'Phase 3: cutover, route by route (strangler fig)', steps: ['10% of a route → watch the alert rules', '50% → watch', '100%, then the next route', 'decommission the old system when no route is left'] },
      ],
      rollback,
    };
  const next = nextArchitecture(from);
  return {
    required: false,
    from,
    to: next,
    phases: [
      { name: 'Phase 1: preparation', steps: ['add a transactional outbox table and publish domain events for the async work', 'move one job at a time to functions fed by the outbox (hybrid)'] },
      { name: 'Phase 2: validation', steps: ['run the new consumers in shadow mode and compare their results with the worker', 'keep the job runs idempotent so both can process the same event'] },
      { name: 'Phase 3: cutover', steps: ['switch a job to the function path, 10% → 50% → 100%', 'extract a bounded context into its own service with its own database when a team owns it (microservices)'] },
    ],
    rollback,
  };
}
