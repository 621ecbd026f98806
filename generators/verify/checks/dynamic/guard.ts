import type { CheckContext, CheckOutcome } from '../../types.js';
import { cannotRun } from '../../types.js';
import type { Runtime } from '../../dynamic/runtime.js';

/** Runs a dynamic check body, or skips it (never passes it) when servers or dependencies are missing. */
export async function withRuntime(ctx: CheckContext, body: (rt: Runtime) => Promise<CheckOutcome>): Promise<CheckOutcome> {
  const rt = ctx.runtime;
  if (!rt) return cannotRun('dynamic checks are off (--static)', 'run verify without --static');
  const why = await rt.unavailable();
  if (why) return cannotRun(`skipped: ${why.reason}`, why.fix);
  return body(rt);
}
