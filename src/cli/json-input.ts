// JSON given to a flag (--payload, --result): inline, `@path` (a file) or `-` (stdin). Neither
// `@…` nor `-` is valid JSON, so nothing is ambiguous; they exist because argv caps one argument
// near 128 KiB, below the payload limit. A file or stdin is checked when the flag is parsed (a
// typo fails at once, exit 2) but read by the command, which knows the payload limit: nothing
// beyond the limit is read, so a runaway pipe or a huge file fails fast with payload_too_large.
import { createReadStream, fstatSync, openSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from 'commander';
import { QueueError } from '../core/errors.js';
import { maxRequestBytes } from '../core/limits.js';

export type JsonInput =
  { from: 'inline'; value: unknown } | { from: 'stdin' } | { from: 'file'; path: string; fd: number };

const OBJECT_EXPECTED = `expected a JSON object such as '{"key":"value"}'`;
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A commander parser for any JSON; `previous` is the same flag's value given earlier on the line. */
export function jsonInputArg(value: string, previous?: JsonInput): JsonInput {
  if (value === '-') {
    if (previous?.from === 'stdin')
      throw new InvalidArgumentError('- given twice: stdin can be read only once');
    if (isatty(0)) {
      throw new InvalidArgumentError(
        '- reads JSON from stdin, which is a terminal: pipe the JSON in, or use @file',
      );
    }
    return { from: 'stdin' };
  }
  if (value.startsWith('@')) {
    const path = value.slice(1);
    try {
      return { from: 'file', path, fd: openSync(path, 'r') };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new InvalidArgumentError(`cannot read JSON from file "${path}" (${code})`);
    }
  }
  return { from: 'inline', value: parse(value, (m) => new InvalidArgumentError(m)) };
}

/** Like jsonInputArg, for a JSON object (checked here when inline, by readJsonInput otherwise). */
export function jsonObjectInputArg(value: string, previous?: JsonInput): JsonInput {
  const input = jsonInputArg(value, previous);
  if (input.from === 'inline' && !isObject(input.value)) throw new InvalidArgumentError(OBJECT_EXPECTED);
  return input;
}

/** The value of a JSON flag; `flag` names it in errors, `limit` is queue.payloadLimitBytes. */
export async function readJsonInput(
  input: JsonInput,
  flag: string,
  limit: number,
  opts: { object?: boolean } = {},
): Promise<unknown> {
  if (input.from === 'inline') return input.value;
  const from = input.from === 'stdin' ? 'stdin' : `file "${input.path}"`;
  // The limit counts the value's compact JSON; a file of the same value can be several times
  // larger (indentation, \uXXXX escapes). Read up to the bound the MCP transports use for the same
  // reason, and let the queue judge the parsed value exactly, as it does for an inline flag.
  const readLimit = maxRequestBytes(limit);
  const tooLarge = (bytes: string) =>
    new QueueError(
      'payload_too_large',
      `${flag} from ${from} is ${bytes} bytes, past what can hold a value within the limit of ${limit} bytes of compact JSON (queue.payloadLimitBytes, AGENT_QUEUE_PAYLOAD_LIMIT_BYTES). Put large content in a file or URL and pass its location in the JSON.`,
      { details: { limit } },
    );
  let stream: Readable;
  if (input.from === 'file') {
    // A regular file says its size up front: refuse it without reading a byte.
    const { size } = fstatSync(input.fd);
    if (size > readLimit) throw tooLarge(String(size));
    stream = createReadStream('', { fd: input.fd });
  } else {
    // Not readFileSync(0): it throws EAGAIN on a non-blocking pipe, and reads without an end.
    stream = process.stdin;
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > readLimit) {
      stream.destroy();
      throw tooLarge(`more than ${readLimit}`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const error = (m: string) => new QueueError('invalid_argument', `${flag} from ${from}: ${m}`);
  const value = parse(text, error);
  if (opts.object && !isObject(value)) throw error(OBJECT_EXPECTED);
  return value;
}

function parse(text: string, error: (message: string) => Error): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw error(`not valid JSON (${(err as Error).message})`);
  }
}

/** A command's `--payload` flag as the job's payload: the object it names, or {} without the flag. */
export async function readPayloadFlag(
  flag: JsonInput | undefined,
  limitBytes: number,
): Promise<Record<string, unknown>> {
  if (!flag) return {};
  return (await readJsonInput(flag, '--payload', limitBytes, { object: true })) as Record<string, unknown>;
}
