/**
 * Rules for the Kubernetes manifests beyond the schema (which kubernetes-models checks): what a
 * reviewer would refuse. Each returns the problems it finds, as "<kind>/<name>: what is wrong".
 */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface Container {
  name: string;
  volumeMounts?: { name: string }[];
  image?: string;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean };
  env?: { valueFrom?: { secretKeyRef?: { name: string }; configMapKeyRef?: { name: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: {
    securityContext?: { runAsNonRoot?: boolean };
    containers?: Container[];
    volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
  };
}

/** The kinds that run pods: each is held to the same rules. */
const WORKLOADS = ['Deployment', 'StatefulSet'];

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

export function strictProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const id = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
  const workloads = objects.filter((o) => WORKLOADS.includes(o.kind));
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const podLabels = workloads.map((d) => (d.spec?.template as PodTemplate | undefined)?.metadata?.labels);
  const declared = (kind: string) => new Set(objects.filter((o) => o.kind === kind).map((o) => o.metadata.name));
  const configMaps = declared('ConfigMap');
  const secrets = declared('Secret');
  for (const d of workloads) {
    const spec = d.spec as {
      selector?: { matchLabels?: Record<string, string> };
      template?: PodTemplate;
      serviceName?: string;
      volumeClaimTemplates?: { metadata?: { name?: string } }[];
    };
    const template = spec.template;
    if (!matches(spec.selector?.matchLabels, template?.metadata?.labels))
      problems.push(`${id(d)}: selector does not match the pod template's labels`);
    if (template?.spec?.securityContext?.runAsNonRoot !== true)
      problems.push(`${id(d)}: pods may run as root (securityContext.runAsNonRoot is not true)`);
    if (d.kind === 'StatefulSet') {
      // A StatefulSet's pods get their DNS names from its governing Service, which must be headless.
      const governing = objects.find((o) => o.kind === 'Service' && o.metadata.name === spec.serviceName);
      const headless = (governing?.spec as { clusterIP?: string } | undefined)?.clusterIP === 'None';
      if (!governing || !headless)
        problems.push(`${id(d)}: serviceName ${spec.serviceName ?? '(none)'} is not a declared headless Service`);
      else if (!matches((governing.spec as { selector?: Record<string, string> }).selector, template?.metadata?.labels))
        problems.push(`${id(d)}: its governing Service ${spec.serviceName} does not select its pods`);
    }
    const volumes = new Set([
      ...(template?.spec?.volumes ?? []).map((v) => v.name),
      ...(spec.volumeClaimTemplates ?? []).map((v) => v.metadata?.name),
    ]);
    for (const v of template?.spec?.volumes ?? []) {
      if (v.configMap && !configMaps.has(v.configMap.name))
        problems.push(`${id(d)}: volume ${v.name} references ConfigMap ${v.configMap.name}, which is not declared`);
      if (v.secret && !secrets.has(v.secret.secretName))
        problems.push(`${id(d)}: volume ${v.name} references Secret ${v.secret.secretName}, which is not declared`);
    }
    for (const c of template?.spec?.containers ?? []) {
      for (const m of c.volumeMounts ?? [])
        if (!volumes.has(m.name))
          problems.push(`${id(d)} container ${c.name}: mounts ${m.name}, which is no volume of the pod`);
      const where = `${id(d)} container ${c.name}`;
      if (!c.readinessProbe) problems.push(`${where}: no readinessProbe`);
      if (!c.livenessProbe) problems.push(`${where}: no livenessProbe`);
      for (const part of ['requests', 'limits'] as const)
        for (const r of ['cpu', 'memory']) if (!c.resources?.[part]?.[r]) problems.push(`${where}: no ${part}.${r}`);
      if (!c.image || !/:[\w.-]+$/.test(c.image) || c.image.endsWith(':latest'))
        problems.push(`${where}: image ${c.image ?? '(none)'} is not pinned to a tag other than latest`);
      if (c.securityContext?.allowPrivilegeEscalation !== false)
        problems.push(`${where}: allowPrivilegeEscalation is not false`);
      for (const e of c.env ?? []) {
        const s = e.valueFrom?.secretKeyRef?.name;
        const m = e.valueFrom?.configMapKeyRef?.name;
        if (s && !secrets.has(s)) problems.push(`${where}: references Secret ${s}, which is not declared`);
        if (m && !configMaps.has(m)) problems.push(`${where}: references ConfigMap ${m}, which is not declared`);
      }
      for (const e of c.envFrom ?? []) {
        if (e.configMapRef && !configMaps.has(e.configMapRef.name))
          problems.push(`${where}: references ConfigMap ${e.configMapRef.name}, which is not declared`);
        if (e.secretRef && !secrets.has(e.secretRef.name))
          problems.push(`${where}: references Secret ${e.secretRef.name}, which is not declared`);
      }
    }
  }
  for (const s of objects.filter((o) => o.kind === 'Service')) {
    const selector = (s.spec as { selector?: Record<string, string> }).selector;
    if (!podLabels.some((labels) => matches(selector, labels)))
      problems.push(`${id(s)}: selects no pods of a Deployment or StatefulSet`);
  }
  for (const o of objects.filter((x) => x.kind === 'PodDisruptionBudget')) {
    const selector = (o.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels;
    if (!podLabels.some((labels) => matches(selector, labels)))
      problems.push(`${id(o)}: selects no pods of a Deployment or StatefulSet`);
  }
  for (const o of objects.filter((x) => x.kind === 'HorizontalPodAutoscaler')) {
    const target = (o.spec as { scaleTargetRef?: { kind: string; name: string } }).scaleTargetRef;
    if (target?.kind !== 'Deployment' || !deployments.some((d) => d.metadata.name === target.name))
      problems.push(`${id(o)}: scales no declared Deployment`);
  }
  return problems;
}

/** Which workloads accept ingress from anywhere (a policy rule without `from`), given the NetworkPolicies. */
export function openToTheWorld(objects: K8sObject[]): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const denyAll = policies.some((p) => {
    const spec = p.spec as { podSelector?: { matchLabels?: object }; policyTypes?: string[]; ingress?: unknown[] };
    return (
      Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 &&
      spec.policyTypes?.includes('Ingress') &&
      (spec.ingress ?? []).length === 0
    );
  });
  const workloads = objects.filter((o) => WORKLOADS.includes(o.kind));
  if (!denyAll) return workloads.map((d) => d.metadata.name);
  return workloads
    .filter((d) => {
      const labels = (d.spec?.template as PodTemplate | undefined)?.metadata?.labels;
      return policies.some((p) => {
        const spec = p.spec as {
          podSelector?: { matchLabels?: Record<string, string> };
          ingress?: { from?: unknown[] }[];
        };
        const selects =
          Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 ||
          matches(spec.podSelector?.matchLabels, labels);
        return selects && (spec.ingress ?? []).some((rule) => !rule.from || rule.from.length === 0);
      });
    })
    .map((d) => d.metadata.name);
}
