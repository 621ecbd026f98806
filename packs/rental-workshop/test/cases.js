// @ts-check
/**
 * The rental workshop's own tests (`backend-arch pack test packs/rental-workshop`): one project from the
 * day-1 preset, installed (the exercises' checks are dynamic: PostgreSQL, Redis, the API and the
 * worker), walked through the workshop. Every exercise's checks fail on the fresh project and on a
 * wrong attempt, then pass once the scripted student solves it — and stay passing as the next one is
 * solved.
 */
import { solveInvoiceJob, solveOverdueIndex, solveRentalRateLimit } from './solutions.js';

const INDEX = 'rental-workshop.overdue-index';
const JOB = 'rental-workshop.invoice-async';
const LIMIT = 'rental-workshop.rental-rate-limit';
const ALERT = 'rental-workshop.rate-limit-alert';
const ENQUEUE = "const accepted = await enqueue(app, request, 'invoice', request.params.id);";
const FAKE_JOB = "const accepted = { jobId: 'never-enqueued', status: 'queued' as const, statusUrl: '/jobs/invoice/never-enqueued' };";

/** @type {import('../../../generators/blueprints/contract.js').PackTestCase[]} */
export default [
  {
    name: 'the workshop, exercise by exercise',
    preset: 'rental-shop-day-1',
    install: true,
    steps: [
      {
        name: 'fresh from the day-1 preset: nothing solved',
        expect: {
          [INDEX]: { status: 'fail', summary: /reads the whole rental table/ },
          [JOB]: { status: 'fail', summary: /answered 200 .*waits for the invoice/ },
          [LIMIT]: { status: 'fail', summary: /none refused/ },
          [ALERT]: { status: 'fail', summary: /no alert rule/ },
        },
      },
      {
        name: 'wrong attempt at 1: an index on due_at alone (the status filter still reads the table)',
        apply: (p) => p.update((spec) => void spec.entities.rental?.access?.push({ where: [], order: 'due_at asc' })),
        expect: { [INDEX]: { status: 'fail', summary: /does not use an index that starts with status/ } },
      },
      { name: 'exercise 1 solved: the access pattern (status, due_at)', apply: solveOverdueIndex, expect: { [INDEX]: 'pass', [JOB]: 'fail' } },
      {
        name: 'wrong attempt at 2: 202 with a job id that was never enqueued',
        apply: async (p) => {
          await solveInvoiceJob(p);
          await p.replace('src/workshop/invoice.ts', ENQUEUE, FAKE_JOB);
        },
        expect: { [JOB]: { status: 'fail', summary: /status URL answered 404/ } },
      },
      {
        name: 'exercise 2 solved: the route enqueues the job and answers 202',
        apply: (p) => p.replace('src/workshop/invoice.ts', FAKE_JOB, ENQUEUE),
        expect: { [INDEX]: 'pass', [JOB]: 'pass', [LIMIT]: 'fail' },
      },
      {
        name: 'wrong attempt at 3: one limit shared by every user, and the alert',
        apply: async (p) => {
          await solveRentalRateLimit(p);
          await p.replace('src/modules/rental/routes.ts', 'timeWindow: 60_000 }', "timeWindow: 60_000, keyGenerator: () => 'all-users' }");
        },
        expect: { [LIMIT]: { status: 'fail', summary: /another user was refused too/ }, [ALERT]: 'pass' },
      },
      {
        name: 'wrong attempt at 3: a per-user limit, but of 10 a minute',
        apply: (p) => p.replace('src/modules/rental/routes.ts', "max: 5, timeWindow: 60_000, keyGenerator: () => 'all-users' }", 'max: 10, timeWindow: 60_000 }'),
        expect: { [LIMIT]: { status: 'fail', summary: /^10 rentals created by one user before a 429/ } },
      },
      {
        name: 'exercise 3 solved: 5 a minute, keyed by the user',
        apply: (p) => p.replace('src/modules/rental/routes.ts', 'max: 10, timeWindow: 60_000 }', 'max: 5, timeWindow: 60_000 }'),
        expect: { [INDEX]: 'pass', [JOB]: 'pass', [LIMIT]: 'pass', [ALERT]: 'pass' },
      },
    ],
  },
];
