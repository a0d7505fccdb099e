#!/usr/bin/env node
/**
 * ReDoS check of src/ (issue #8): every regular expression literal and every `new RegExp(...)`
 * / `RegExp(...)` in the TypeScript sources is checked with recheck; any pattern recheck calls
 * vulnerable (super-linear backtracking) fails the run, naming the file, line and attack string.
 * A `RegExp` built from a non-literal pattern cannot be checked and also fails, unless its line
 * carries `// redos-checked: <why>` (e.g. a pattern made of escaped literal text).
 *
 * Run before vitest by `npm test`: `node scripts/check-redos.mjs [dir]`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkSync } from 'recheck';
import ts from 'typescript';

const root = process.argv[2] ?? 'src';
const files = readdirSync(root, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(root, f));

/** Every regex of one file: { line, source, flags } or { line, unchecked: text }. */
function regexesOf(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const lineOf = (node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const visit = (node) => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText(sf);
      const end = literal.lastIndexOf('/');
      found.push({ line: lineOf(node), source: literal.slice(1, end), flags: literal.slice(end + 1) });
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
      const [pattern, flags] = node.arguments ?? [];
      const literal = (n) => n && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n));
      const line = lineOf(node);
      if (literal(pattern) && (flags === undefined || literal(flags))) {
        found.push({ line, source: pattern.text, flags: flags?.text ?? '' });
      } else if (!text.split('\n')[line - 1].includes('redos-checked:')) {
        found.push({ line, unchecked: node.getText(sf) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

let checked = 0;
const problems = [];
for (const file of files) {
  for (const r of regexesOf(file)) {
    const where = `${relative(process.cwd(), file)}:${r.line}`;
    if (r.unchecked) {
      problems.push(`${where}: RegExp from a non-literal pattern cannot be checked: ${r.unchecked}`);
      continue;
    }
    checked++;
    const result = checkSync(r.source, r.flags, { timeout: 10_000 });
    if (result.status === 'vulnerable') {
      problems.push(`${where}: /${r.source}/${r.flags} is ${result.complexity.summary} (attack: ${JSON.stringify(result.attack.pattern)})`);
    } else if (result.status === 'unknown') {
      problems.push(`${where}: /${r.source}/${r.flags} could not be checked (${result.error?.kind ?? 'unknown'}); rewrite it so recheck can prove it linear`);
    }
  }
}
if (problems.length > 0) {
  console.error(`ReDoS check: ${problems.length} problem(s) in ${root}/:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`ReDoS check: ${checked} regular expressions in ${files.length} files of ${root}/, all linear-time`);
