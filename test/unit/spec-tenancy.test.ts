/**
 * Multi-tenancy from spec to plan: the spec construct and its errors (located, every one named), the
 * tenant column, tenant-leading indexes (each still saying which query it serves), composite foreign
 * keys between tenant-owned tables, the RLS statements of the migration, and a blueprint that does not
 * implement tenancy refusing the spec.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../generators/core/errors.js';
import { parseSpecText } from '../../generators/domain/load.js';
import { planProject } from '../../generators/plan/plan.js';
import { resolveBlueprint } from '../../generators/blueprints/registry.js';
import path from 'node:path';
import { issuesOf } from '../support/spec-issues.js';

const monolith = await resolveBlueprint('monolith-cache', { from: process.cwd(), what: 'test' });

const plan = (text: string, blueprint = monolith) =>
  planProject({ spec: parseSpecText(text, 'spec.yaml'), name: 'acme-saas', blueprint: blueprint.id, packageManager: 'npm', features: [], generatorVersion: '0.0.0' }, blueprint);

const SAAS = `name: saas
tenancy: { column: org_id }
entities:
  country:
    tenant: false
    fields:
      code: { type: string, max: 2, unique: true }
  project:
    unique: [[org_id, name]]
    fields:
      name: { type: string, max: 80 }
      country_id: { type: uuid, references: country }
      key: { type: string, max: 10, unique: true }
    access:
      - { where: [country_id], order: name asc }
  task:
    fields:
      project_id: { type: uuid, references: project }
      title: { type: string, max: 80 }
`;

describe('tenancy: spec errors', () => {
  it('names every misuse with its line and path', () => {
    const issues = issuesOf(`tenancy: { column: org_id }
entities:
  catalog:
    tenant: false
    fields:
      project_id: { type: uuid, references: project }
  project:
    fields:
      org_id: { type: uuid }
      name: { type: string }
    access:
      - { where: [org_id], order: name asc }
      - { where: [name], order: org_id desc }
`);
    expect(issues).toEqual([
      expect.stringMatching(/^6:entities\.catalog\.fields\.project_id\.references: catalog is shared by every tenant \(tenant: false\) but references project, whose rows belong to one tenant/),
      expect.stringMatching(/^9:entities\.project\.fields\.org_id: "org_id" is the tenancy column: the generator adds it/),
      expect.stringMatching(/^12:entities\.project\.access\[0\]\.where\[0\]: every project query is already scoped to the caller's tenant/),
      expect.stringMatching(/^13:entities\.project\.access\[1\]\.order: a list only ever holds the caller's tenant/),
    ]);
  });

  it('`tenant:` without a top-level tenancy is an error naming the fix', () => {
    expect(issuesOf(`entities:\n  note:\n    tenant: true\n    fields:\n      body: { type: text }\n`)).toEqual([
      expect.stringMatching(/^3:entities\.note\.tenant: "tenant" only applies with multi-tenancy: declare `tenancy: \{ column: tenant_id \}`/),
    ]);
  });

  it('a tenant column named like a generated column is refused', () => {
    expect(issuesOf(`tenancy: { column: created_at }\nentities:\n  note:\n    fields:\n      body: { type: text }\n`)).toEqual([
      expect.stringMatching(/^1:tenancy\.column: "created_at" is a column the generator adds to every table/),
    ]);
  });

  it('an unknown key under tenancy is refused', () => {
    expect(issuesOf(`tenancy: { column: org_id, mode: rls }\nentities:\n  note:\n    fields:\n      body: { type: text }\n`).join('\n')).toMatch(/^1:tenancy/);
  });
});

describe('tenancy: the plan', () => {
  const p = plan(SAAS);
  const entity = (name: string) => p.entities.find((e) => e.name === name)!;

  it('records the tenancy: column, claim, setting, policy and a role per project', () => {
    expect(p.tenancy).toEqual({
      column: 'org_id',
      columnSql: 'org_id',
      claim: 'tenant',
      setting: 'app.tenant_id',
      policySql: "org_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid",
      role: 'acme_saas_tenant_app',
    });
    expect(entity('country').tenantScoped).toBe(false);
    expect(entity('project').columns.map((c) => c.name).slice(0, 2)).toEqual(['id', 'org_id']);
    expect(entity('project').fields.map((c) => c.name)).not.toContain('org_id'); // never a body field
  });

  it('leads every list and unique index with the tenant, and says which query each serves', () => {
    const sqls = entity('project').indexes.map((i) => i.sql);
    expect(sqls).toContain('CREATE UNIQUE INDEX project_org_id_name_key ON project (org_id, name);');
    expect(sqls).toContain('CREATE UNIQUE INDEX project_org_id_key_key ON project (org_id, key);');
    expect(sqls).toContain('CREATE INDEX project_org_id_country_id_name_asc_idx ON project (org_id, country_id, name ASC, id ASC);');
    expect(sqls).toContain('CREATE INDEX project_org_id_created_at_desc_idx ON project (org_id, created_at DESC, id DESC);');
    // A reference to a shared table is a plain key, with its own index (the tenant-leading one does not lead with it).
    expect(sqls).toContain('CREATE INDEX project_country_id_fk_idx ON project (country_id);');
    expect(entity('project').columns.find((c) => c.name === 'country_id')!.ddl).toContain('REFERENCES country (id)');
    for (const i of entity('project').indexes) expect(i.serves.length).toBeGreaterThan(20);
    expect(entity('project').indexes.find((i) => i.name === 'project_org_id_country_id_name_asc_idx')!.serves).toMatch(/within the caller's tenant \(org_id leads\)/);
  });

  it('makes references between tenant-owned tables composite, backed on both ends', () => {
    expect(entity('task').tableConstraints).toEqual(['FOREIGN KEY (org_id, project_id) REFERENCES project (org_id, id) ON DELETE RESTRICT']);
    expect(entity('task').columns.find((c) => c.name === 'project_id')!.ddl).not.toContain('REFERENCES');
    expect(entity('project').indexes.map((i) => i.sql)).toContain('CREATE UNIQUE INDEX project_org_id_id_key ON project (org_id, id);');
    expect(entity('task').indexes.map((i) => i.sql)).toContain('CREATE INDEX task_org_id_project_id_fk_idx ON task (org_id, project_id);');
  });

  it('the migration enables and forces RLS with a read and write policy on tenant-owned tables only, and grants the role', () => {
    const up = p.migrations[0]!.up.map((s) => s.sql);
    for (const t of ['project', 'task']) {
      expect(up).toContain(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;`);
      expect(up).toContain(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY;`);
      expect(up).toContain(`CREATE POLICY ${t}_tenant_isolation ON ${t} USING (${p.tenancy!.policySql}) WITH CHECK (${p.tenancy!.policySql});`);
      expect(up).toContain(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO acme_saas_tenant_app;`);
    }
    expect(up.some((s) => s.includes('ALTER TABLE country ENABLE ROW LEVEL SECURITY'))).toBe(false);
    expect(up).toContain('GRANT SELECT ON country TO acme_saas_tenant_app;');
    expect(up.find((s) => s.startsWith('DO $$'))).toMatch(/CREATE ROLE acme_saas_tenant_app NOLOGIN NOSUPERUSER NOBYPASSRLS/);
    expect(up.find((s) => s.startsWith('CREATE TABLE auth_users'))).toContain('org_id uuid NOT NULL');
  });

  it('job_runs holds tenant rows: a tenant column, RLS enabled and forced with the policy, no DELETE for the role', () => {
    const up = p.migrations[0]!.up.map((s) => s.sql);
    expect(up.find((s) => s.startsWith('CREATE TABLE job_runs'))).toContain('org_id uuid NOT NULL');
    expect(up).toContain('ALTER TABLE job_runs ENABLE ROW LEVEL SECURITY;');
    expect(up).toContain('ALTER TABLE job_runs FORCE ROW LEVEL SECURITY;');
    expect(up).toContain(`CREATE POLICY job_runs_tenant_isolation ON job_runs USING (${p.tenancy!.policySql}) WITH CHECK (${p.tenancy!.policySql});`);
    expect(up).toContain('GRANT SELECT, INSERT, UPDATE ON job_runs TO acme_saas_tenant_app;');
    // After the role exists (created by the DO block).
    expect(up.indexOf('GRANT SELECT, INSERT, UPDATE ON job_runs TO acme_saas_tenant_app;')).toBeGreaterThan(up.findIndex((s) => s.startsWith('DO $$')));
    expect(p.migrations[0]!.down.map((s) => s.sql)).toContain('REVOKE ALL ON job_runs FROM acme_saas_tenant_app;');
    expect(p.migrationStreams[0]!.tenantTables).toEqual(['job_runs']);
  });

  it('without tenancy nothing changes: no tenant column, no RLS', () => {
    const single = plan(SAAS.replace('tenancy: { column: org_id }\n', '').replace('    tenant: false\n', '').replace('    unique: [[org_id, name]]\n', ''));
    expect(single.tenancy).toBeNull();
    expect(single.migrations[0]!.up.some((s) => /ROW LEVEL SECURITY|CREATE POLICY|ROLE/.test(s.sql))).toBe(false);
    expect(single.entities.every((e) => !e.tenantScoped && e.tableConstraints.length === 0)).toBe(true);
    expect(single.migrations[0]!.up.find((s) => s.sql.startsWith('CREATE TABLE job_runs'))!.sql).not.toContain('org_id');
    expect(single.migrationStreams[0]!.tenantTables).toBeUndefined();
  });

  it('a blueprint that does not implement tenancy refuses the spec with a user error', async () => {
    const fixture = await resolveBlueprint(path.resolve('test/fixtures/blueprints/gateway-services'), { from: process.cwd(), what: 'test' }).catch(() => undefined);
    if (!fixture) throw new Error('the fixture blueprint moved: update this test');
    expect(() => plan(SAAS, fixture)).toThrow(UserError);
    expect(() => plan(SAAS, fixture)).toThrow(/does not generate multi-tenant projects/);
  });
});
