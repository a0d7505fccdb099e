/** One line of the results table; `data` keeps the raw numbers for latest.json. */
export interface Row {
  question: string;
  metric: string;
  measured: string;
  reference: string;
  ratio: string;
  target: string;
  /** `null` for informational rows that have no target. */
  pass: boolean | null;
  notes?: string;
  data?: Record<string, unknown>;
}

export const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
export const ms = (x: number): string => `${fmt(x, x < 1 ? 3 : 2)} ms`;
export const perSec = (x: number): string => `${fmt(x, 0)} texts/s`;
export const mb = (bytes: number): string => `${fmt(bytes / 2 ** 20, 0)} MB`;

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(rows: Row[]): string {
  const head = '| # | metric | measured | reference | ratio | target | pass |\n|---|---|---|---|---|---|---|';
  const lines = rows.map((r) => {
    const pass = r.pass === null ? '—' : r.pass ? '✅ pass' : '❌ fail';
    return `| ${[r.question, r.metric, r.measured, r.reference, r.ratio, r.target, pass].map(cell).join(' | ')} |`;
  });
  return [head, ...lines].join('\n');
}

/** Notes under the table, one bullet per row that has any. */
export function markdownNotes(rows: Row[]): string {
  return rows
    .filter((r) => r.notes)
    .map((r) => `- **${r.question} ${r.metric}**: ${r.notes}`)
    .join('\n');
}
