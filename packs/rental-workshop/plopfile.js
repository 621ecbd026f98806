// @ts-check
/**
 * The pack's generators (node-plop): students run them inside their project with
 *   npx backend-arch generate                      # lists them
 *   npx backend-arch generate exercise --answer exercise=1-overdue-index [--dry-run]
 * On a terminal, a prompt without an --answer is asked; elsewhere (CI) it must be given.
 * Actions: node-plop's add, addMany, modify and append (Handlebars templates), and `render-ejs`, an EJS
 * template rendered like the blueprint's own templates, with `plan` (the project's plan), `esc` (escapers),
 * `answers` (this generator's answers and the action's data) and `project` (the project's recorded answers).
 * Nothing is written unless every action succeeds; a file with uncommitted edits is not changed without --force.
 */
import { readFileSync } from 'node:fs';

/** @type {{ id: string, title: string, goal: string }[]} */
const exercises = JSON.parse(readFileSync(new URL('./pack.json', import.meta.url), 'utf8')).exercises ?? [];

/** @param {import('node-plop').NodePlopAPI} plop */
export default function (plop) {
  plop.setGenerator('exercise', {
    description: "start an exercise: its sheet (goal, the project's entities, how it is graded) and a test stub",
    prompts: [{ type: 'list', name: 'exercise', message: 'Which exercise', choices: exercises.map((e) => ({ name: `${e.id}: ${e.title}`, value: e.id })) }],
    actions: (data) => {
      const exercise = exercises.find((e) => e.id === data?.exercise);
      return [
        { type: 'render-ejs', path: 'docs/exercises/{{exercise}}.md', templateFile: 'generators/exercise.md.ejs', data: { title: exercise?.title ?? '', goal: exercise?.goal ?? '' } },
        { type: 'add', path: 'test/unit/exercise-{{exercise}}.test.ts', templateFile: 'generators/exercise.test.ts.hbs' },
      ];
    },
  });
}
