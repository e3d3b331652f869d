// The stdio transport under lines the SDK's own transport dies on: oversized (a 12 MiB line is parsed,
// a line over the cap is dropped in bounded memory) and malformed. Each gets an answer; the server stays up.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, BACKENDS } from '../helpers/backends.js';
import { queryNumber } from '../helpers/sql.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, useMcpHarness } from './harness.js';
import { toolBody, type Answer, type RawStdio } from './raw-stdio.js';

const MiB = 1024 * 1024;
const SQLITE = BACKENDS.find((b) => b.name === 'sqlite')!;

const line = (message: object): string => `${JSON.stringify(message)}\n`;
const ping = (id: string | number) => line({ jsonrpc: '2.0', id, method: 'ping' });
/** A tools/call request as the MCP SDK writes it: method and params first, the id last. */
const toolCall = (id: string | number, name: string, args: object) =>
  line({ method: 'tools/call', params: { name, arguments: args }, jsonrpc: '2.0', id });

/** The tool error a tools/call answer carries, or null for a success. */
function toolErrorCode(answer: Answer): string | null {
  if (!(answer.result as { isError?: boolean }).isError) return null;
  return toolBody<{ error: { code: string } }>(answer).error.code;
}

async function expectServing(raw: RawStdio, id: string): Promise<void> {
  expect(await raw.roundTrip(ping(id))).toEqual({ jsonrpc: '2.0', id, result: {} });
}

describe.each(backendsForSuite())('stdio: large lines are parsed ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'answers a 12 MiB enqueue with payload_too_large and its id, then keeps serving',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const raw = await h.raw(['mcp']);
      const big = toolCall('big-1', 'queue_enqueue', { type: 't', payload: { blob: 'x'.repeat(12 * MiB) } });
      expect(big.length).toBeGreaterThan(12 * MiB);
      await raw.write(big);
      expect(toolErrorCode(await raw.answerFor('big-1', 30_000))).toBe('payload_too_large');
      // Two million control characters: 2 MB in memory, 12 MB on the wire as \u0001 escapes.
      const escaped = toolCall(7_000_001, 'queue_enqueue', {
        type: 't',
        payload: { blob: '\u0001'.repeat(2_000_000) },
      });
      expect(escaped.length).toBeGreaterThan(12_000_000);
      await raw.write(escaped);
      expect(toolErrorCode(await raw.answerFor(7_000_001, 30_000))).toBe('payload_too_large');
      const small = await raw.roundTrip(toolCall('small', 'queue_enqueue', { type: 't', payload: { n: 1 } }));
      expect(toolErrorCode(small)).toBeNull();
      expect(await queryNumber(h.db, 'select count(*) from agent_jobs')).toBe(1);
      expect(raw.strayLines).toEqual([]);
    },
  );

  it(
    'reads a legal payload whose wire form is far larger than the payload limit',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      // 4 MiB limit -> 32 MiB lines; 3.5 MB of "a", each written as \u0061: 21 MB on the wire.
      const raw = await h.raw(['mcp'], { AGENT_QUEUE_PAYLOAD_LIMIT_BYTES: String(4 * MiB) });
      const text = 'a'.repeat(3_500_000);
      const wire = toolCall('escaped', 'queue_enqueue', {
        type: 't',
        payload: { text: 'PLACEHOLDER' },
      }).replace('PLACEHOLDER', '\\u0061'.repeat(text.length));
      expect(wire.length).toBeGreaterThan(20 * MiB);
      await raw.write(wire);
      expect(toolErrorCode(await raw.answerFor('escaped', 30_000))).toBeNull();
      expect(await queryNumber(h.db, 'select count(*) from agent_jobs')).toBe(1);
    },
  );
});

describe('stdio: lines over the cap and malformed lines (sqlite; the database plays no part)', () => {
  let h: McpHarness;
  useMcpHarness(SQLITE, (opened) => (h = opened));

  it(
    'drops a 70 MiB line in bounded memory, answers it with its id, and keeps serving',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const raw = await h.raw(['mcp']);
      // One answered call first: the server loads its modules lazily, and that growth is not the line's.
      await expectServing(raw, 'before-huge');
      const before = raw.peakRssBytes();
      const huge = Buffer.from(
        toolCall('huge', 'queue_enqueue', { type: 't', payload: { blob: 'y'.repeat(70 * MiB) } }),
      );
      await raw.write(huge);
      const answer = await raw.answerFor('huge', 30_000);
      expect(answer.error).toMatchObject({
        code: -32600,
        data: { code: 'payload_too_large', limitBytes: 16 * MiB },
      });
      expect(answer.error!.message).toContain(`${huge.length - 1} bytes`);
      const growth = raw.peakRssBytes() - before;
      // Holding the line would cost its 70 MiB (twice, decoded); only the cap (16 MiB) is ever held,
      // plus discarded stdin chunks until the next garbage collection: 31–53 MiB measured in all,
      // as the collector happens to run. Under 64 MiB is less than one copy of the line.
      expect(growth).toBeLessThan(64 * MiB);
      await expectServing(raw, 'after-huge');
    },
  );

  it(
    'recovers a leading id, and answers id null when neither end shows one',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const raw = await h.raw(['mcp']);
      const leading = `{"jsonrpc":"2.0","id":"lead","method":"tools/call","params":{"x":"${'z'.repeat(17 * MiB)}"}}\r\n`;
      expect((await raw.roundTrip(leading)).id).toBe('lead');
      const noId = `["${'z'.repeat(17 * MiB)}"]\n`;
      const answer = await raw.roundTrip(noId);
      expect(answer).toMatchObject({
        id: null,
        error: { code: -32600, data: { code: 'payload_too_large' } },
      });
      await expectServing(raw, 'after-no-id');
    },
  );

  it('answers every malformed line and keeps serving', { timeout: MCP_TEST_TIMEOUT_MS }, async () => {
    const raw = await h.raw(['mcp']);
    const cases: [string, string | Buffer, number, unknown][] = [
      ['garbage', 'hello there\n', -32700, null],
      ['truncated JSON', '{"jsonrpc":"2.0","id":"t","method":"pi\n', -32700, null],
      ['binary', Buffer.concat([Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]), Buffer.from('\n')]), -32700, null],
      [
        'invalid UTF-8 inside a string',
        Buffer.concat([
          Buffer.from('{"jsonrpc":"2.0","id":"u","method":"ping","params":{"x":"'),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('"}}\n'),
        ]),
        -32700,
        null,
      ],
      [
        'a JSON array (batch)',
        `[${JSON.stringify({ jsonrpc: '2.0', id: 'b', method: 'ping' })}]\n`,
        -32600,
        null,
      ],
      ['a JSON number', '42\n', -32600, null],
      ['a JSON null', 'null\n', -32600, null],
      ['method of the wrong type', line({ jsonrpc: '2.0', id: 'w', method: 7 }), -32600, 'w'],
      ['params as an array', line({ jsonrpc: '2.0', id: 8, method: 'tools/list', params: [1] }), -32600, 8],
      ['no jsonrpc member', line({ id: 'nj', method: 'ping' }), -32600, 'nj'],
      ['an object id', line({ jsonrpc: '2.0', id: { a: 1 }, method: 'ping' }), -32600, null],
      ['a fractional id', line({ jsonrpc: '2.0', id: 1.5, method: 'ping' }), -32600, null],
      ['an unknown method', line({ jsonrpc: '2.0', id: 'um', method: 'no/such' }), -32601, 'um'],
    ];
    for (const [what, bytes, code, id] of cases) {
      const answer = await raw.roundTrip(bytes);
      expect({ what, code: answer.error?.code, id: answer.id }).toEqual({ what, code, id });
    }
    // Blank lines are skipped, CRLF is accepted, and a line may arrive in pieces.
    await raw.write('\n\r\n   \n');
    expect(await raw.roundTrip(ping('crlf').replace('\n', '\r\n'))).toMatchObject({ id: 'crlf', result: {} });
    const pieces = ping('pieces');
    await raw.write(pieces.slice(0, 5));
    expect(await raw.roundTrip(pieces.slice(5))).toMatchObject({ id: 'pieces', result: {} });
    expect(raw.alive).toBe(true);
    expect(raw.strayLines).toEqual([]);
  });
});
