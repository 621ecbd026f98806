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
 *                         non-root, declared ConfigMaps and Secrets, only the gateway open to the world).
 *                         The schema itself is validated by the project's own tests (kubernetes-models).
 */
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

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
  const pods = of('Deployment').map((d) => ({ name: d.object.metadata?.name, labels: d.object.spec?.template?.metadata?.labels }));
  for (const d of of('Deployment')) {
    const spec = d.object.spec ?? {};
    if (!matches(spec.selector?.matchLabels, spec.template?.metadata?.labels)) at(d, "the selector does not match the pod template's labels");
    if (spec.template?.spec?.securityContext?.runAsNonRoot !== true) at(d, 'pods may run as root (runAsNonRoot is not true)');
    const containers = /** @type {any[]} */ (spec.template?.spec?.containers ?? []);
    if (containers.length === 0) at(d, 'no containers');
    for (const c of containers) {
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
  for (const d of of('Service')) if (!pods.some((p) => matches(d.object.spec?.selector, p.labels))) at(d, "selects no Deployment's pods");
  for (const d of of('PodDisruptionBudget')) if (!pods.some((p) => matches(d.object.spec?.selector?.matchLabels, p.labels))) at(d, "selects no Deployment's pods");
  for (const d of of('HorizontalPodAutoscaler')) {
    const t = d.object.spec?.scaleTargetRef;
    if (t?.kind !== 'Deployment' || !pods.some((p) => p.name === t.name)) at(d, 'scales no declared Deployment');
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

/** @param {CheckKit} kit @returns {Check[]} */
export function ownChecks(kit) {
  return [databasePerService(kit), eventsThroughOutbox(kit), oneHop(kit), manifests(kit)];
}
