/**
 * Normalisation of extracted text (PDF text layers, DOCX text, OCR output), in time linear in
 * the text's length: documents are caller-controlled, and a regular expression such as
 * `/[ \t]+\n/g` backtracks quadratically over a long run of blanks that no newline follows
 * (a 1 KB DOCX of 200,000 spaces took 18 s). Blanks are trimmed by a scan instead.
 */

/**
 * `\r\n` and `\r` → `\n`; in each line, runs of 2+ blanks (space, tab) → one space and
 * trailing blanks dropped; runs of 3+ newlines → 2; trimmed.
 */
export function normalizeText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) lines[i] = trimEndBlanks(lines[i].replace(/[ \t]{2,}/g, ' '));
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** `line` without its trailing spaces and tabs. */
export function trimEndBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
  return end === line.length ? line : line.slice(0, end);
}

