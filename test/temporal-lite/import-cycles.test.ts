// temporal-lite's modules import each other without runtime cycles: each module can be read
// (and loaded) after the modules it uses. Imports of types only do not count.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../temporal-lite');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'bin' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Whether an import or re-export brings in values at run time (not `import type`, not only `type` names). */
function isRuntimeImport(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return false;
    const clause = node.exportClause;
    return !(clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly));
  }
  const clause = node.importClause;
  if (!clause) return true; // a side-effect import
  if (clause.isTypeOnly) return false;
  if (clause.name) return true;
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return true;
  return bindings.elements.length === 0 || !bindings.elements.every((e) => e.isTypeOnly);
}

/** The temporal-lite modules a file imports at run time (absolute .ts paths). */
export function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const imports: string[] = [];
  for (const node of source.statements) {
    if (!(ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) || !node.moduleSpecifier) continue;
    const specifier = (node.moduleSpecifier as ts.StringLiteral).text;
    if (!specifier.startsWith('.') || !isRuntimeImport(node)) continue;
    imports.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
  }
  return imports;
}

/** Every cycle found by a depth-first walk, each as the list of files around it. */
export function importCycles(files: readonly string[], importsOf: (file: string) => string[]): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of importsOf(file)) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

describe('temporal-lite module structure', () => {
  it('the cycle finder reports a cycle and ignores a diamond', () => {
    const graph: Record<string, string[]> = { a: ['b', 'c'], b: ['d'], c: ['d'], d: [], x: ['y'], y: ['z'], z: ['x'] };
    assert.deepEqual(
      importCycles(Object.keys(graph), (f) => graph[f]),
      [['x', 'y', 'z', 'x']],
    );
  });

  it('has no runtime import cycles', () => {
    const cycles = importCycles(sourceFiles(ROOT), runtimeImports).map((cycle) => cycle.map((f) => relative(ROOT, f)).join(' → '));
    assert.deepEqual(cycles, []);
  });
});
