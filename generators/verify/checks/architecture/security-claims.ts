import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { missingRecord, readRecord, RECORD, section } from './record.js';

/**
 * Seed 000's Security Checklist items, how to recognise each in the record, and the code checks that
 * can confirm a claim, by id: they are looked up in the project's checklist, so a check a blueprint
 * owns (the monolith's api.rate-limit) confirms a claim like a shared one; `a|b` names alternatives, the
 * first one in the checklist confirms (a Worker's rate limit is a platform binding, confirmed on the
 * running Worker by dynamic.rate-limit-429). An item without a code check (encryption at rest, in transit) is a deployment
 * property: the record may list it, but not claim it as implemented.
 */
const ITEMS = [
  { item: 'Authentication', match: /authenticat/i, seedItem: true, checks: ['api.auth-on-mutations'] },
  { item: 'Authorization', match: /authori[sz]ation|rbac/i, seedItem: true, checks: ['api.auth-on-mutations'] },
  { item: 'Rate limiting', match: /rate.?limit/i, seedItem: true, checks: ['api.rate-limit|dynamic.rate-limit-429'] },
  { item: 'Input validation', match: /input validation|sql injection|xss/i, seedItem: true, checks: ['api.route-schemas', 'code.sql-parameterized'] },
  { item: 'Encryption at rest', match: /at rest/i, seedItem: true, checks: [] as string[] },
  { item: 'Encryption in transit', match: /in transit|\btls\b/i, seedItem: true, checks: [] as string[] },
  { item: 'Secrets management', match: /secret/i, seedItem: true, checks: ['code.no-secret-literals', 'delivery.env-example'] },
  { item: 'Audit logging', match: /audit/i, seedItem: true, checks: ['schema.audit-log-partitioned'] },
  { item: 'Security headers', match: /helmet|security headers/i, seedItem: false, checks: ['dynamic.security-headers'] },
  { item: 'CORS allowlist', match: /\bcors\b/i, seedItem: false, checks: ['dynamic.cors-allowlist'] },
  { item: 'Password hashing', match: /password/i, seedItem: false, checks: ['security.password-hashing'] },
];

export const securityClaims: Check = {
  id: 'architecture.security-claims',
  title: "The decision record addresses seed 000's security checklist, and every item it claims is confirmed by a code check",
  seed: seed('s000', 'Validation Criteria: Security best practices addressed (Security Checklist)'),
  kind: 'static',
  async run(ctx) {
    const record = await readRecord(ctx.project);
    if (!record) return missingRecord();
    const s = section(record, /security/i);
    if (!s) return fail('no security section', [{ file: RECORD, text: 'no section whose heading mentions security' }], "Add seed 000's security checklist as task items (- [x] / - [ ]).");
    const boxes = s.body.flatMap((l) => {
      const m = /^\s*[-*+]\s+\[([ xX])\]\s+(.*)$/.exec(l.text);
      return m ? [{ checked: m[1] !== ' ', text: m[2]!, line: l.line }] : [];
    });
    const checklist = new Map(ctx.project.checklist().map((c) => [c.id, c]));
    const problems: Evidence[] = [];
    const confirmed: Evidence[] = [];
    for (const item of ITEMS.filter((i) => i.seedItem))
      if (!boxes.some((b) => item.match.test(b.text))) problems.push({ file: RECORD, line: s.line, text: `the checklist does not address ${item.item}` });
    for (const box of boxes.filter((b) => b.checked)) {
      // A line may name several items ("Authentication and TLS"): every one it names is claimed.
      const items = ITEMS.filter((i) => i.match.test(box.text));
      if (items.length === 0) problems.push({ file: RECORD, line: box.line, text: `claims "${box.text}", which no code check can confirm` });
      for (const item of items) {
        if (item.checks.length === 0) {
          problems.push({ file: RECORD, line: box.line, text: `claims ${item.item} as implemented, but it is a deployment property no code check can confirm; leave it unchecked and say where it belongs` });
          continue;
        }
        for (const ids of item.checks) {
          const id = ids.split('|').find((x) => checklist.has(x)) ?? ids.split('|').join(' or ');
          const check = checklist.get(id);
          if (!check) {
            problems.push({ file: RECORD, line: box.line, text: `claims ${item.item}, but ${id} could not confirm it: it is not in the ${ctx.project.blueprint.id} blueprint's checklist` });
            continue;
          }
          // A property only observable on the running API (headers, CORS) is confirmed by its dynamic
          // check in the same verify run, which fails there if the claim is false.
          if (check.kind === 'dynamic') continue;
          const outcome = await check.run(ctx);
          if (outcome.status !== 'pass') problems.push({ file: RECORD, line: box.line, text: `claims ${item.item}, but ${check.id} ${outcome.status === 'fail' ? 'fails' : 'could not confirm it'}: ${outcome.summary}` });
        }
      }
      if (!problems.some((p) => p.line === box.line)) confirmed.push({ file: RECORD, line: box.line, text: `${items.map((i) => i.item).join(', ')}: ${[...new Set(items.flatMap((i) => i.checks.map((ids) => ids.split('|').find((x) => checklist.has(x)))))].join(', ')} pass` });
    }
    if (problems.length) return fail(`${problems.length} security claim(s) not backed by the code`, problems, 'Fix the code the failing check names, or uncheck the item and say what is missing; address every item of the seed checklist.');
    return pass(`${boxes.length} checklist items; ${confirmed.length} claimed and confirmed by code checks`, confirmed);
  },
};
