/**
 * Every ```ts block of README.md and docs/api.md compiles against the sources, each as its
 * own module (`labelwise`, `labelwise/http` and `labelwise/client` mapped to src/), so a
 * snippet a reader copies is never a syntax or type error.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { codeBlocks, readDoc, ROOT } from './markdown.js';

const root = fileURLToPath(ROOT);
// Inside the repository (git-ignored), so imports of express or fastify resolve as they would for a user.
const dir = fileURLToPath(new URL('test-results/doc-blocks/', ROOT));

const DOCS = ['README.md', 'docs/api.md'];

/** Diagnostics of every ts block of `docs`, compiled together in one program (one pass over src/). */
function typecheck(docs: string[]): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const where = new Map<string, { doc: string; line: number }>();
  for (const doc of docs) {
    const blocks = codeBlocks(readDoc(doc), 'ts');
    expect(blocks.length, `${doc} has ts blocks`).toBeGreaterThan(0);
    blocks.forEach((b, i) => {
      const file = `${dir}${doc.replace(/\W/g, '_')}_${i}.ts`;
      // `export {}` makes a block without imports a module too (top-level await, own scope).
      writeFileSync(file, `${b.code}\nexport {};\n`);
      where.set(file, { doc, line: b.line });
    });
  }
  const files = [...where.keys()];
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    baseUrl: root,
    paths: { labelwise: ['src/index.ts'], 'labelwise/http': ['src/http/index.ts'], 'labelwise/client': ['src/client/index.ts'] },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && where.has(d.file.fileName))
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      const block = where.get(d.file!.fileName)!;
      return `${block.doc}:${block.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

describe('code blocks', () => {
  it(`every ts block of ${DOCS.join(' and ')} compiles`, () => {
    expect(typecheck(DOCS)).toEqual([]);
  });
});
