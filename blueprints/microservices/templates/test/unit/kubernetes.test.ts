/**
 * The Kubernetes manifests in k8s/: every object valid against the Kubernetes schema
 * (kubernetes-models), the strict rules of test/support/kubernetes-rules.ts, and network policies that
 * leave only the gateway reachable from outside.
 */
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { openToTheWorld, strictProblems, type K8sObject } from '../support/kubernetes-rules.js';

type Model = new (data: K8sObject) => { validate(): void };

/** The kubernetes-models class of each kind the manifests use. */
const MODELS: Record<string, () => Promise<Model>> = {
  'apps/v1/Deployment': async () =>
    (await import('kubernetes-models/apps/v1/Deployment')).Deployment as unknown as Model,
  'v1/Service': async () => (await import('kubernetes-models/v1/Service')).Service as unknown as Model,
  'v1/ConfigMap': async () => (await import('kubernetes-models/v1/ConfigMap')).ConfigMap as unknown as Model,
  'v1/Secret': async () => (await import('kubernetes-models/v1/Secret')).Secret as unknown as Model,
  'policy/v1/PodDisruptionBudget': async () =>
    (await import('kubernetes-models/policy/v1/PodDisruptionBudget')).PodDisruptionBudget as unknown as Model,
  'autoscaling/v2/HorizontalPodAutoscaler': async () =>
    (await import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'))
      .HorizontalPodAutoscaler as unknown as Model,
  'networking.k8s.io/v1/NetworkPolicy': async () =>
    (await import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy')).NetworkPolicy as unknown as Model,
};

async function manifests(): Promise<{ file: string; object: K8sObject }[]> {
  const files = (await readdir('k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
  const out: { file: string; object: K8sObject }[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(`k8s/${file}`, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`k8s/${file}: ${doc.errors[0]!.message}`);
      const object = doc.toJS() as K8sObject | null;
      if (object) out.push({ file, object });
    }
  }
  return out;
}

describe('Kubernetes manifests', () => {
  it('every object is valid against the Kubernetes schema', async () => {
    const all = await manifests();
    expect(all.length).toBeGreaterThan(0);
    for (const { file, object } of all) {
      const load = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(load, `k8s/${file}: ${object.apiVersion} ${object.kind} is not a kind this test knows`).toBeDefined();
      const Model = await load!();
      expect(() => new Model(object).validate(), `k8s/${file}: ${object.kind}/${object.metadata.name}`).not.toThrow();
    }
  });

  it('hold the strict rules: selectors, probes, limits, pinned images, non-root, declared ConfigMaps and Secrets', async () => {
    expect(strictProblems((await manifests()).map((m) => m.object))).toEqual([]);
  });

  it('only the gateway is reachable from outside the cluster', async () => {
    expect(openToTheWorld((await manifests()).map((m) => m.object))).toEqual(['gateway']);
  });

  it('kustomization.yaml lists every manifest file', async () => {
    const listed =
      (await readFile('k8s/kustomization.yaml', 'utf8'))
        .match(/^ {2}- (\S+\.yaml)$/gm)
        ?.map((l) => l.trim().slice(2)) ?? [];
    const files = (await readdir('k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect(listed.sort()).toEqual(files.sort());
  });

  it('the rules catch a broken manifest', () => {
    const broken: K8sObject[] = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'x' },
        spec: {
          selector: { matchLabels: { app: 'x' } },
          template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'x', image: 'x:latest' }] } },
        },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { selector: { app: 'z' } } },
    ];
    const problems = strictProblems(broken).join('\n');
    for (const what of [
      'selector does not match',
      'no readinessProbe',
      'no limits.memory',
      'not pinned',
      'runAsNonRoot',
      'selects no Deployment',
    ])
      expect(problems).toContain(what);
    expect(openToTheWorld(broken)).toEqual(['x']);
  });
});
