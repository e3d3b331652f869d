// The per-session SSE event store: replay after an id on the same stream, bounded by count and
// bytes (oldest dropped first, the newest always kept), and a finished replay once a stream's
// answer is stored.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { SessionEventStore } from '../../src/http/event-store.js';

const note = (n: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { progressToken: 't', progress: n },
});
const answer = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: { ok: true } });

async function replay(store: SessionEventStore, after: string) {
  const sent: [string, JSONRPCMessage][] = [];
  const stream = await store.replayEventsAfter(after, {
    send: (id, m) => Promise.resolve(void sent.push([id, m])),
  });
  return { stream, sent };
}

describe('SessionEventStore', () => {
  it('replays what came after an id on the same stream, without priming events', async () => {
    const store = new SessionEventStore();
    const primeA = await store.storeEvent('a', {} as JSONRPCMessage);
    await store.storeEvent('b', {} as JSONRPCMessage);
    const n1 = await store.storeEvent('a', note(1));
    await store.storeEvent('b', note(9));
    const done = await store.storeEvent('a', answer(1));
    expect(await store.getStreamIdForEventId(n1)).toBe('a');
    const { stream, sent } = await replay(store, primeA);
    expect(stream).toBe('a');
    expect(sent).toEqual([
      [n1, note(1)],
      [done, answer(1)],
    ]);
    expect((await replay(store, 'nope')).stream).toBe('');
  });

  it('keeps at most maxEvents and maxBytes, dropping the oldest; the newest stays even if larger', async () => {
    const store = new SessionEventStore({ maxEvents: 3, maxBytes: 10_000 });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await store.storeEvent('a', note(i)));
    expect(store.size.events).toBe(3);
    expect(store.has(ids[1]!)).toBe(false);
    expect(store.has(ids[2]!)).toBe(true);

    const big: JSONRPCMessage = { jsonrpc: '2.0', id: 7, result: { s: 'x'.repeat(20_000) } };
    const bigId = await store.storeEvent('b', big);
    expect(store.size.events).toBe(1);
    expect(store.size.bytes).toBe(Buffer.byteLength(JSON.stringify(big)));
    expect(store.has(bigId)).toBe(true);
    // Once dropped, an id resolves to no stream: the route refuses it with its own message.
    expect(await store.getStreamIdForEventId(ids[4]!)).toBeUndefined();
  });

  it('gives a finished replay only once the stream holds its answer', async () => {
    const store = new SessionEventStore();
    const prime = await store.storeEvent('a', {} as JSONRPCMessage);
    const n1 = await store.storeEvent('a', note(1));
    expect(store.finishedReplay(prime)).toBeNull();
    const done = await store.storeEvent('a', answer(3));
    expect(store.finishedReplay(prime)).toBe(
      `event: message\nid: ${n1}\ndata: ${JSON.stringify(note(1))}\n\n` +
        `event: message\nid: ${done}\ndata: ${JSON.stringify(answer(3))}\n\n`,
    );
    expect(store.finishedReplay(done)).toBe('');
    store.clear();
    expect(store.size).toEqual({ events: 0, bytes: 0 });
    expect(store.has(prime)).toBe(false);
  });
});
