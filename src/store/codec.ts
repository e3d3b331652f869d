// How values cross between records and columns. Each dialect gives one Codec (PostgreSQL keeps
// timestamptz, jsonb and text[]; SQLite stores integer milliseconds and JSON text).

/** A result row as the driver hands it over, before the codec decodes it. */
export type Row = Record<string, unknown>;

export interface Codec {
  time(d: Date): unknown;
  timeOut(raw: unknown): Date;
  json(v: unknown): unknown;
  jsonOut(raw: unknown): unknown;
  strings(v: readonly string[]): unknown;
  stringsOut(raw: unknown): string[];
  bool(v: boolean): unknown;
  boolOut(raw: unknown): boolean;
}
