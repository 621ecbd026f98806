// @ts-check
/**
 * What a student does to solve each exercise, scripted: the pack's tests (test/cases.js) and
 * create-backend-arch's end-to-end test apply them one by one and watch each exercise's checks flip
 * from fail to pass. They use only what a student has: the spec (through `backend-arch update`) and
 * the project's files.
 */

/** Exercise 1: declare the overdue list's access pattern; update writes the migration with its index. */
export async function solveOverdueIndex(/** @type {import('../../../generators/blueprints/contract.js').PackTestProject} */ project) {
  await project.update((spec) => {
    const rental = spec.entities.rental;
    if (!rental) throw new Error('the spec has no rental entity');
    rental.access = [...(rental.access ?? []), { where: ['status'], order: 'due_at asc' }];
  });
}

/** Exercise 2, first half: declare an invoice job on rental; update writes its worker, queue and status route. */
async function declareInvoiceJob(/** @type {import('../../../generators/blueprints/contract.js').PackTestProject} */ project) {
  await project.update((spec) => {
    spec.jobs = { ...(spec.jobs ?? {}), invoice: { entity: 'rental', retries: 3 } };
  });
}

/** Exercise 2: declare the job, and make the route enqueue it and answer 202 with its id and status URL. */
export async function solveInvoiceJob(/** @type {import('../../../generators/blueprints/contract.js').PackTestProject} */ project) {
  await declareInvoiceJob(project);
  await project.write(
    'src/workshop/invoice.ts',
    `/**
 * POST /rentals/:id/invoice enqueues the invoice job and answers 202 at once; the worker renders it
 * (src/jobs/invoice.ts) and GET /jobs/invoice/:jobId reports it.
 */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authorize } from '../auth/auth.js';
import { IdempotencyHeaders } from '../http/idempotency.js';
import { notFound, problemResponses } from '../http/problem.js';
import { enqueue, JobAccepted } from '../jobs/routes.js';
import { findRentalById } from '../modules/rental/repository.js';

export const invoiceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/rentals/:id/invoice',
    {
      schema: {
        tags: ['rentals'],
        summary: 'Render the invoice of a rental (in the background)',
        security: [{ bearerAuth: [] }],
        params: Type.Object({ id: Type.String({ format: 'uuid', maxLength: 36 }) }),
        headers: IdempotencyHeaders,
        response: { 202: JobAccepted, ...problemResponses(400, 401, 403, 404, 429, 503) },
      },
      preValidation: authorize(['editor', 'admin']),
    },
    async (request, reply) => {
      if (!(await findRentalById(app.db, request.params.id))) throw notFound('rental');
      const accepted = await enqueue(app, request, 'invoice', request.params.id);
      reply.code(202).header('location', accepted.statusUrl);
      return accepted;
    },
  );
};
`,
  );
}

/** Exercise 3: a per-user limit on creating rentals, and an alert while creations are refused. */
export async function solveRentalRateLimit(/** @type {import('../../../generators/blueprints/contract.js').PackTestProject} */ project) {
  await project.replace(
    'src/modules/rental/routes.ts',
    /(summary: 'Create a rental',[\s\S]*?preValidation: authorize\(\[[^\]]*\]\),)/,
    `$1
      // At most 5 rentals a minute per user (the key is the user, as for the global limit).
      config: { rateLimit: { max: 5, timeWindow: 60_000 } },`,
  );
  const alerts = await project.read('monitoring/alerts.yml');
  await project.write(
    'monitoring/alerts.yml',
    `${alerts.trimEnd()}
      - alert: RentalCreationsRefused
        expr: 'sum(rate(http_requests_total{method="POST", route=~"/rentals/?", status_code="429"}[5m])) > 0'
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: 'Rental creations are refused with 429: a user is over 5 a minute'
          source: 'rental workshop, exercise 3'
`,
  );
}
