/**
 * Bounded contexts: which service owns which entity. Declared in the spec (`services:`) or, for a
 * blueprint whose manifest says `defaultServices: "per-entity"`, one service per entity. A reference
 * between entities of two services cannot be a foreign key (each service owns its database).
 */
import type { PathSegment } from './located.js';
import type { Spec } from './schema.js';
import { kebabCase } from './words.js';

/** Names a service may not take: the processes and route segments a split deployment already uses. */
export const RESERVED_SERVICE_NAMES = ['gateway', 'relay', 'consumer', 'worker', 'nats', 'auth', 'jobs', 'health', 'metrics', 'docs', 'events', 'outbox', 'inbox'] as const;

/** entity name → service name, or undefined when the project is not split into services. */
export type ServiceGrouping = Map<string, string> | undefined;

export function serviceGrouping(spec: Spec, defaultServices: 'per-entity' | undefined): ServiceGrouping {
  if (spec.services) return new Map(Object.entries(spec.services).flatMap(([service, entities]) => entities.map((e) => [e, service] as const)));
  if (defaultServices === 'per-entity') return new Map(Object.keys(spec.entities).map((e) => [e, kebabCase(e)] as const));
  return undefined;
}

/** Every entity in exactly one service, every listed entity declared, names not reserved. */
export function validateServices(spec: Spec, at: (path: PathSegment[], message: string) => void): void {
  if (!spec.services) return;
  const owner = new Map<string, string>();
  for (const [service, entities] of Object.entries(spec.services)) {
    if ((RESERVED_SERVICE_NAMES as readonly string[]).includes(service))
      at(['services', service], `"${service}" is a name the generated deployment uses itself (${RESERVED_SERVICE_NAMES.join(', ')}); choose another service name`);
    entities.forEach((entity, i) => {
      if (!(entity in spec.entities)) at(['services', service, i], `unknown entity "${entity}"; declared entities: ${Object.keys(spec.entities).join(', ')}`);
      const first = owner.get(entity);
      if (first !== undefined)
        at(['services', service, i], first === service ? `"${entity}" is listed twice in service "${service}"` : `"${entity}" is already in service "${first}"; an entity belongs to exactly one service`);
      else owner.set(entity, service);
    });
  }
  for (const entity of Object.keys(spec.entities)) {
    if (!owner.has(entity)) at(['entities', entity], `"${entity}" is in no service; add it to one of services: ${Object.keys(spec.services).join(', ')}`);
  }
}
