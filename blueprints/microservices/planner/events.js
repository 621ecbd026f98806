// @ts-check
/**
 * The event plumbing of one service's database: the transactional outbox (written in the same
 * transaction as every mutation), the inbox (one row per event a consumer applied: a redelivered or
 * replayed event finds its row and has no second effect), dead letters; and (readModelTables) one
 * read model per entity of another service this service references.
 */
/** @typedef {import('../../../generators/blueprints/contract.js').Statement} Statement */

/**
 * @param {{ readModels: { table: string, entity: string, service: string }[] }} service
 * @returns {{ up: Statement[], down: Statement[] }}
 */
export function eventTables(service) {
  /** @type {Statement[]} */
  const up = [
    {
      comment: 'Transactional outbox: every mutation writes its event here in its own transaction; the relay publishes unsent rows (id = the message id, deduplicated by the broker).',
      sql: `CREATE TABLE outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error text
);`,
    },
    {
      comment: 'Serves the relay: WHERE sent_at IS NULL ORDER BY created_at, id (unsent rows, oldest first).',
      sql: 'CREATE INDEX outbox_unsent_created_at_idx ON outbox (created_at, id) WHERE sent_at IS NULL;',
    },
    {
      comment: 'Inbox: one row per consumed event, written in the same transaction as its effect (idempotent consumers).',
      sql: `CREATE TABLE inbox (
  event_id uuid PRIMARY KEY,
  subject text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);`,
    },
    {
      comment: 'Events a consumer gave up on after the maximum number of deliveries (also published to the dead-letter subject).',
      sql: `CREATE TABLE dead_letters (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  consumer text NOT NULL,
  subject text NOT NULL,
  event_id text,
  deliveries integer NOT NULL CHECK (deliveries >= 1),
  error text NOT NULL,
  payload text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);`,
    },
  ];
  /** @type {Statement[]} */
  const down = [{ comment: '', sql: 'DROP TABLE dead_letters;' }, { comment: '', sql: 'DROP TABLE inbox;' }, { comment: '', sql: 'DROP TABLE outbox;' }];
  return { up, down };
}

/**
 * One read model per entity of another service this service references: derived tables of its
 * migration stream, so that `add resource`/`update` introducing a new cross-service reference creates
 * the table in that stream's additive migration (the consumer's inbox is already there).
 * With tenancy, the read model of a tenant-owned entity has the tenant column: a row is the tenant of
 * the event that wrote it (the consumer applies each event as its tenant; the stream's `tenantTables`
 * hold these tables to row-level security).
 * @param {{ readModels: { table: string, entity: string, service: string, tenantScoped?: boolean }[] }} service
 * @param {import('../../../generators/plan/types.js').TenancyPlan | null} [tenancy]
 * @returns {import('../../../generators/plan/types.js').DerivedTable[]}
 */
export function readModelTables(service, tenancy = null) {
  return service.readModels.map((rm) => ({
    name: rm.table,
    up: [
      {
        comment: `Read model of the ${rm.entity} rows the ${rm.service} service owns, fed by its created/updated/deleted events (version = events applied).${
          tenancy && rm.tenantScoped ? " Each row is its event's tenant's." : ''
        }`,
        sql: `CREATE TABLE ${rm.table} (
  id uuid PRIMARY KEY,${tenancy && rm.tenantScoped ? `\n  ${tenancy.columnSql} uuid NOT NULL,` : ''}
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  deleted boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);`,
      },
    ],
    down: [{ comment: '', sql: `DROP TABLE ${rm.table};` }],
  }));
}

/**
 * With tenancy: what the tenant role needs on the event tables. A mutation writes its event into the
 * outbox inside the tenant's transaction; the consumer applies an event as its tenant, writing the inbox
 * row in the same transaction. Neither table holds tenant data the API serves (ids and the event): the
 * relay reads the outbox across tenants, so no row-level security on them, and the tenant role gets
 * INSERT (and the inbox's event id, which its ON CONFLICT reads), nothing else.
 * A service with neither tenant-owned entities nor tenant-owned read models has no tenant transaction
 * (and its database no tenant role): nothing.
 * @param {import('../../../generators/plan/types.js').TenancyPlan | null} tenancy
 * @param {{ readModels: { tenantScoped?: boolean }[] }} service
 * @param {boolean} ownsTenantRows whether the service owns a tenant-owned entity
 * @returns {{ up: Statement[], down: Statement[] }}
 */
export function eventTenantGrants(tenancy, service, ownsTenantRows) {
  if (!tenancy) return { up: [], down: [] };
  const { role } = tenancy;
  const consumes = service.readModels.some((rm) => rm.tenantScoped);
  /** @type {{ up: Statement[], down: Statement[] }} */
  const grants = { up: [], down: [] };
  if (ownsTenantRows) {
    grants.up.push({ comment: "A mutation's event is written to the outbox in the tenant's transaction, with the row and its audit entry.", sql: `GRANT INSERT ON outbox TO ${role};` });
    grants.down.push({ comment: '', sql: `REVOKE ALL ON outbox FROM ${role};` });
  }
  if (consumes) {
    grants.up.push({
      comment: "The consumer applies a tenant's event as that tenant: its inbox row is written in the same transaction (ON CONFLICT (event_id) reads the event id column, nothing else).",
      sql: `GRANT INSERT, SELECT (event_id) ON inbox TO ${role};`,
    });
    grants.down.unshift({ comment: '', sql: `REVOKE ALL ON inbox FROM ${role};` });
  }
  return grants;
}
