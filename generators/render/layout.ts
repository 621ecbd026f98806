/**
 * Line layout for templates whose lines hold names from the spec: where prettier's line breaks depend on
 * a name's length, the template asks here instead of leaving it to prettier at generation
 * (render/formatted-templates.ts). Templates get it as `layout`.
 *
 * Only the outermost decision is taken here, as prettier takes it (printWidth of the generated
 * .prettierrc.json): one line when it fits; else, when the last argument is an array or object literal,
 * that literal "hugged" (its items one per line) if the line up to its opening bracket fits; else one
 * argument per line. A part that still does not fit after that keeps a line wider than the print width,
 * which the guard (looksFormatted) sees: that file goes to prettier.
 */

/** The generated projects' printWidth (blueprints/_shared/templates/_prettierrc.json). */
export const PRINT_WIDTH = 120;

/** An array or object literal, given by its items (printed `[a, b]` / `{ a, b }` on one line). */
export interface Literal {
  open: '[' | '{';
  items: readonly Arg[];
}

/** A call `callee(args)`, laid out by print() like any other call. */
export interface Call {
  callee: string;
  args: readonly Arg[];
}

export type Arg = string | Literal | Call;

const pad = (n: number) => ' '.repeat(n);
const isLiteral = (arg: Arg): arg is Literal => typeof arg !== 'string' && 'open' in arg;
const close = (arg: Literal) => (arg.open === '[' ? ']' : '}');

/** An argument on one line. */
export function flat(arg: Arg): string {
  if (typeof arg === 'string') return arg;
  if (!isLiteral(arg)) return `${arg.callee}(${arg.args.map(flat).join(', ')})`;
  if (arg.items.length === 0) return `${arg.open}${close(arg)}`;
  const items = arg.items.map(flat).join(', ');
  return arg.open === '[' ? `[${items}]` : `{ ${items} }`;
}

/** `callee(args)` as a node for print(). */
export function call(callee: string, args: readonly Arg[]): Call {
  return { callee, args };
}

/**
 * `head` + the arguments + `tail` at `indent` columns (the template prints the indentation of the first
 * line): `head` ends with the call's `(`, `tail` starts with its `)` and holds the rest of the line
 * (`);`, `),`, `).toBe(1);`…). A broken-out argument or a hugged literal's item is laid out the same way
 * one level deeper.
 */
export function args(indent: number, head: string, list: readonly Arg[], tail: string): string {
  const one = `${head}${list.map(flat).join(', ')}${tail}`;
  if (indent + one.length <= PRINT_WIDTH) return one;
  const last = list.at(-1);
  const penultimate = list.at(-2);
  if (last !== undefined && isLiteral(last) && last.items.length > 0 && !(penultimate !== undefined && isLiteral(penultimate) && penultimate.open === last.open)) {
    const opening = `${head}${[...list.slice(0, -1).map(flat), last.open].join(', ')}`;
    if (indent + opening.length <= PRINT_WIDTH) return `${opening}\n${last.items.map((item) => `${pad(indent + 2)}${print(indent + 2, '', item, ',')}\n`).join('')}${pad(indent)}${close(last)}${tail}`;
  }
  return `${head}\n${list.map((a) => `${pad(indent + 2)}${print(indent + 2, '', a, ',')}\n`).join('')}${pad(indent)}${tail}`;
}

/**
 * `prefix` + a node + `suffix` at `indent`: a call laid out by args(); a literal on one line when it fits,
 * else one item per line; a string as it is.
 */
export function print(indent: number, prefix: string, node: Arg, suffix: string): string {
  if (typeof node === 'string') return `${prefix}${node}${suffix}`;
  if (!isLiteral(node)) return args(indent, `${prefix}${node.callee}(`, node.args, `)${suffix}`);
  const one = `${prefix}${flat(node)}${suffix}`;
  if (node.items.length === 0 || indent + one.length <= PRINT_WIDTH) return one;
  return `${prefix}${node.open}\n${node.items.map((item) => `${pad(indent + 2)}${print(indent + 2, '', item, ',')}\n`).join('')}${pad(indent)}${close(node)}${suffix}`;
}

/** `if (…) statement;` at `indent`: on one line when it fits, else the statement on the next line, indented. */
export function ifStatement(indent: number, head: string, statement: string): string {
  const one = `${head} ${statement}`;
  return indent + one.length <= PRINT_WIDTH ? one : `${head}\n${pad(indent + 2)}${statement}`;
}

export const layout = { args, call, flat, print, ifStatement } as const;
export type Layout = typeof layout;
