// @ts-check
/**
 * The microservices blueprint's own checks. Each judges a property of the project on disk (a third
 * party's project is judged the same way), using the plan only to know which service owns what:
 *   database-per-service  no service's migrations or code name another service's tables;
 *   events-through-outbox nothing the API process loads talks to the broker: handlers only write the
 *                         outbox (in their transaction) and the relay publishes;
 *   one-hop               only the gateway calls services: no service → service HTTP call (a chain of
 *                         synchronous calls longer than one hop is seed 003's anti-pattern);
 *   manifests             the Kubernetes manifests hold the strict rules (selectors match labels, every
 *                         Service and PDB selects pods, probes, requests and limits, pinned images,
 *                         non-root, declared ConfigMaps and Secrets, mounted volumes declared, a
 *                         StatefulSet governed by a headless Service, only the gateway open to the world).
 *                         The schema itself is validated by the project's own tests (kubernetes-models);
 *   consumer-idempotent   (dynamic) an event delivered, then delivered again under another message id,
 *                         changes the consumer's read model once: the replay leaves the row as it was;
 *   dead-letter           (dynamic) a poison event is given up after the maximum deliveries and recorded
 *                         as a dead letter, instead of being redelivered forever.
 *   Both run the project's own consumer process against real PostgreSQL and NATS JetStream.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runningSystem, VERIFY_EVENTS } from './runtime.js';

/** @typedef {import('../../generators/blueprints/contract.js').Check} Check */
/** @typedef {import('../../generators/blueprints/contract.js').CheckKit} CheckKit */
/** @typedef {{ name: string, entities: string[], urlEnv: string }} ServiceInfo */
/** @typedef {{ file?: string, line?: number, text: string }} Evidence */

/** @param {import('../../generators/blueprints/contract.js').Plan} plan @returns {ServiceInfo[]} */
const servicesOf = (plan) => /** @type {ServiceInfo[]} */ (/** @type {Record<string, unknown>} */ (/** @type {unknown} */ (plan)).services ?? []);

/** SQL or TS text without comments, line numbers kept. */
function stripComments(/** @type {string} */ text, /** @type {'sql' | 'ts'} */ kind) {
  const blanks = (/** @type {string} */ m) => m.replace(/[^\n]/g, ' ');
  return kind === 'sql' ? text.replace(/--[^\n]*/g, blanks) : text.replace(/\/\*[\s\S]*?\*\//g, blanks).replace(/(^|[^:'"`])\/\/[^\n]*/g, (m, p) => p + blanks(m.slice(p.length)));
}

const lineOf = (/** @type {string} */ text, /** @type {number} */ index) => text.slice(0, index).split('\n').length;

/** Places where `text` names one of `tables` as SQL would (FROM x, JOIN x, INTO x, UPDATE x, REFERENCES x, TABLE x, ON x). */
function tableMentions(/** @type {string} */ text, /** @type {string[]} */ tables) {
  /** @type {{ table: string, line: number }[]} */
  const out = [];
  for (const table of tables) {
    const re = new RegExp(`\\b(?:from|join|into|update|references|table|on)\\s+(?:only\\s+)?(?:public\\.)?"?${table}"?(?![\\w"])`, 'gi');
    for (const m of text.matchAll(re)) out.push({ table, line: lineOf(text, m.index ?? 0) });
  }
  return out;
}

/** @param {CheckKit} kit @returns {Check} */
const databasePerService = ({ verdict, seed }) => ({
  id: 'microservices.database-per-service',
  title: "No service's migrations or code name another service's tables",
  seed: seed('s000', 'Database per service (microservices pattern)'),
  kind: 'static',
  async run({ project }) {
    const services = servicesOf(project.plan);
    /** @type {Evidence[]} */
    const problems = [];
    let scanned = 0;
    for (const service of services) {
      const foreign = services.filter((s) => s !== service).flatMap((s) => s.entities);
      const stream = project.plan.migrationStreams.find((s) => s.id === service.name);
      const migrationFiles = stream ? project.files.filter((f) => f.startsWith(`${stream.dir}/`) && f.endsWith('.sql')) : [];
      const moduleDirs = project.plan.entities.filter((e) => service.entities.includes(e.name)).map((e) => `src/modules/${e.moduleDir}/`);
      const codeFiles = project.files.filter((f) => moduleDirs.some((d) => f.startsWith(d)) && /\.(m?ts|js)$/.test(f));
      for (const [file, kind] of [...migrationFiles.map((f) => /** @type {const} */ ([f, 'sql'])), ...codeFiles.map((f) => /** @type {const} */ ([f, 'ts']))]) {
        const text = await project.read(file);
        if (text === undefined) continue;
        scanned += 1;
        for (const hit of tableMentions(stripComments(text, kind), foreign))
          problems.push({ file, line: hit.line, text: `the ${service.name} service names ${hit.table}, a table of the ${services.find((s) => s.entities.includes(hit.table))?.name} service` });
      }
    }
    return verdict(
      problems,
      { summary: `${services.length} service(s), ${scanned} migration and module file(s): each names only its own service's tables` },
      { summary: `${problems.length} place(s) where a service reaches into another service's tables`, fix: "Reference another service's rows by id and keep a read model fed by its events; never query or migrate its tables." },
    );
  },
});

/** Relative imports of a TS/JS source (static and dynamic), resolved to project files. */
function relativeImports(/** @type {string} */ file, /** @type {string} */ text, /** @type {Set<string>} */ files) {
  /** @type {string[]} */
  const out = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), /** @type {string} */ (m[1])));
    const candidates = [target, target.replace(/\.js$/, '.ts'), `${target}.ts`, `${target}/index.ts`];
    const hit = candidates.find((c) => files.has(c));
    if (hit) out.push(hit);
  }
  return out;
}

/** @param {CheckKit} kit @returns {Check} */
const eventsThroughOutbox = ({ verdict, seed }) => ({
  id: 'microservices.events-through-outbox',
  title: 'Request handlers never publish to the broker: events leave through the transactional outbox',
  seed: seed('s003', 'Event-driven architecture: reliable event publishing (transactional outbox)'),
  kind: 'static',
  async run({ project }) {
    const files = new Set(project.files);
    const entry = ['src/server.ts', 'src/app.ts'].filter((f) => files.has(f));
    /** @type {Set<string>} */
    const seen = new Set();
    const queue = [...entry];
    /** @type {Evidence[]} */
    const problems = [];
    while (queue.length > 0) {
      const file = /** @type {string} */ (queue.shift());
      if (seen.has(file)) continue;
      seen.add(file);
      const raw = await project.read(file);
      if (raw === undefined) continue;
      const text = stripComments(raw, 'ts');
      for (const m of text.matchAll(/['"](@nats-io\/[^'"]+|nats|kafkajs|amqplib|@aws-sdk\/client-sns|@aws-sdk\/client-sqs)['"]/g))
        problems.push({ file, line: lineOf(text, m.index ?? 0), text: `loaded by the API process and imports the broker client ${m[1]}: a handler could publish outside its transaction` });
      queue.push(...relativeImports(file, text, files));
    }
    const writesOutbox = await Promise.all([...seen].map(async (f) => /insert\s+into\s+outbox\b/i.test(stripComments((await project.read(f)) ?? '', 'ts'))));
    if (entry.length > 0 && !writesOutbox.some(Boolean)) problems.push({ text: 'no module loaded by the API process inserts into the outbox table: mutations publish no events' });
    return verdict(
      problems,
      { summary: `${seen.size} module(s) loaded by the API process: none talks to the broker; mutations write the outbox` },
      { summary: `${problems.length} way(s) an event could bypass the outbox`, fix: 'Write the event to the outbox table inside the mutation\'s transaction (see src/db/audit.ts) and let the relay publish it.' },
    );
  },
});

/** @param {CheckKit} kit @returns {Check} */
const oneHop = ({ verdict, seed }) => ({
  id: 'microservices.one-hop',
  title: 'Only the gateway calls services: no synchronous service-to-service call chain',
  seed: seed('s003', 'Anti-patterns: chains of synchronous calls between services'),
  kind: 'static',
  async run({ project }) {
    const services = servicesOf(project.plan);
    const urlVars = services.map((s) => s.urlEnv);
    const sources = project.files.filter((f) => /^src\/.*\.(m?ts|js)$/.test(f) && !f.startsWith('src/gateway/') && f !== 'src/config.ts');
    /** @type {Evidence[]} */
    const problems = [];
    for (const file of sources) {
      const raw = await project.read(file);
      if (raw === undefined) continue;
      const text = stripComments(raw, 'ts');
      for (const v of urlVars) {
        const i = text.indexOf(v);
        if (i >= 0) problems.push({ file, line: lineOf(text, i), text: `reads ${v}: a service calling another service` });
      }
      for (const m of text.matchAll(/(?<![\w.])fetch\s*\(|\bfrom\s+['"](undici|axios|got|node-fetch)['"]|\bhttps?\.request\s*\(/g))
        problems.push({ file, line: lineOf(text, m.index ?? 0), text: `makes an HTTP call (${m[0].trim()}) outside the gateway` });
    }
    return verdict(
      problems,
      { summary: `${sources.length} service source file(s): no HTTP call to another service; the gateway is the only caller (one hop)` },
      { summary: `${problems.length} synchronous call(s) from a service`, fix: "Use the other service's events (a read model) instead of calling it; only the gateway routes requests." },
    );
  },
});

/** @typedef {{ kind?: string, metadata?: { name?: string }, spec?: any }} K8sObject */

const matches = (/** @type {Record<string, string> | undefined} */ selector, /** @type {Record<string, string> | undefined} */ labels) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/**
 * The strict rules over every object of k8s/ (file and line of each object kept for the evidence).
 * @param {{ file: string, line: number, object: K8sObject }[]} docs
 * @returns {Evidence[]}
 */
function manifestProblems(docs) {
  /** @type {Evidence[]} */
  const problems = [];
  const at = (/** @type {{ file: string, line: number, object: K8sObject }} */ d, /** @type {string} */ text) => problems.push({ file: d.file, line: d.line, text: `${d.object.kind}/${d.object.metadata?.name}: ${text}` });
  const of = (/** @type {string} */ kind) => docs.filter((d) => d.object.kind === kind);
  const names = (/** @type {string} */ kind) => new Set(of(kind).map((d) => d.object.metadata?.name));
  const configMaps = names('ConfigMap');
  const secrets = names('Secret');
  // Every kind that runs pods (the processes' Deployments, the broker's StatefulSet) is held to the same rules.
  const workloads = [...of('Deployment'), ...of('StatefulSet')];
  const pods = workloads.map((d) => ({ name: d.object.metadata?.name, kind: d.object.kind, labels: d.object.spec?.template?.metadata?.labels }));
  for (const d of workloads) {
    const spec = d.object.spec ?? {};
    if (!matches(spec.selector?.matchLabels, spec.template?.metadata?.labels)) at(d, "the selector does not match the pod template's labels");
    if (spec.template?.spec?.securityContext?.runAsNonRoot !== true) at(d, 'pods may run as root (runAsNonRoot is not true)');
    if (d.object.kind === 'StatefulSet') {
      // Its pods take their DNS names from the governing Service, which must be headless and select them.
      const governing = of('Service').find((x) => x.object.metadata?.name === spec.serviceName);
      if (!governing || governing.object.spec?.clusterIP !== 'None') at(d, `serviceName ${spec.serviceName ?? '(none)'} is not a declared headless Service (clusterIP: None)`);
      else if (!matches(governing.object.spec?.selector, spec.template?.metadata?.labels)) at(d, `its governing Service ${spec.serviceName} does not select its pods`);
    }
    const volumes = /** @type {any[]} */ (spec.template?.spec?.volumes ?? []);
    const volumeNames = new Set([...volumes.map((v) => v.name), ...(/** @type {any[]} */ (spec.volumeClaimTemplates ?? [])).map((v) => v.metadata?.name)]);
    for (const v of volumes) {
      if (v.configMap && !configMaps.has(v.configMap.name)) at(d, `volume ${v.name} references ConfigMap ${v.configMap.name}, which no manifest declares`);
      if (v.secret && !secrets.has(v.secret.secretName)) at(d, `volume ${v.name} references Secret ${v.secret.secretName}, which no manifest declares`);
    }
    const containers = /** @type {any[]} */ (spec.template?.spec?.containers ?? []);
    if (containers.length === 0) at(d, 'no containers');
    for (const c of containers) {
      for (const m of c.volumeMounts ?? []) if (!volumeNames.has(m.name)) at(d, `container ${c.name} mounts ${m.name}, which is no volume of the pod`);
      if (!c.readinessProbe) at(d, `container ${c.name} has no readinessProbe`);
      if (!c.livenessProbe) at(d, `container ${c.name} has no livenessProbe`);
      for (const part of ['requests', 'limits']) for (const r of ['cpu', 'memory']) if (!c.resources?.[part]?.[r]) at(d, `container ${c.name} has no ${part}.${r}`);
      if (typeof c.image !== 'string' || !/:[\w.-]+$/.test(c.image.split('/').pop() ?? '') || c.image.endsWith(':latest')) at(d, `container ${c.name} image ${c.image} is not pinned to a tag other than latest`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) at(d, `container ${c.name} allows privilege escalation`);
      for (const e of c.env ?? []) {
        const secret = e.valueFrom?.secretKeyRef?.name;
        const map = e.valueFrom?.configMapKeyRef?.name;
        if (secret && !secrets.has(secret)) at(d, `references Secret ${secret}, which no manifest declares`);
        if (map && !configMaps.has(map)) at(d, `references ConfigMap ${map}, which no manifest declares`);
      }
      for (const e of c.envFrom ?? []) {
        if (e.configMapRef && !configMaps.has(e.configMapRef.name)) at(d, `references ConfigMap ${e.configMapRef.name}, which no manifest declares`);
        if (e.secretRef && !secrets.has(e.secretRef.name)) at(d, `references Secret ${e.secretRef.name}, which no manifest declares`);
      }
    }
  }
  for (const d of of('Service')) if (!pods.some((p) => matches(d.object.spec?.selector, p.labels))) at(d, 'selects no pods of a Deployment or StatefulSet');
  for (const d of of('PodDisruptionBudget')) if (!pods.some((p) => matches(d.object.spec?.selector?.matchLabels, p.labels))) at(d, 'selects no pods of a Deployment or StatefulSet');
  for (const d of of('HorizontalPodAutoscaler')) {
    const t = d.object.spec?.scaleTargetRef;
    if (t?.kind !== 'Deployment' || !pods.some((p) => p.kind === 'Deployment' && p.name === t.name)) at(d, 'scales no declared Deployment');
  }
  // Ingress: denied by default, and only the gateway's pods open to any source.
  const policies = of('NetworkPolicy');
  const denyAll = policies.some((p) => Object.keys(p.object.spec?.podSelector?.matchLabels ?? {}).length === 0 && (p.object.spec?.policyTypes ?? []).includes('Ingress') && (p.object.spec?.ingress ?? []).length === 0);
  if (!denyAll) problems.push({ text: 'no NetworkPolicy denies ingress by default (podSelector {}, policyTypes [Ingress], no rules)' });
  for (const p of policies) {
    const open = (p.object.spec?.ingress ?? []).some((/** @type {{ from?: unknown[] }} */ rule) => !rule.from || rule.from.length === 0);
    if (!open) continue;
    const selected = pods.filter((pod) => Object.keys(p.object.spec?.podSelector?.matchLabels ?? {}).length === 0 || matches(p.object.spec?.podSelector?.matchLabels, pod.labels));
    for (const pod of selected) if (pod.name !== 'gateway') at(p, `opens ${pod.name} to any source; only the gateway may be reachable from outside`);
  }
  if (pods.length === 0) problems.push({ text: 'no Deployment in k8s/' });
  return problems;
}

/** @param {CheckKit} kit @returns {Check} */
const manifests = ({ verdict, seed }) => ({
  id: 'microservices.manifests',
  title: 'The Kubernetes manifests hold the strict rules: selectors, probes, limits, pinned images, non-root, declared refs, only the gateway open',
  seed: seed('s004', 'DevOps: production-ready deployment configuration'),
  kind: 'static',
  async run({ project }) {
    const files = project.files.filter((f) => /^k8s\/.*\.ya?ml$/.test(f) && !f.endsWith('kustomization.yaml'));
    /** @type {{ file: string, line: number, object: K8sObject }[]} */
    const docs = [];
    /** @type {Evidence[]} */
    const parseErrors = [];
    for (const file of files) {
      const text = (await project.read(file)) ?? '';
      for (const doc of parseAllDocuments(text)) {
        const line = lineOf(text, doc.range?.[0] ?? 0);
        if (doc.errors.length > 0) parseErrors.push({ file, line, text: `not YAML: ${doc.errors[0]?.message.split('\n')[0]}` });
        else if (doc.contents) docs.push({ file, line, object: /** @type {K8sObject} */ (doc.toJS()) });
      }
    }
    const problems = [...parseErrors, ...manifestProblems(docs)];
    return verdict(
      problems,
      { summary: `${docs.length} object(s) in ${files.length} file(s) under k8s/ hold the strict rules` },
      { summary: `${problems.length} problem(s) in the Kubernetes manifests`, fix: 'Fix the manifest named (k8s/); `npm test` also validates it against the Kubernetes schema.' },
    );
  },
});

/** @typedef {{ name: string, database: string, readModels: { entity: string, service: string, table: string, subject: string, durable: string }[] }} ConsumerService */

const MAX_DELIVER = VERIFY_EVENTS.maxDeliver;
/** @param {import('../../generators/blueprints/contract.js').Plan} plan @returns {{ stream?: string, deadLetterStream?: string }} */
const eventsOf = (plan) => /** @type {{ events?: object }} */ (/** @type {unknown} */ (plan)).events ?? {};
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value, for at most `ms`. */
async function until(/** @type {() => Promise<any>} */ probe, /** @type {number} */ ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined || Date.now() > deadline) return v;
    await sleep(100);
  }
}

/**
 * The first service that keeps a read model, as the running system has it (every service on its own
 * migrated database, behind the gateway verify starts): its database, its consumer process, and a
 * JetStream client to publish with. Returns a reason when it cannot run.
 * @param {import('../../generators/blueprints/contract.js').Runtime} rt
 * @param {import('../../generators/blueprints/contract.js').Plan} plan
 */
async function consumerHarness(rt, plan) {
  const service = /** @type {ConsumerService[]} */ (/** @type {unknown} */ (servicesOf(plan))).find((s) => s.readModels.length > 0);
  if (!service) return { skip: "no service keeps a read model of another service's rows: there is no consumer" };
  /** @type {string} */
  let natsUrl;
  try {
    natsUrl = await rt.nats();
  } catch (err) {
    return { skip: `skipped: ${/** @type {Error} */ (err).message.split('\n')[0]}`, fix: 'Install nats-server (apt-get install nats-server) or set NATS_URL to a NATS server started with -js.' };
  }
  /** @type {import('./runtime.js').RunningSystem} */
  let system;
  try {
    await rt.sharedApi();
    system = await runningSystem(rt);
  } catch (err) {
    return { failure: `the services could not be started:\n${/** @type {Error} */ (err).message}` };
  }
  const running = system.services[service.name];
  if (!running?.consumer) return { failure: `the ${service.name} service keeps read models but no consumer process runs for it` };
  const consumer = running.consumer;
  /** @type {{ connect(o: object): Promise<any> }} */
  const transport = rt.require('@nats-io/transport-node');
  /** @type {{ jetstream(nc: any): any, jetstreamManager(nc: any): Promise<any> }} */
  const { jetstream, jetstreamManager } = rt.require('@nats-io/jetstream');
  const nc = await transport.connect({ servers: natsUrl, timeout: 5000 });
  const db = await rt.pgClient(running.databaseUrl);
  const model = /** @type {ConsumerService['readModels'][number]} */ (service.readModels[0]);
  return {
    service,
    model,
    db,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    /** @param {string} body */
    publish: (body) => jetstream(nc).publish(model.subject.replace('*', 'created'), body, { msgID: randomUUID() }),
    consumer,
    async close() {
      await nc.drain().catch(() => undefined);
      await db.end().catch(() => undefined);
    },
  };
}

/**
 * A dynamic check over the project's consumer process: the shared preamble (servers, NATS, a migrated
 * database of the first consumer service, its consumer running) and cleanup; `probe` judges.
 * @param {CheckKit} kit
 * @param {{ id: string, title: string, seed: import('../../generators/blueprints/contract.js').SeedRef, label: string }} meta
 * @param {(h: Exclude<Awaited<ReturnType<typeof consumerHarness>>, { skip: string } | { failure: string }>, rt: import('../../generators/blueprints/contract.js').Runtime, plan: import('../../generators/blueprints/contract.js').Plan) => Promise<import('../../generators/blueprints/contract.js').CheckOutcome>} probe
 * @returns {Check}
 */
const consumerCheck = ({ fail, skip }, meta, probe) => ({
  id: meta.id,
  title: meta.title,
  seed: meta.seed,
  kind: 'dynamic',
  async run({ project, runtime: rt }) {
    if (!rt) return skip('dynamic checks are off (--static)');
    const why = await rt.unavailable();
    if (why) return skip(`skipped: ${why.reason}`, why.fix);
    const h = await consumerHarness(rt, project.plan);
    if ('skip' in h) return skip(/** @type {string} */ (h.skip), h.fix);
    if ('failure' in h) return fail('the consumer could not be prepared', [{ text: /** @type {string} */ (h.failure) }], 'Fix the migrations named.');
    try {
      return await probe(h, rt, project.plan);
    } finally {
      await h.close();
    }
  },
});

/** @param {CheckKit} kit @returns {Check} */
const consumerIdempotent = (kit) =>
  consumerCheck(
    kit,
    { id: 'microservices.consumer-idempotent', title: "Replaying a delivered event changes nothing: the consumer's effect happens once", seed: kit.seed('s003', 'Event-driven architecture: idempotent consumers (at-least-once delivery)'), label: 'idem' },
    async (h, rt, plan) => {
      const entityId = randomUUID();
      const body = JSON.stringify({ id: randomUUID(), type: `${h.model.entity}.created`, entity: h.model.entity, entityId, data: {} });
      const row = async () => (await h.db.query(`SELECT * FROM ${h.model.table} WHERE id = $1`, [entityId])).rows;
      await h.publish(body);
      const first = await until(async () => ((await row()).length > 0 ? await row() : undefined), 15_000);
      if (!first) return kit.fail(`the ${h.model.table} read model never received the event`, [{ text: rt.tail(h.consumer.output(), 10) }], 'Check the consumer process (dist/events/consumer-main.js).');
      // The same event again under another message id: the broker cannot drop it; the consumer must.
      await h.publish(body);
      await until(async () => {
        const info = await h.jsm.consumers.info(eventsOf(plan).stream ?? 'EVENTS', h.model.durable).catch(() => undefined);
        return info && info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
      }, 15_000);
      await sleep(300);
      const second = await row();
      return JSON.stringify(second) === JSON.stringify(first)
        ? kit.pass(`an event replayed to the ${h.service.name} consumer left ${h.model.table} unchanged`, [{ text: `row after one delivery and after the replay: ${JSON.stringify(first[0]).slice(0, 160)}` }])
        : kit.fail(
            `replaying an event changed the ${h.model.table} read model a second time`,
            [{ text: `after the first delivery: ${JSON.stringify(first[0]).slice(0, 200)}` }, { text: `after the replay: ${JSON.stringify(second[0]).slice(0, 200)}` }],
            'Record each event id (an inbox table) in the same transaction as its effect, and skip an event already recorded.',
          );
    },
  );

/** @param {CheckKit} kit @returns {Check} */
const deadLetter = (kit) =>
  consumerCheck(
    kit,
    { id: 'microservices.dead-letter', title: 'A poison event is dead-lettered after the maximum deliveries', seed: kit.seed('s002', 'Async processing: failed messages end in a dead-letter state'), label: 'dlq' },
    async (h, rt, plan) => {
      const marker = randomUUID();
      await h.publish(JSON.stringify({ id: 'not-a-uuid', marker }));
      const stream = eventsOf(plan).deadLetterStream ?? 'DEAD_LETTERS';
      const found = await until(async () => {
        const info = await h.jsm.streams.info(stream).catch(() => undefined);
        if (!info || info.state.messages === 0) return undefined;
        for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
          const m = await h.jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
          if (m && new TextDecoder().decode(m.data).includes(marker)) return m.subject;
        }
        return undefined;
      }, 20_000);
      return found
        ? kit.pass(`a poison event reached ${found} after ${MAX_DELIVER} deliveries (EVENTS_MAX_DELIVER=${MAX_DELIVER})`)
        : kit.fail(
            `a poison event was not dead-lettered within 20 s (EVENTS_MAX_DELIVER=${MAX_DELIVER})`,
            [{ text: rt.tail(h.consumer.output(), 10) }],
            'After the last allowed delivery, publish the event to the dead-letter subject (and record it), then terminate it.',
          );
    },
  );

/**
 * How the project hands each service its database credentials — docker-compose.yml, the Kubernetes
 * manifests, docker/postgres-init.sql — judged for separation: no two services share a role, a database
 * or a Secret, no service connects with another's URL, every database is closed to PUBLIC and nothing
 * grants it back.
 * @param {import('../../generators/blueprints/contract.js').CheckContext['project']} project
 * @param {string[]} names the services
 * @returns {Promise<{ problems: Evidence[], seen: string[] }>}
 */
async function credentialProblems(project, names) {
  /** @type {Evidence[]} */
  const problems = [];
  /** @type {string[]} */
  const seen = [];
  /** @param {{ file: string, service: string, key: string, what: string }[]} uses */
  const shared = (uses) => {
    /** @type {Map<string, Set<string>>} */
    const byKey = new Map();
    for (const u of uses) byKey.set(`${u.what} ${u.key}`, (byKey.get(`${u.what} ${u.key}`) ?? new Set()).add(u.service));
    for (const [key, services] of byKey)
      if (services.size > 1) problems.push({ file: uses[0]?.file, text: `the services ${[...services].sort().join(', ')} share the ${key}: a service can use another's database` });
  };
  const compose = await project.yaml('docker-compose.yml');
  if (compose) {
    seen.push('docker-compose.yml');
    /** @type {{ file: string, service: string, key: string, what: string }[]} */
    const uses = [];
    const containers = /** @type {{ services?: Record<string, { environment?: Record<string, unknown> }> }} */ (compose.data)?.services ?? {};
    for (const c of Object.values(containers)) {
      const env = c.environment ?? {};
      const service = String(env.SERVICE ?? '');
      if (!names.includes(service) || typeof env.DATABASE_URL !== 'string') continue;
      const url = new URL(env.DATABASE_URL);
      uses.push({ file: 'docker-compose.yml', service, key: decodeURIComponent(url.username), what: 'role' }, { file: 'docker-compose.yml', service, key: url.pathname.slice(1), what: 'database' });
    }
    shared(uses);
  }
  /** @type {{ file: string, service: string, key: string, what: string }[]} */
  const secrets = [];
  for (const file of project.files.filter((f) => /^k8s\/.*\.ya?ml$/.test(f))) {
    const text = (await project.read(file)) ?? '';
    for (const doc of parseAllDocuments(text)) {
      const o = /** @type {K8sObject} */ (doc.toJS());
      for (const c of /** @type {{ env?: { name: string, value?: string, valueFrom?: { secretKeyRef?: { name: string } } }[] }[]} */ (o?.spec?.template?.spec?.containers ?? [])) {
        const service = c.env?.find((e) => e.name === 'SERVICE')?.value ?? '';
        const secret = c.env?.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef?.name;
        if (names.includes(service) && secret) secrets.push({ file, service, key: secret, what: 'Secret' });
      }
    }
  }
  if (secrets.length > 0) seen.push('k8s/');
  shared(secrets);
  const init = await project.read('docker/postgres-init.sql');
  if (init !== undefined) {
    seen.push('docker/postgres-init.sql');
    const sql = stripComments(init, 'sql');
    /** @type {Map<string, string>} */
    const owners = new Map();
    for (const m of sql.matchAll(/create\s+database\s+"?(\w+)"?\s+owner\s+"?(\w+)"?/gi)) owners.set(/** @type {string} */ (m[1]), /** @type {string} */ (m[2]));
    shared([...owners].map(([db, owner]) => ({ file: 'docker/postgres-init.sql', service: db, key: owner, what: 'owner role' })));
    for (const db of owners.keys())
      if (!new RegExp(`revoke\\s+all\\s+on\\s+database\\s+"?${db}"?\\s+from\\s+public`, 'i').test(sql)) problems.push({ file: 'docker/postgres-init.sql', text: `the ${db} database is not closed to PUBLIC (REVOKE ALL ON DATABASE ${db} FROM PUBLIC): every role may connect` });
    // With tenancy, one grant is the design: every service's own role a member of the tenant role its
    // transactions switch to. That role is cluster-wide, but a NOLOGIN role without BYPASSRLS holds
    // privileges only inside the databases whose owners granted them (each its own), and CONNECT on none:
    // membership opens no other service's database. Any other grant (CONNECT, a table, another role) counts.
    const tenantRole = /** @type {{ tenancy?: { role: string } | null }} */ (project.plan).tenancy?.role ?? null;
    const createsTenantRole =
      tenantRole !== null &&
      [...sql.matchAll(new RegExp(`create\\s+role\\s+"?${tenantRole}"?\\b([^;]*)`, 'gi'))].some((m) => /\bnologin\b/i.test(m[1] ?? '') && /\bnobypassrls\b/i.test(m[1] ?? '') && !/\b(superuser|createrole|login|bypassrls)\b/i.test((m[1] ?? '').replace(/\bno(login|superuser|createrole|bypassrls)\b/gi, '')));
    const ownerRoles = new Set(owners.values());
    for (const m of sql.matchAll(/\bgrant\b[^;]*/gi)) {
      const member = /^grant\s+"?(\w+)"?\s+to\s+"?(\w+)"?\s*$/i.exec(m[0]);
      if (createsTenantRole && member && member[1] === tenantRole && ownerRoles.has(/** @type {string} */ (member[2]))) continue;
      problems.push({ file: 'docker/postgres-init.sql', line: lineOf(sql, m.index ?? 0), text: `grants access to another role: ${m[0].replace(/\s+/g, ' ').slice(0, 100)}` });
    }
  }
  return { problems, seen };
}

/**
 * Role isolation, observed on real PostgreSQL: each service gets a role owning its own database, closed
 * to PUBLIC, as the project provisions them (docker/postgres-init.sql, the tests' global setup); each
 * database is migrated by the project's runner as its own role — so whatever a migration grants is in
 * place — and then every service's role tries to open every other service's database and read (and
 * write) its tables. Plus the credentials the project hands out (compose, k8s, init script) kept apart.
 * @param {CheckKit} kit
 * @returns {Check}
 */
const roleIsolation = ({ pass, fail, skip, seed }) => ({
  id: 'microservices.role-isolation',
  title: "A service's role cannot open another service's database nor read or write its tables (real PostgreSQL); no credentials shared",
  seed: seed('s000', 'Database per service (microservices pattern)'),
  kind: 'dynamic',
  async run({ project, runtime: rt }) {
    const services = /** @type {(ServiceInfo & { database: string })[]} */ (servicesOf(project.plan));
    const credentials = await credentialProblems(project, services.map((s) => s.name));
    if (!rt) return skip('dynamic checks are off (--static)');
    const why = await rt.unavailable();
    if (why) return skip(`skipped: ${why.reason}`, why.fix);
    if (services.length < 2) return skip('one service: there is no other database to isolate from');
    await rt.built();
    const admin = (await rt.servers()).databaseUrl;
    const tag = `verify_${rt.runId}_iso`;
    /** @type {{ name: string, role: string, database: string, url: string, tables: string[] }[]} */
    const provisioned = [];
    /** @type {Evidence[]} */
    const problems = [...credentials.problems];
    /** @type {Evidence[]} */
    const ok = [];
    const root = await rt.pgClient(admin);
    // With tenancy, the tenant role is cluster-wide and a service's role may not create it: made here, as
    // the project's own setup does (test/global-setup.ts, docker/postgres-init.sql), each service's role a member.
    const tenantRole = /** @type {{ tenancy?: { role: string } | null }} */ (project.plan).tenancy?.role ?? null;
    try {
      if (tenantRole)
        await root.query(
          `DO $$ BEGIN CREATE ROLE ${tenantRole} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
        );
      for (const s of services) {
        const role = `${tag}_${s.database}`;
        const password = randomUUID();
        await root.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
        await root.query(`CREATE DATABASE ${role} OWNER ${role}`);
        await root.query(`REVOKE ALL ON DATABASE ${role} FROM PUBLIC`);
        if (tenantRole) await root.query(`GRANT ${tenantRole} TO ${role}`);
        const url = new URL(admin);
        url.pathname = `/${role}`;
        url.username = role;
        url.password = password;
        const migrated = await rt.exec('node', ['dist/db/migrate.js'], { env: { DATABASE_URL: url.toString(), SERVICE: s.name } });
        if (migrated.exitCode !== 0) {
          problems.push({ text: `the ${s.name} service's migrations failed as its own role:\n${rt.tail(migrated.output, 8)}` });
          provisioned.push({ name: s.name, role, database: role, url: url.toString(), tables: [] });
          continue;
        }
        const own = await rt.pgClient(url.toString());
        const tables = (await own.query("SELECT quote_ident(tablename) AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).rows.map((r) => String(r.t));
        await own.end();
        provisioned.push({ name: s.name, role, database: role, url: url.toString(), tables });
      }
      for (const a of provisioned) {
        for (const b of provisioned) {
          if (a === b) continue;
          const target = new URL(b.url);
          const mine = new URL(a.url);
          target.username = mine.username;
          target.password = mine.password;
          /** @type {import('../../generators/blueprints/contract.js').PgClient | undefined} */
          let client;
          try {
            client = await rt.pgClient(target.toString());
          } catch (err) {
            ok.push({ text: `${a.name}'s role → ${b.name}'s database: refused (${/** @type {Error} */ (err).message.split('\n')[0]})` });
            continue;
          }
          try {
            const reached = [];
            for (const table of b.tables) {
              const read = await client.query(`SELECT 1 FROM ${table} LIMIT 1`).then(() => true, () => false);
              const write = await client.query(`BEGIN; DELETE FROM ${table} WHERE false; ROLLBACK;`).then(() => true, async () => (await client?.query('ROLLBACK').catch(() => undefined), false));
              if (read || write) reached.push(`${table} (${[read ? 'read' : '', write ? 'write' : ''].filter(Boolean).join(', ')})`);
            }
            problems.push({ text: `${a.name}'s role opens ${b.name}'s database${reached.length ? ` and reaches ${reached.slice(0, 6).join(', ')}` : ''}` });
          } finally {
            await client.end().catch(() => undefined);
          }
        }
      }
    } finally {
      for (const p of provisioned) await root.query(`DROP DATABASE IF EXISTS ${p.database} WITH (FORCE)`).catch(() => undefined);
      for (const s of services) await root.query(`DROP ROLE IF EXISTS ${tag}_${s.database}`).catch(() => undefined);
      await root.end();
    }
    if (problems.length > 0)
      return fail(`${problems.length} way(s) a service can reach another service's data`, [...problems, ...ok.slice(0, 2)], "Give each service a role of its own that owns its database, REVOKE ALL ON DATABASE … FROM PUBLIC, grant nothing to other roles in migrations, and hand each service only its own DATABASE_URL.");
    return pass(`${provisioned.length} services, each migrated as its own role: every other role is refused at connect (${ok.length} attempts); credentials kept apart in ${credentials.seen.join(', ') || 'no provisioning file'}`, ok.slice(0, 6));
  },
});

/** @param {CheckKit} kit @returns {Check[]} */
export function ownChecks(kit) {
  return [databasePerService(kit), eventsThroughOutbox(kit), oneHop(kit), manifests(kit), consumerIdempotent(kit), deadLetter(kit), roleIsolation(kit)];
}
