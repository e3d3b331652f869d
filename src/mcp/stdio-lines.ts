// Splits a byte stream into lines with a cap per line. A line over the cap is never held whole: it is
// dropped as it streams in, keeping only its first and last bytes so its request id can be recovered.
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/** How much of the start and the end of an oversized line is kept to look for its id. */
export const ID_SCAN_BYTES = 64 * 1024;

export type Line =
  { kind: 'line'; bytes: Buffer } | { kind: 'oversized'; bytes: number; head: Buffer; tail: Buffer };

interface Discarding {
  bytes: number;
  head: Buffer;
  tail: Buffer;
  tailLength: number;
}

export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding: Discarding | null = null;

  constructor(
    private readonly limitBytes: number,
    private readonly emit: (line: Line) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      this.take(chunk.subarray(start, nl === -1 ? chunk.length : nl));
      if (nl === -1) return;
      this.endLine();
      start = nl + 1;
    }
  }

  private take(piece: Buffer): void {
    if (this.discarding) return this.discard(this.discarding, piece);
    if (this.size + piece.length <= this.limitBytes) {
      this.parts.push(piece);
      this.size += piece.length;
      return;
    }
    const held = [...this.parts, piece];
    const total = this.size + piece.length;
    const d: Discarding = {
      bytes: 0,
      head: Buffer.concat(held, Math.min(total, ID_SCAN_BYTES)),
      tail: Buffer.alloc(ID_SCAN_BYTES),
      tailLength: 0,
    };
    this.discarding = d;
    this.parts = [];
    this.size = 0;
    for (const p of held) this.discard(d, p);
  }

  /** Counts the piece and keeps its last bytes in the fixed tail buffer: no allocation per chunk. */
  private discard(d: Discarding, piece: Buffer): void {
    d.bytes += piece.length;
    const keep = Math.min(piece.length, ID_SCAN_BYTES);
    const old = Math.min(d.tailLength, ID_SCAN_BYTES - keep);
    d.tail.copyWithin(0, d.tailLength - old, d.tailLength);
    piece.copy(d.tail, old, piece.length - keep);
    d.tailLength = old + keep;
  }

  private endLine(): void {
    const d = this.discarding;
    if (d) {
      this.discarding = null;
      return this.emit({
        kind: 'oversized',
        bytes: d.bytes,
        head: d.head,
        tail: d.tail.subarray(0, d.tailLength),
      });
    }
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.emit({ kind: 'line', bytes });
  }
}

const ID_VALUE = /"((?:[^"\\]|\\.)*)"|(-?\d+)(?![\d.eE])/y;
const HEAD = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*/y;
const ID_KEY = /[{,]\s*"id"\s*:\s*/g;
const AFTER_LAST_KEY = /\s*(?:,\s*"jsonrpc"\s*:\s*"2\.0"\s*)?\}\s*$/y;

/**
 * The id of an oversized request, from where JSON-RPC clients put it: first (`{"jsonrpc":"2.0","id":…`)
 * or last (`…,"id":7}`, as the MCP SDK serialises). `"id"` cannot occur inside a JSON string (its
 * quotes would be escaped), so a match is a key; null when neither end shows one.
 */
export function recoverId(head: Buffer, tail: Buffer): RequestId | null {
  const start = head.toString('utf8');
  HEAD.lastIndex = 0;
  if (HEAD.test(start)) {
    const id = idAt(start, HEAD.lastIndex);
    if (id) return id.value;
  }
  const end = tail.toString('utf8');
  let last = -1;
  for (const m of end.matchAll(ID_KEY)) last = m.index + m[0].length;
  if (last === -1) return null;
  const id = idAt(end, last);
  if (!id) return null;
  AFTER_LAST_KEY.lastIndex = id.end;
  return AFTER_LAST_KEY.test(end) ? id.value : null;
}

function idAt(text: string, at: number): { value: RequestId; end: number } | null {
  ID_VALUE.lastIndex = at;
  const m = ID_VALUE.exec(text);
  if (!m) return null;
  if (m[1] !== undefined) {
    try {
      return { value: JSON.parse(`"${m[1]}"`) as string, end: ID_VALUE.lastIndex };
    } catch {
      return null;
    }
  }
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? { value: n, end: ID_VALUE.lastIndex } : null;
}
