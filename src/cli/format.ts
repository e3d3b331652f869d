// Plain-text rendering helpers for human output: aligned tables, compact times, indented blocks.

export type Cell = string | number | boolean | null | undefined;

/** Text for a cell: null and undefined show as "-". */
export function cell(value: Cell): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value).replace(/\s*\n\s*/g, ' ');
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = [headers, ...rows.map((r) => r.map(cell))];
  const widths = headers.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  return text
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i] ?? 0))).join('  '))
    .join('\n');
}

/** "label  value" lines, labels aligned; rows whose value is null/undefined are left out. */
export function fields(rows: [string, Cell][]): string {
  const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== '');
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`).join('\n');
}

/** ISO timestamp -> "2025-06-01 12:34:56Z" (UTC, to the second). */
export function when(iso: string | null | undefined): string | null {
  if (!iso) return null;
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
