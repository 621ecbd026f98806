/**
 * The scoring rules, as data. Each rule: a condition on the context, its effect on one criterion of
 * one or more blueprints, why, and the source it comes from. The decision matrix is nothing but a
 * neutral baseline (3 on every criterion) plus the effects of the rules whose condition holds — no
 * ranking is written anywhere else. README.md lists these rules; the tests trace each
 * recommendation in their table to one of them.
 */
import type { BlueprintId } from '../blueprints/registry.js';
import type { AdviceContext } from './context.js';

export const CRITERIA = ['scalability', 'performance', 'cost', 'operations', 'teamFit'] as const;
export type Criterion = (typeof CRITERIA)[number];

export const CRITERION_TITLES: Record<Criterion, string> = {
  scalability: 'Scalability',
  performance: 'Performance',
  cost: 'Cost',
  operations: 'Operational simplicity',
  teamFit: 'Team fit',
};

export interface Source {
  title: string;
  /** Empty for the seed documents (they ship with the generator, not on the web). */
  url: string;
}

export const SOURCES = {
  seed000: { title: 'Seed 000 (Backend Design Optimizer, 000_edbdee17610928a9.txt): Architecture Pattern Comparison, Anti-Patterns', url: '' },
  monolithFirst: { title: 'Martin Fowler, MonolithFirst', url: 'https://martinfowler.com/bliki/MonolithFirst.html' },
  microservicePremium: { title: 'Martin Fowler, MicroservicePremium', url: 'https://martinfowler.com/bliki/MicroservicePremium.html' },
  stranglerFig: { title: 'Martin Fowler, StranglerFigApplication', url: 'https://martinfowler.com/bliki/StranglerFigApplication.html' },
  azureStyles: { title: 'Azure Architecture Center, Architecture styles', url: 'https://learn.microsoft.com/en-us/azure/architecture/guide/architecture-styles/' },
  azureMicroservices: { title: 'Azure Architecture Center, Microservice architecture style', url: 'https://learn.microsoft.com/en-us/azure/architecture/guide/architecture-styles/microservices' },
  azureStrangler: { title: 'Azure Architecture Center, Strangler Fig pattern', url: 'https://learn.microsoft.com/en-us/azure/architecture/patterns/strangler-fig' },
  awsServerlessLens: { title: 'AWS Well-Architected Framework, Serverless Applications Lens', url: 'https://docs.aws.amazon.com/wellarchitected/latest/serverless-applications-lens/welcome.html' },
} as const satisfies Record<string, Source>;

export interface Effect {
  blueprint: BlueprintId;
  criterion: Criterion;
  delta: number;
}

export interface Rule {
  id: string;
  /** The condition in words (printed in the README, the advice and the decision record). */
  condition: string;
  when: (c: AdviceContext) => boolean;
  effects: Effect[];
  /** Why the effect follows from the condition. */
  reason: string;
  source: Source;
}

const e = (blueprint: BlueprintId, criterion: Criterion, delta: number): Effect => ({ blueprint, criterion, delta });

/** Peak over average: how bursty the load is (1 for a flat line). */
export const burstRatio = (c: AdviceContext): number => (c.rpsAverage > 0 ? c.rpsPeak / c.rpsAverage : c.rpsPeak > 0 ? Infinity : 1);
const strictCompliance = (c: AdviceContext) => c.compliance.some((x) => x === 'hipaa' || x === 'pci-dss');

export const RULES: readonly Rule[] = [
  {
    id: 'pattern-baseline',
    condition: 'always',
    when: () => true,
    effects: [
      e('monolith-cache', 'performance', 2), e('monolith-cache', 'cost', 1), e('monolith-cache', 'operations', 1),
      e('microservices', 'scalability', 2), e('microservices', 'performance', 1), e('microservices', 'cost', -1), e('microservices', 'operations', -1),
      e('serverless', 'scalability', 1),
      e('hybrid', 'scalability', 1), e('hybrid', 'performance', 1),
    ],
    reason: "the seed's comparison table: monolith + cache fastest and cheapest to run, microservices the most scalable and the most complex, serverless and hybrid in between",
    source: SOURCES.seed000,
  },
  {
    id: 'few-teams',
    condition: 'at most 2 teams deploy independently',
    when: (c) => c.teams <= 2,
    effects: [e('monolith-cache', 'teamFit', 1), e('microservices', 'teamFit', -2), e('microservices', 'operations', -1)],
    reason: 'without several independently deploying teams the microservice premium (distributed operations, contracts, eventual consistency) buys nothing; start with a monolith',
    source: SOURCES.microservicePremium,
  },
  {
    id: 'many-teams',
    condition: '4 or more teams deploy independently',
    when: (c) => c.teams >= 4,
    effects: [e('microservices', 'teamFit', 3), e('microservices', 'operations', 1), e('hybrid', 'teamFit', 1), e('monolith-cache', 'teamFit', -2)],
    reason: 'services owned and released by separate teams remove the coordination of one shared deployable',
    source: SOURCES.azureMicroservices,
  },
  {
    id: 'large-team',
    condition: '25 or more engineers work on the backend',
    when: (c) => c.teamSize >= 25,
    effects: [e('microservices', 'teamFit', 1), e('monolith-cache', 'teamFit', -1)],
    reason: 'one codebase for many engineers slows every change; the complexity the premium pays for is present',
    source: SOURCES.microservicePremium,
  },
  {
    id: 'small-team',
    condition: 'at most 8 engineers',
    when: (c) => c.teamSize <= 8,
    effects: [e('microservices', 'operations', -1), e('serverless', 'operations', 1)],
    reason: 'a small team cannot staff the operations of many services; managed functions leave fewer servers to run',
    source: SOURCES.awsServerlessLens,
  },
  {
    id: 'spiky-or-idle',
    condition: 'traffic is spiky or idle most of the day, or the peak is ≥ 5× the average',
    when: (c) => c.traffic !== 'steady' || burstRatio(c) >= 5,
    effects: [e('serverless', 'cost', 2), e('serverless', 'scalability', 1), e('hybrid', 'cost', 1), e('monolith-cache', 'cost', -1)],
    reason: 'pay-per-request capacity follows the load; always-on containers are sized for the peak and paid for in the troughs',
    source: SOURCES.awsServerlessLens,
  },
  {
    id: 'low-duty',
    condition: 'under 5 requests/s on average and idle most of the day',
    when: (c) => c.rpsAverage < 5 && c.traffic === 'idle',
    effects: [e('serverless', 'cost', 2), e('monolith-cache', 'cost', -1), e('microservices', 'cost', -1)],
    reason: 'functions scale to zero; at a low duty cycle a minimal always-on deployment (two instances, a database, a cache) costs more than the requests',
    source: SOURCES.awsServerlessLens,
  },
  {
    id: 'steady-strict-p95',
    condition: 'traffic is steady and the p95 target is ≤ 100 ms',
    when: (c) => c.traffic === 'steady' && c.p95Ms <= 100,
    effects: [e('serverless', 'performance', -2), e('monolith-cache', 'performance', 1), e('hybrid', 'performance', 1)],
    reason: 'cold starts and per-invocation connection set-up land in the tail; warm containers with a pool and an in-process cache client hold a strict p95',
    source: SOURCES.awsServerlessLens,
  },
  {
    id: 'high-sustained-load',
    condition: '≥ 1,000 requests/s on average',
    when: (c) => c.rpsAverage >= 1000,
    effects: [e('microservices', 'scalability', 1), e('hybrid', 'scalability', 1), e('monolith-cache', 'scalability', -1), e('serverless', 'cost', -2)],
    reason: 'above the break-even, per-request pricing costs more than provisioned capacity, and one deployable scales only as a whole',
    source: SOURCES.azureStyles,
  },
  {
    id: 'large-data',
    condition: '≥ 500 GB of data or ≥ 50 GB/month of growth',
    when: (c) => c.dataGb >= 500 || c.dataGrowthGbPerMonth >= 50,
    effects: [e('microservices', 'scalability', 1), e('hybrid', 'scalability', 1), e('monolith-cache', 'scalability', -1)],
    reason: 'one database for everything needs partitioning early; splitting data by bounded context spreads it',
    source: SOURCES.seed000,
  },
  {
    id: 'replaces-system',
    condition: 'the project replaces an existing system',
    when: (c) => c.replacesSystem,
    effects: [e('hybrid', 'teamFit', 3), e('hybrid', 'operations', 1), e('monolith-cache', 'teamFit', -1)],
    reason: 'a strangler-fig migration runs the old and the new side by side and moves traffic piece by piece; a hybrid (container core + functions) is that intermediate step, and a big-bang rewrite is the risk to avoid',
    source: SOURCES.stranglerFig,
  },
  {
    id: 'tight-budget',
    condition: 'the budget is under $200/month',
    when: (c) => c.budgetUsdPerMonth < 200,
    effects: [e('microservices', 'cost', -2), e('hybrid', 'cost', -1), e('serverless', 'cost', 1)],
    reason: 'a gateway, a broker and a database per service cost more than the budget before any traffic; solutions that ignore budget constraints are an anti-pattern',
    source: SOURCES.seed000,
  },
  {
    id: 'realtime',
    condition: 'real-time needs (websockets, server push)',
    when: (c) => c.realtime,
    effects: [e('serverless', 'performance', -2), e('serverless', 'operations', -1), e('monolith-cache', 'performance', 1)],
    reason: 'long-lived connections need a long-lived process; functions hand connection state to an external store on every message',
    source: SOURCES.awsServerlessLens,
  },
  {
    id: 'strict-compliance',
    condition: 'HIPAA or PCI-DSS applies',
    when: strictCompliance,
    effects: [e('monolith-cache', 'operations', 1), e('microservices', 'operations', -1), e('serverless', 'operations', -1)],
    reason: 'every service, queue and function is audit scope; fewer moving parts means fewer controls to evidence',
    source: SOURCES.azureStyles,
  },
  {
    id: 'unfamiliar-stack',
    condition: 'the existing stack is not Node.js/TypeScript',
    when: (c) => !/^(node|nodejs|node\.js|typescript|ts|javascript|js)$/i.test(c.stack.trim()),
    effects: [e('microservices', 'teamFit', -1), e('hybrid', 'teamFit', -1)],
    reason: "architectures that don't match team expertise are an anti-pattern; more deployables in a new stack multiply the learning curve",
    source: SOURCES.seed000,
  },
];

/**
 * When scores tie, the simpler architecture wins (MonolithFirst; the seed's "start simple, scale when
 * needed"): ordered by the seed's operational complexity, low → high.
 */
export const SIMPLICITY_ORDER: readonly BlueprintId[] = ['monolith-cache', 'serverless', 'hybrid', 'microservices'];
