// Malformed JSON-RPC lines for the fuzz, written straight to the server's stdin. Each knows the id its
// answer must carry (null when the line gives none), or that it must get no answer at all (a response).
import type { Answer, RawStdio } from '../mcp/raw-stdio.js';

export interface RawLine {
  what: string;
  /** null when answered as expected, else what went wrong. */
  check(raw: RawStdio): Promise<string | null>;
}

const MiB = 1024 * 1024;
const line = (message: unknown): string => `${JSON.stringify(message)}\n`;
const ping = (id: unknown) => ({ jsonrpc: '2.0', id, method: 'ping' });

function answered(
  what: string,
  bytes: () => string | Buffer,
  id: unknown,
  extra?: (a: Answer) => string | null,
): RawLine {
  return {
    what,
    async check(raw) {
      const a = await raw.roundTrip(bytes(), 30_000);
      if (JSON.stringify(a.id) !== JSON.stringify(id))
        return `answered with id ${JSON.stringify(a.id)?.slice(0, 40)}, expected ${JSON.stringify(id)?.slice(0, 40)}`;
      if (a.error === undefined && a.result === undefined) return 'answer has neither result nor error';
      if (a.error !== undefined && typeof a.error.code !== 'number') return 'error without a numeric code';
      // A tool answer of `internal` is a bug whichever way the call arrived.
      if (JSON.stringify(a.result ?? null).includes('\\"code\\":\\"internal\\"')) return 'answered internal';
      return extra?.(a) ?? null;
    },
  };
}

/** MCP wants -32602 for a tools/call the server cannot serve (src/mcp/call-tool.ts). */
const invalidParams = (a: Answer): string | null =>
  a.error?.code === -32602
    ? null
    : `answered ${JSON.stringify(a.error ?? a.result).slice(0, 80)}, expected -32602`;

/** Lines that must not be answered: the next answer has to be the ping sent after them. */
function unanswered(what: string, bytes: string): RawLine {
  return {
    what,
    async check(raw) {
      const id = `after-${what}`;
      const a = await raw.roundTrip(bytes + line(ping(id)));
      return a.id === id ? null : `got an answer: ${JSON.stringify(a).slice(0, 200)}`;
    },
  };
}

const toolErrorCode = (a: Answer): string | undefined => {
  const result = a.result as { isError?: boolean; content?: { text?: string }[] } | undefined;
  if (!result?.isError) return undefined;
  try {
    return (JSON.parse(result.content?.[0]?.text ?? '') as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
};

const enqueueLine = (id: string, payloadBytes: number) =>
  line({
    method: 'tools/call',
    params: {
      name: 'queue_enqueue',
      arguments: { type: 'fz.big', payload: { blob: 'b'.repeat(payloadBytes) } },
    },
    jsonrpc: '2.0',
    id,
  });

/** Every byte but the newline, in a fixed scrambled order. */
const garbage = (): Buffer =>
  Buffer.from(Array.from({ length: 255 }, (_, i) => (i * 97 + 11) % 256).filter((b) => b !== 0x0a)).subarray(
    0,
    200,
  );

const deepParams = (depth: number) =>
  `{"jsonrpc":"2.0","id":"r-deep","method":"tools/call","params":{"name":"queue_enqueue","arguments":{"type":"fz.deep","payload":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}}}\n`;

export const RAW_LINES: RawLine[] = [
  answered(
    'truncated JSON',
    () => '{"jsonrpc":"2.0","id":"r-trunc","method":"tools/call","params":{"name":"queue_status"\n',
    null,
  ),
  answered('binary garbage', () => Buffer.concat([garbage(), Buffer.from('\n')]), null),
  answered(
    'invalid UTF-8 in a request',
    () =>
      Buffer.concat([
        Buffer.from('{"jsonrpc":"2.0","id":"r-utf8","method":"ping","params":{"x":"'),
        Buffer.from([0xed, 0xa0, 0x80, 0xff]),
        Buffer.from('"}}\n'),
      ]),
    null,
  ),
  answered(
    'raw NUL and control characters inside a string',
    () => '{"jsonrpc":"2.0","id":"r-nul","method":"ping","params":{"x":"a\u0000\u0001b"}}\n',
    null,
  ),
  answered(
    'escaped lone surrogate in params',
    () => '{"jsonrpc":"2.0","id":"r-sur","method":"ping","params":{"x":"\\udc00"}}\n',
    'r-sur',
  ),
  answered('missing jsonrpc', () => line({ id: 'r-nojr', method: 'ping' }), 'r-nojr'),
  answered('jsonrpc 1.0', () => line({ jsonrpc: '1.0', id: 'r-v1', method: 'ping' }), 'r-v1'),
  answered('unknown method', () => line({ jsonrpc: '2.0', id: 'r-um', method: 'tools/destroy' }), 'r-um'),
  answered('boolean id', () => line(ping(true)), null),
  answered('object id', () => line(ping({ a: 1 })), null),
  answered('fractional id', () => line(ping(1.5)), null),
  answered('id past 2^53', () => '{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}\n', null),
  answered('id 1e400', () => '{"jsonrpc":"2.0","id":1e400,"method":"ping"}\n', null),
  answered('negative id', () => line(ping(-7)), -7),
  answered('empty string id', () => line(ping('')), ''),
  answered('1 MiB string id', () => line(ping('i'.repeat(MiB))), 'i'.repeat(MiB)),
  answered('batch array', () => line([ping('r-b1'), ping('r-b2')]), null),
  answered('empty array', () => '[]\n', null),
  answered('notification with a numeric method', () => line({ jsonrpc: '2.0', method: 5 }), null),
  answered(
    'tools/call with array arguments',
    () =>
      line({
        jsonrpc: '2.0',
        id: 'r-argarr',
        method: 'tools/call',
        params: { name: 'queue_get', arguments: [1] },
      }),
    'r-argarr',
    invalidParams,
  ),
  answered(
    'tools/call without a name',
    () => line({ jsonrpc: '2.0', id: 'r-noname', method: 'tools/call', params: {} }),
    'r-noname',
    invalidParams,
  ),
  answered(
    '__proto__ in params',
    () =>
      '{"jsonrpc":"2.0","id":"r-proto","method":"tools/call","params":{"name":"queue_status","arguments":{},"__proto__":{"x":1}}}\n',
    'r-proto',
  ),
  answered('BOM before a request', () => `\ufeff${line(ping('r-bom'))}`, 'r-bom'),
  answered('JSON nested 100000 deep', () => deepParams(100_000), 'r-deep'),
  answered(
    '12 MiB line (parsed)',
    () => enqueueLine('r-12mib', 12 * MiB),
    'r-12mib',
    (a) =>
      toolErrorCode(a) === 'payload_too_large'
        ? null
        : `expected payload_too_large, got ${JSON.stringify(a).slice(0, 200)}`,
  ),
  answered(
    '20 MiB line (over the cap)',
    () => enqueueLine('r-20mib', 20 * MiB),
    'r-20mib',
    (a) =>
      a.error?.data?.code === 'payload_too_large'
        ? null
        : `expected payload_too_large, got ${JSON.stringify(a).slice(0, 200)}`,
  ),
  unanswered('a response to nothing', line({ jsonrpc: '2.0', id: 'r-resp', result: {} })),
  unanswered('blank lines', '\n   \r\n\n'),
];
