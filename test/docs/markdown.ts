/** Reading the project's own Markdown (README.md, docs/api.md) for the docs tests. */
import { readFileSync } from 'node:fs';

export const ROOT = new URL('../../', import.meta.url);

export function readDoc(path: string): string {
  return readFileSync(new URL(path, ROOT), 'utf8');
}

/** The text of the `## title` section (up to the next heading of level 1 or 2). */
export function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no "## ${title}" section`);
  const rest = markdown.slice(start + 1);
  const next = rest.slice(1).search(/\n#{1,2} /);
  return next < 0 ? rest : rest.slice(0, next + 1);
}

/** The first cell of every row of the Markdown tables in `text` (callers' patterns skip headers). */
export function firstCells(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /^\|/.test(line) && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) => line.split('|')[1].trim());
}

/** Fenced code blocks of one language, with the line each starts on. */
export function codeBlocks(markdown: string, lang: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== `\`\`\`${lang}`) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}
