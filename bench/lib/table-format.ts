// Plain-text and Markdown tables: the same rows print to the terminal and paste into docs/benchmarks.md.
import type { ResultTable } from './scenario.ts';

export function formatTable(table: ResultTable): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))];
  const widths = table.columns.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  const textColumns = table.textColumns ?? 1;
  const line = (row: string[]) => '| ' + row.map((cell, col) => pad(cell ?? '', widths[col], col < textColumns)).join(' | ') + ' |';
  const rule = '|' + widths.map((w, col) => (col < textColumns ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [`${table.title}`, '', line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}

// Names left-aligned, figures right-aligned.
const pad = (cell: string, width: number, isText: boolean) => (isText ? cell.padEnd(width) : cell.padStart(width));

/** Rounds for display: three significant figures below 100, whole numbers above, thousands separated. */
export function fmt(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  const rounded = Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : Number(value.toPrecision(3)).toString();
  return unit ? `${rounded} ${unit}` : rounded;
}

export const fmtRatio = (ours: number | undefined, theirs: number | undefined): string =>
  ours === undefined || theirs === undefined || !(theirs > 0) ? 'n/a' : `${(ours / theirs).toFixed(1)}×`;
