/**
 * What the published package needs at run time is in "dependencies": every module that dist/ and
 * bin/ import (statically or with import()) is a Node built-in or a dependency — never only a
 * devDependency, which `npm exec` / `npm create` do not install. And everything the CLI reads at run
 * time (dist, bin, blueprints) is in "files".
 */
import { readFile, readdir } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { admits } from '../support/node-range.js';

const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; files: string[]; bin: Record<string, string> };

async function jsFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith('.js')).map((f) => path.join(dir, f));
}

/**
 * The bare specifiers a compiled module imports: import/export declarations and import() calls, read
 * with the TypeScript parser (not a regex over text). `rt.require('pg')` resolves from the generated
 * project (createRequire), not from this package, so require() calls are not counted.
 */
function imports(source: string): string[] {
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      found.add(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0]))
      found.add(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('module.js', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS));
  return [...found].filter((s) => !s.startsWith('.') && !s.startsWith('/'));
}

const packageOf = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);

describe('the published package', () => {
  it('imports at run time only Node built-ins and "dependencies"', async () => {
    const files = [...(await jsFiles('dist')), ...(await jsFiles('bin'))];
    expect(files.length).toBeGreaterThan(20);
    const wrong: string[] = [];
    const used = new Set<string>();
    for (const file of files) {
      for (const specifier of imports(await readFile(file, 'utf8'))) {
        if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
        const name = packageOf(specifier);
        used.add(name);
        if (!(name in pkg.dependencies)) wrong.push(`${file} imports "${specifier}", which is ${name in pkg.devDependencies ? 'only a devDependency' : 'not a dependency'}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(used.size).toBeGreaterThan(5); // the scan found the real imports
  });

  it('ships what the CLI reads at run time, and its engines cover Node 20, 22 and 24', async () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['bin', 'dist', 'blueprints']));
    for (const bin of Object.values(pkg.bin)) expect(pkg.files.some((f) => bin.startsWith(`${f}/`))).toBe(true);
    const engines = (JSON.parse(await readFile('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    for (const node of ['20.19.0', '22.12.0', '24.0.0']) expect(admits(engines, node), `${engines} vs ${node}`).toBe(true);
  });
});

describe('admits (the engines.node ranges packages use)', () => {
  it.each([
    ['>=20.19', '20.19.0', true],
    ['>=20.19', '20.18.1', false],
    ['^20.0.0 || ^22.0.0 || >=24.0.0', '23.1.0', false],
    ['^20.0.0 || ^22.0.0 || >=24.0.0', '24.0.0', true],
    ['^18.18.0 || ^20.9.0 || >=21.1.0', '22.0.0', true],
    ['^16||^18||>=20', '19.0.0', false],
    ['>= 12.22.0', '20.19.0', true],
    ['20.x', '22.0.0', false],
    ['>=14 <20', '20.19.0', false],
  ])('%s admits %s: %s', (range, version, expected) => {
    expect(admits(range, version)).toBe(expected);
  });
});
