// A child's output on its way out of the worker (SPEC §13): split into lines (long ones cut), kept
// as a bounded tail, stripped of the worker's own secrets, and written to the job's timeline in
// batches under a per-job rate limit, so a chatty child can neither flood the store nor leak a token.

/** A longer output line is cut to this many characters and "…". */
export const MAX_LINE_CHARS = 2_000;
/** How much of stdout and of stderr a child's exit keeps (for resultSummary and the error). */
export const TAIL_CHARS = 4_000;
/** What replaces a secret value. */
export const REDACTED = '[redacted]';

export function cutLine(line: string, max = MAX_LINE_CHARS): string {
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * Splits a stream of text into lines (without "\n" or "\r\n"). Each line goes to `onLine`
 * redacted, then cut to MAX_LINE_CHARS (in that order, so a secret across the cut is still whole
 * when the redactor sees it); `last` is the last non-empty line redacted but uncut (up to
 * `keepChars`), for a JSON result. `onWhole` gets each line redacted but uncut (cut when over
 * `keepChars`), and whether a newline ended it (a Tail is built from these, so it never holds
 * part of a secret).
 */
export class LineSplitter {
  private parts: string[] = [];
  private length = 0;
  private overflow = false;
  last: string | null = null;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly keepChars = 1_048_576,
    private readonly redact: (text: string) => string = (text) => text,
    private readonly onWhole?: (line: string, newline: boolean) => void,
  ) {}

  push(text: string): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.append(text.slice(start, nl));
      this.endLine(true);
      start = nl + 1;
    }
    if (start < text.length) this.append(text.slice(start));
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.length > 0 || this.overflow) this.endLine(false);
  }

  private append(piece: string): void {
    if (this.overflow || piece.length === 0) return;
    const room = this.keepChars - this.length;
    if (piece.length > room) {
      this.parts.push(piece.slice(0, room));
      this.length += room;
      this.overflow = true;
    } else {
      this.parts.push(piece);
      this.length += piece.length;
    }
  }

  private endLine(newline: boolean): void {
    let line = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    line = this.redact(line);
    const cut = cutLine(line);
    // A line cut at keepChars may end in a secret's first characters: only its start is whole.
    this.onWhole?.(this.overflow ? cut : line, newline);
    this.parts = [];
    this.length = 0;
    if (line.trim() !== '') this.last = this.overflow ? cut : line;
    this.overflow = false;
    this.onLine(cut);
  }
}

/**
 * The last `max` characters of a stream, cut at a line start when the stream was longer. It is
 * given text already redacted line by line (see LineSplitter's `onWhole`): redacting here, after
 * an arbitrary cut, could miss a secret whose first characters were cut away and show the rest.
 */
export class Tail {
  private buf = '';
  private dropped = false;

  constructor(private readonly max = TAIL_CHARS) {}

  push(text: string): void {
    this.buf += text;
    if (this.buf.length > 4 * this.max) {
      this.buf = this.buf.slice(this.buf.length - 2 * this.max);
      this.dropped = true;
    }
  }

  text(): string {
    const all = this.buf;
    if (!this.dropped && all.length <= this.max) return all;
    const cut = all.slice(Math.max(0, all.length - this.max));
    const nl = cut.indexOf('\n');
    // Start at the next line start when one is near; a long cut line stays as it is.
    return nl >= 0 && nl < 200 && nl < cut.length - 1 ? cut.slice(nl + 1) : cut;
  }
}

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE|CREDENTIAL/i;
const MIN_SECRET_CHARS = 6;
/** URL passwords are secrets at any length but the trivially short (they would redact letters). */
const MIN_URL_PASSWORD_CHARS = 3;

/** The secret values of an environment: URL passwords, and the values of secret-named variables. */
export function secretValues(env: Record<string, string | undefined>): string[] {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name) && value.length >= MIN_SECRET_CHARS) {
      found.add(value);
      // A multi-line value (a PEM key) reaches the output line by line: each line is a secret too.
      for (const line of value.split(/\r?\n/)) {
        if (line.trim().length >= MIN_SECRET_CHARS) found.add(line.trim());
      }
    }
    if (value.includes('://')) {
      for (const password of urlPasswords(value)) {
        if (password.length >= MIN_URL_PASSWORD_CHARS) found.add(password);
      }
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

function urlPasswords(value: string): string[] {
  try {
    const url = new URL(value);
    if (!url.password) return [];
    const out = [url.password];
    try {
      out.push(decodeURIComponent(url.password));
    } catch {
      // not percent-encoded text: the raw form is all there is
    }
    return out;
  } catch {
    return [];
  }
}

/** A function that replaces every secret value of `env` in a text by "[redacted]". */
export function createRedactor(env: Record<string, string | undefined>): (text: string) => string {
  const secrets = secretValues(env);
  if (secrets.length === 0) return (text) => text;
  const pattern = new RegExp(secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}

export type Stream = 'stdout' | 'stderr';

export interface LogBatcherOptions {
  /** Writes one batch (≤ maxBatch lines + a drop note); writes are made one at a time, in order. */
  write(stream: Stream, lines: string[]): Promise<void>;
  /** A batch is written this long after its first line at the latest (default 1,000 ms). */
  flushMs?: number;
  /** ...or as soon as it has this many lines (default 50). */
  maxBatch?: number;
  /** Token bucket over both streams: lines per second and burst (default 20 and 200). */
  ratePerSecond?: number;
  burst?: number;
  /** The clock of the bucket (ms); tests pass their own. */
  now?: () => number;
}

/** One job's output lines on their way to the timeline: batched per stream, rate-limited per job. */
export class LogBatcher {
  private readonly pending: Record<Stream, string[]> = { stdout: [], stderr: [] };
  private readonly droppedLines: Record<Stream, number> = { stdout: 0, stderr: 0 };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<void> = Promise.resolve();
  private tokens: number;
  private lastRefill: number;
  private closed = false;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(private readonly opts: LogBatcherOptions) {
    this.flushMs = opts.flushMs ?? 1_000;
    this.maxBatch = opts.maxBatch ?? 50;
    this.rate = opts.ratePerSecond ?? 20;
    this.burst = opts.burst ?? 200;
    this.now = opts.now ?? (() => performance.now());
    this.tokens = this.burst;
    this.lastRefill = this.now();
  }

  /** Lines dropped by the rate limit so far and not yet reported. */
  get dropped(): number {
    return this.droppedLines.stdout + this.droppedLines.stderr;
  }

  add(stream: Stream, line: string): void {
    if (this.closed) return;
    if (this.take()) this.pending[stream].push(cutLine(line));
    else this.droppedLines[stream]++;
    if (this.pending[stream].length >= this.maxBatch) this.flushStream(stream);
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes what is pending now; resolves once every write made so far settled. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushStream('stdout');
    this.flushStream('stderr');
    return this.chain;
  }

  /** Flushes and takes no more lines. */
  close(): Promise<void> {
    const done = this.flush();
    this.closed = true;
    return done;
  }

  private take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.rate);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private flushStream(stream: Stream): void {
    const lines = this.pending[stream];
    const dropped = this.droppedLines[stream];
    if (lines.length === 0 && dropped === 0) return;
    this.pending[stream] = [];
    this.droppedLines[stream] = 0;
    if (dropped > 0) lines.push(`[agent-queue: ${dropped} lines not recorded]`);
    this.chain = this.chain.then(() => this.opts.write(stream, lines)).catch(() => undefined);
  }
}
