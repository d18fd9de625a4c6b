import { terminalSafe } from './safe-text.js';

/** One line of a cell: cells hold names from outside (a model's tool names), so controls go and line breaks become spaces. */
const cellText = (cell: string | number): string => terminalSafe(String(cell)).replace(/[\t\n]/g, ' ');

/** A plain text table: columns padded to their widest cell, numbers aligned right. Every cell is made terminal-safe. */
export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[], paintHeader: (text: string) => string = (text) => text): string[] {
  const cells = rows.map((row) => row.map(cellText));
  const safeHeaders = headers.map(cellText);
  const widths = safeHeaders.map((header, column) => Math.max(header.length, ...cells.map((row) => row[column]?.length ?? 0)));
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const line = (row: readonly string[]) => row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [paintHeader(line(safeHeaders)), ...cells.map(line)];
}
