// The session registry on its own (a settable clock): which session makes room at the cap, what
// counts as busy (a request without its answer yet; a cancelled request is not), and refusal.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { SessionRegistry } from '../../src/http/sessions.js';

/** The two hooks the registry wraps, as a connected server leaves them. */
function fakeTransport() {
  const received: JSONRPCMessage[] = [];
  const t = {
    onmessage: (m: JSONRPCMessage) => void received.push(m),
    send: (_m: JSONRPCMessage) => Promise.resolve(),
  };
  return { t, transport: t as unknown as Transport, received };
}

const request = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, method: 'tools/call', params: {} });

describe('SessionRegistry', () => {
  it('closes the idle-longest session at the cap, skips busy ones, refuses when all are busy', async () => {
    let now = 1_000_000;
    const closed: string[] = [];
    const reg = new SessionRegistry({ maxSessions: 2, now: () => now });
    const admit = (id: string) => {
      const f = fakeTransport();
      const ok = reg.admit(id, 'streamable-http', () => Promise.resolve(void closed.push(id)));
      reg.watch(id, f.transport);
      return { ok, ...f };
    };

    const a = admit('a');
    expect(await a.ok).toBe(true);
    now += 1000;
    const b = admit('b');
    expect(await b.ok).toBe(true);
    now += 1000;
    a.t.onmessage(request(1)); // a: busy from now on
    expect(a.received).toHaveLength(1); // still reaches the server
    now += 1000;
    reg.touch('b');
    // a was used longer ago than b, but has a call in flight: b makes room.
    const c = admit('c');
    expect(await c.ok).toBe(true);
    expect(closed).toEqual(['b']);
    expect(reg.size).toBe(2);

    c.t.onmessage(request(1));
    expect(await admit('d').ok).toBe(false);
    expect(closed).toEqual(['b']);

    // An answer ends a's call; a cancellation ends c's (it will never be answered).
    now += 1000;
    await a.t.send({ jsonrpc: '2.0', id: 1, result: {} });
    now += 1000;
    c.t.onmessage({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    expect(reg.idleFor(0).sort()).toEqual(['a', 'c']);
    expect(reg.idleFor(500)).toEqual(['a']);
    expect(await admit('e').ok).toBe(true);
    expect(closed).toEqual(['b', 'a']);
  });
});
