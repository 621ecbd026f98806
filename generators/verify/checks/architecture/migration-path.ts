import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { listItems, missingRecord, readRecord, RECORD, section } from './record.js';

/** When the project replaces a system (answers.context.replacesSystem), the record has a phased migration with a rollback. */
export const migrationPath: Check = {
  id: 'architecture.migration-path',
  title: 'The decision record has a phased migration path with a rollback plan when the project replaces a system',
  seed: seed('s000', 'Validation Criteria: Migration path (if changing architecture)'),
  kind: 'static',
  async run({ project }) {
    const required = project.manifest.answers.context?.replacesSystem === true;
    const record = await readRecord(project);
    if (!record) return required ? missingRecord() : pass(`not required: the answers do not say the project replaces a system`);
    const s = section(record, /migration/i);
    const phases = s ? record.sections.filter((x) => x.line > s.line && x.line <= (s.body.at(-1)?.line ?? s.line) && /phase|step|stage/i.test(x.title) && listItems(x).length > 0) : [];
    const inline = s ? listItems(s).filter((l) => /^\**(phase|step|stage)\b/i.test(l.text)) : [];
    const rollback = s ? record.sections.find((x) => x.line > s.line && x.line <= (s.body.at(-1)?.line ?? s.line) && /rollback/i.test(x.title)) : undefined;
    const rollbackText = rollback ? listItems(rollback).length > 0 : (s?.body.some((l) => /rollback|roll back/i.test(l.text)) ?? false);
    const problems: Evidence[] = [];
    if (!s) problems.push({ file: RECORD, text: 'no migration path section' });
    else {
      if (phases.length + inline.length < 2) problems.push({ file: RECORD, line: s.line, text: `${phases.length + inline.length} phase(s) with steps; at least 2 (preparation, validation, cutover)` });
      if (!rollbackText) problems.push({ file: RECORD, line: s.line, text: 'no rollback plan' });
    }
    if (problems.length === 0) return pass(`migration path: ${phases.length + inline.length} phases and a rollback plan${required ? ' (required: the project replaces a system)' : ''}`, [{ file: RECORD, line: s!.line, text: s!.title }]);
    if (!required) return pass(`not required (the answers do not say the project replaces a system); the record's migration path is incomplete: ${problems.map((p) => p.text).join('; ')}`);
    return fail(`the project replaces a system, and the migration path is incomplete (${problems.length})`, problems, 'Describe the migration in phases (preparation, validation, cutover) with a rollback plan; `backend-arch update` redraws it from answers.context.');
  },
};
