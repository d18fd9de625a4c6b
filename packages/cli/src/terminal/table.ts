/** A plain text table: columns padded to their widest cell, numbers aligned right. */
export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[], paintHeader: (text: string) => string = (text) => text): string[] {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => row[column]?.length ?? 0)));
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const line = (row: readonly string[]) => row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [paintHeader(line(headers)), ...cells.map(line)];
}
