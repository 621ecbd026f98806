import type { CheckContext, CheckOutcome } from '../../types.js';
import { skip } from '../../types.js';
import type { Runtime } from '../../dynamic/runtime.js';

/** Runs a dynamic check body, or skips it (never passes it) when servers or dependencies are missing. */
export async function withRuntime(ctx: CheckContext, body: (rt: Runtime) => Promise<CheckOutcome>): Promise<CheckOutcome> {
  const rt = ctx.runtime;
  if (!rt) return skip('dynamic checks are off (--static)');
  const why = await rt.unavailable();
  if (why) return skip(`skipped: ${why.reason}`, why.fix);
  return body(rt);
}
