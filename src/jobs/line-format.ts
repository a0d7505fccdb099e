/** One input line → the text to score (or its own error), and one answer → its result line. */
import { lineNotJson, lineTooLong, lineWithoutText, type LabelwiseError } from '../errors.js';
import type { RawLine } from './lines.js';
import type { ScoredItem } from './ports.js';
import type { JobResultLine } from './types.js';

/** A line ready to score: its text (or the error it is answered with) and its `id`, if any. */
export interface ParsedLine {
  index: number;
  text: string | LabelwiseError;
  id?: unknown;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseLine(line: RawLine, maxLineBytes: number): ParsedLine {
  const { index } = line;
  if (line.tooLong || !line.bytes) return { index, text: lineTooLong(maxLineBytes) };
  let bytes = line.bytes;
  if (bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, -1); // CRLF files
  let source: string;
  try {
    source = decoder.decode(bytes);
  } catch {
    return { index, text: lineNotJson('the line is not valid UTF-8') };
  }
  if (index === 0 && source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  if (source.trim() === '') return { index, text: lineWithoutText('line is empty; each line must be a JSON object with "text"') };
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (err) {
    return { index, text: lineNotJson((err as Error).message) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { index, text: lineWithoutText('line must be a JSON object with "text"') };
  const record = value as Record<string, unknown>;
  const id = 'id' in record ? record.id : undefined;
  const text = record.text;
  if (typeof text !== 'string') return { index, id, text: lineWithoutText(text === undefined || text === null ? 'text is required' : 'text must be a string') };
  if (text.trim() === '') return { index, id, text: lineWithoutText('text must not be empty') };
  return { index, id, text };
}

/** The result line of spec §7.5 for a line and its answer. */
export function resultLine(line: ParsedLine, item: ScoredItem): JobResultLine {
  const head = line.id === undefined ? { index: line.index } : { index: line.index, id: line.id };
  if (!item.ok) return { ...head, error: item.error.message, code: item.error.code, tokens: 0 };
  return { ...head, ...item.body };
}
