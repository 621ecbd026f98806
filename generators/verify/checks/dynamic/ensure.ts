import type { Runtime } from '../../dynamic/runtime.js';
import type { ProjectContext } from '../../context.js';
import { createdIds } from './api-walk.js';
import { createBody, createEventually, http } from './http.js';

/** An id per entity (created through the API as the admin), reusing what the walk created. */
export async function ensureRows(rt: Runtime, project: ProjectContext): Promise<Record<string, string>> {
  const created = createdIds(rt);
  const api = await rt.sharedApi();
  const tokens = await rt.tokens();
  let n = 500_000 + (Date.now() % 100_000);
  for (const e of project.plan.entities) {
    if (created[e.name]) continue;
    const body = createBody(e, ++n, created);
    const r = await createEventually(e, () => http(api.url, 'POST', e.routePrefix, { token: tokens.admin, body }));
    if (r.status !== 201) throw new Error(`could not create a ${e.name} to work with: ${r.transcript}`);
    created[e.name] = (r.body as { id: string }).id;
  }
  return created;
}
