/**
 * Bounded contexts in the spec (`services:`): every entity in exactly one service, safe names, clear
 * errors naming the line and the entity; and what the plan derives from them: a reference across
 * services is an indexed id column without a foreign key, recorded as an external reference.
 */
import { describe, expect, it } from 'vitest';
import { issuesOf } from '../support/spec-issues.js';
import { parseSpecText } from '../../generators/domain/load.js';
import { planDomain } from '../../generators/plan/plan.js';
import { blueprintManifestSchema } from '../../generators/blueprints/manifest.js';

const ENTITIES = `entities:
  film:
    fields:
      title: { type: string, max: 200 }
  language:
    fields:
      name: { type: string, max: 40 }
  rental:
    fields:
      film_id: { type: uuid, references: film }
      note: { type: string, max: 40, optional: true }
`;
const spec = (services: string) => `name: t\n${ENTITIES}${services}`;

describe('services: in the spec', () => {
  it('accepts a grouping that puts every entity in one service', () => {
    const parsed = parseSpecText(spec('services:\n  catalog: [film, language]\n  rentals: [rental]\n'), 's.yaml');
    expect(parsed.services).toEqual({ catalog: ['film', 'language'], rentals: ['rental'] });
  });

  it('names an entity in two services, an unknown one, and one left out', () => {
    expect(issuesOf(spec('services:\n  catalog: [film, language, ghost]\n  rentals: [rental, film]\n'))).toEqual([
      '14:services.catalog[2]: unknown entity "ghost"; declared entities: film, language, rental',
      '15:services.rentals[1]: "film" is already in service "catalog"; an entity belongs to exactly one service',
    ]);
    expect(issuesOf(spec('services:\n  catalog: [film]\n  rentals: [rental]\n'))).toEqual([
      '6:entities.language: "language" is in no service; add it to one of services: catalog, rentals',
    ]);
    expect(issuesOf(spec('services:\n  catalog: [film, language, film]\n  rentals: [rental]\n'))).toEqual([
      '14:services.catalog[2]: "film" is listed twice in service "catalog"',
    ]);
  });

  it('refuses unsafe and reserved service names', () => {
    expect(issuesOf(spec('services:\n  Catalog_1: [film, language]\n  rentals: [rental]\n'))[0]).toMatch(/^14:services\.Catalog_1: .*kebab-case service name/);
    expect(issuesOf(spec('services:\n  gateway: [film, language]\n  rentals: [rental]\n'))).toEqual([
      expect.stringMatching(/^14:services\.gateway: "gateway" is a name the generated deployment uses itself/),
    ]);
    expect(issuesOf(spec('services:\n  catalog: []\n  rentals: [film, language, rental]\n'))[0]).toMatch(/^14:services\.catalog: a service owns at least one entity/);
  });
});

it('refuses entity names that are the read models of a split deployment (its event tables: test/unit/built-in-tables.test.ts)', () => {
  expect(issuesOf(`name: t\nentities:\n  rm_film:\n    fields:\n      a: { type: integer }\n`)[0]).toMatch(/^3:entities\.rm_film: "rm_film": names starting with rm_ are the generator's read-model tables/);
});

describe('the plan of a split domain', () => {
  const input = (text: string) => ({
    spec: parseSpecText(text, 's.yaml'),
    name: 't',
    blueprint: 'x',
    packageManager: 'npm' as const,
    generatorVersion: '0.0.0',
  });
  const manifest = (extra: object = {}) => ({ manifest: blueprintManifestSchema.parse({ id: 'x', title: 'X', ...extra }) });

  it('a reference across services: no foreign key, an index, an external reference to the owner', () => {
    const plan = planDomain(input(spec('services:\n  catalog: [film, language]\n  rentals: [rental]\n')), manifest());
    expect(plan.services).toEqual([
      { name: 'catalog', entities: ['film', 'language'] },
      { name: 'rentals', entities: ['rental'] },
    ]);
    const rental = plan.entities.find((e) => e.name === 'rental')!;
    expect(rental.service).toBe('rentals');
    expect(rental.references).toEqual([]);
    expect(rental.columns.find((c) => c.name === 'film_id')!.ddl).not.toContain('REFERENCES');
    expect(rental.externalReferences).toEqual([{ column: 'film_id', columnSql: 'film_id', entity: 'film', entityPascal: 'Film', service: 'catalog', nullable: false }]);
    const index = rental.indexes.find((i) => i.columns[0] === 'film_id')!;
    expect(index.serves).toContain('cross-service reference rental.film_id → film.id (owned by the catalog service');
    expect(plan.entities.find((e) => e.name === 'film')!.referencedBy).toEqual([]);
  });

  it('a reference inside one service stays a foreign key', () => {
    const plan = planDomain(input(spec('services:\n  catalog: [film, language, rental]\n')), manifest());
    const rental = plan.entities.find((e) => e.name === 'rental')!;
    expect(rental.references.map((r) => r.column)).toEqual(['film_id']);
    expect(rental.externalReferences).toEqual([]);
  });

  it('without services: no split unless the blueprint groups per entity by default', () => {
    const plain = planDomain(input(`name: t\n${ENTITIES}`), manifest());
    expect(plain.services).toBeUndefined();
    expect(plain.entities.find((e) => e.name === 'rental')!.references).toHaveLength(1);
    expect(plain.entities.find((e) => e.name === 'rental')!.columns.find((c) => c.name === 'film_id')!.ddl).toContain('REFERENCES film');
    const split = planDomain(input(`name: t\n${ENTITIES}`), manifest({ defaultServices: 'per-entity' }));
    expect(split.services!.map((s) => s.name)).toEqual(['film', 'language', 'rental']);
    expect(split.entities.find((e) => e.name === 'rental')!.externalReferences![0]!.service).toBe('film');
  });
});
