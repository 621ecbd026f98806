/**
 * The generated files no test here can run (no Docker engine, no Prometheus, no GitHub Actions) are
 * still checked for what can be checked: they parse, and they refer to things that exist.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateProject } from '../../generators/pipeline/generate.js';
import { loadSpecFile } from '../../generators/domain/load.js';
import { EXAMPLE_SPEC_PATH } from '../../generators/core/version.js';

describe('generated delivery and monitoring files', async () => {
  const spec = await loadSpecFile(EXAMPLE_SPEC_PATH);
  const { tree, plan } = await generateProject({
    targetDir: '/nonexistent/cba-config-test',
    spec,
    answers: { name: 'cfg', blueprint: 'monolith-cache', packageManager: 'npm', features: ['docker', 'ci', 'monitoring', 'loadtest'] },
  });
  const yamlOf = (file: string) => parse(tree.read(file) ?? '') as Record<string, unknown>;

  it('docker-compose.yml: services depend only on services that exist, and get every required variable', () => {
    const compose = yamlOf('docker-compose.yml') as { services: Record<string, { depends_on?: Record<string, unknown>; environment?: Record<string, string> }> };
    const names = Object.keys(compose.services);
    expect(names).toEqual(expect.arrayContaining(['api', 'worker', 'migrate', 'postgres', 'redis', 'prometheus', 'grafana']));
    for (const [name, service] of Object.entries(compose.services))
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(names, `${name} depends on ${dependency}`).toContain(dependency);
    for (const variable of plan.env.filter((v) => v.required)) expect(Object.keys(compose.services.api!.environment ?? {})).toContain(variable.name);
  });

  it('prometheus.yml scrapes the api and the worker and loads the alert rules; alerts.yml has every planned rule', () => {
    const prometheus = JSON.stringify(yamlOf('monitoring/prometheus.yml'));
    expect(prometheus).toContain('api:9465');
    expect(prometheus).toContain('worker:9464');
    expect(prometheus).toContain('alerts.yml');
    const rules = (yamlOf('monitoring/alerts.yml') as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    expect(rules.map((r) => [r.alert, r.expr])).toEqual(plan.alerts.map((a) => [a.name, a.expr]));
  });

  it('the Grafana dashboard is valid JSON whose queries use exported metrics only', () => {
    const dashboard = JSON.parse(tree.read('monitoring/grafana/dashboards/api.json')!) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThan(5);
    const exported = plan.metrics.map((m) => m.name);
    for (const expr of exprs) expect(exported.some((m) => expr.includes(m)), expr).toBe(true);
  });

  it('the CI workflow installs, type-checks, lints, migrates, tests and builds with service containers', () => {
    const workflow = yamlOf('.github/workflows/ci.yml') as { jobs: Record<string, { services?: Record<string, unknown>; steps: { run?: string }[] }> };
    const job = Object.values(workflow.jobs).find((j) => j.services)!;
    expect(Object.keys(job.services!)).toEqual(expect.arrayContaining(['postgres', 'redis']));
    expect(job.steps.map((s) => s.run).filter(Boolean)).toEqual(
      expect.arrayContaining(['npm ci --no-audit --no-fund', 'npm run typecheck', 'npm run lint', 'npm run migrate', 'npm run test', 'npm run build']),
    );
  });

  it('the Dockerfile builds in stages and runs as the unprivileged node user', () => {
    const dockerfile = tree.read('Dockerfile')!;
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/server.js"\]$/m);
  });
});
