/**
 * Exercise 2 of the rental workshop starts here: POST /rentals/:id/invoice renders the invoice INSIDE
 * the request. Rendering takes hundreds of milliseconds (simulated below), so every caller waits and
 * every slow render holds a connection. Move the work to a job: the request should answer 202 with a
 * job id and a status URL, and the worker should render the invoice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authorize } from '../auth/auth.js';
import { sql } from '../db/sql.js';
import { notFound, problemResponses } from '../http/problem.js';

/** How long rendering the invoice document takes (a PDF renderer, in real life). */
const RENDER_MS = 400;

const Invoice = Type.Object({
  rentalId: Type.String({ format: 'uuid' }),
  days: Type.Integer({ minimum: 0 }),
  amountCents: Type.Integer({ minimum: 0 }),
  renderedAt: Type.String({ format: 'date-time' }),
});

export const invoiceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/rentals/:id/invoice',
    {
      schema: {
        tags: ['rentals'],
        summary: 'Render the invoice of a rental',
        security: [{ bearerAuth: [] }],
        params: Type.Object({ id: Type.String({ format: 'uuid', maxLength: 36 }) }),
        response: { 200: Invoice, ...problemResponses(400, 401, 403, 404, 429) },
      },
      preValidation: authorize(['editor', 'admin']),
    },
    async (request) => {
      const { rows } = await app.db.query<{ days: number; daily_price_cents: number }>(
        sql`SELECT GREATEST(1, CEIL(EXTRACT(EPOCH FROM (r.due_at - r.created_at)) / 86400))::int AS days, i.daily_price_cents
              FROM rental r JOIN item i ON i.id = r.item_id WHERE r.id = ${request.params.id}`,
      );
      const row = rows[0];
      if (!row) throw notFound('rental');
      await sleep(RENDER_MS);
      return { rentalId: request.params.id, days: row.days, amountCents: row.days * row.daily_price_cents, renderedAt: new Date().toISOString() };
    },
  );
};
