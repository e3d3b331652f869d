// The SSE events of one Streamable HTTP session, kept so that a client whose stream broke can
// reconnect (GET /mcp with Mcp-Session-Id and Last-Event-ID) and receive what it missed, above all
// the answer to a long-poll. Memory is bounded: only the newest events are kept, up to a count and
// a byte budget; the store belongs to its session and goes with it.
import type {
  EventId,
  EventStore,
  StreamId,
} from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface EventStoreLimits {
  /** Events kept per session (answers, progress notifications, one priming event per request). */
  maxEvents: number;
  /** Bytes of JSON kept per session; the newest event is kept even when it alone is larger. */
  maxBytes: number;
}

/**
 * 100 events and 256 KiB per session: enough for the answers and progress notifications of the
 * calls a client has in flight, at most 64 MiB at the default cap of 256 sessions (plus one larger
 * answer per session). See docs/http-sessions.md.
 */
export const DEFAULT_EVENT_LIMITS: EventStoreLimits = { maxEvents: 100, maxBytes: 256 * 1024 };

interface StoredEvent {
  id: EventId;
  streamId: StreamId;
  /** Kept as text: its length is what it costs, and no later change to the object reaches it. */
  json: string;
  bytes: number;
}

export class SessionEventStore implements EventStore {
  private readonly events: StoredEvent[] = [];
  private readonly byId = new Map<EventId, StoredEvent>();
  private bytes = 0;
  private seq = 0;
  /** Events kept per stream, and the streams whose answer is among them. */
  private readonly perStream = new Map<StreamId, number>();
  private readonly answered = new Set<StreamId>();

  constructor(private readonly limits: EventStoreLimits = DEFAULT_EVENT_LIMITS) {}

  storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    // Ids only need to be unique within the session; a counter also orders them.
    const id = String(++this.seq);
    const json = JSON.stringify(message);
    const event = { id, streamId, json, bytes: Buffer.byteLength(json) };
    this.events.push(event);
    this.byId.set(id, event);
    this.bytes += event.bytes;
    this.perStream.set(streamId, (this.perStream.get(streamId) ?? 0) + 1);
    if ('id' in message && ('result' in message || 'error' in message)) this.answered.add(streamId);
    this.trim();
    return Promise.resolve(id);
  }

  /** Unknown ids (never issued, or already dropped) are refused by the route before the SDK sees them. */
  has(eventId: EventId): boolean {
    return this.byId.has(eventId);
  }

  getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return Promise.resolve(this.byId.get(eventId)?.streamId);
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const last = this.byId.get(lastEventId);
    if (!last) return '';
    // A copy: sending may store new events (and drop old ones) while we iterate.
    const after = this.events.slice(this.events.indexOf(last) + 1);
    for (const e of after) {
      // The priming event (`{}`) carries only an id: nothing to replay.
      if (e.streamId === last.streamId && e.json !== '{}') {
        await send(e.id, JSON.parse(e.json) as JSONRPCMessage);
      }
    }
    return last.streamId;
  }

  /**
   * The events after `lastEventId` as a finished SSE body, when its stream's answer is stored: the
   * SDK's own replay would keep that stream open for answers that will never come (one open
   * connection per resume, and a second resume refused as a conflict). Null while the answer is
   * still owed: then the SDK's replay holds the stream open and the answer follows on it.
   * One answer per stream: clients of protocol 2025-06-18 and later send no batches.
   */
  finishedReplay(lastEventId: EventId): string | null {
    const last = this.byId.get(lastEventId);
    if (!last || !this.answered.has(last.streamId)) return null;
    return this.events
      .slice(this.events.indexOf(last) + 1)
      .filter((e) => e.streamId === last.streamId && e.json !== '{}')
      .map((e) => `event: message\nid: ${e.id}\ndata: ${e.json}\n\n`)
      .join('');
  }

  /** Drops everything (the session ended). */
  clear(): void {
    this.events.length = 0;
    this.byId.clear();
    this.perStream.clear();
    this.answered.clear();
    this.bytes = 0;
  }

  get size(): { events: number; bytes: number } {
    return { events: this.events.length, bytes: this.bytes };
  }

  /** Oldest first, until within both limits; the newest event always stays. */
  private trim(): void {
    while (
      this.events.length > 1 &&
      (this.events.length > this.limits.maxEvents || this.bytes > this.limits.maxBytes)
    ) {
      const old = this.events.shift()!;
      this.byId.delete(old.id);
      this.bytes -= old.bytes;
      const left = (this.perStream.get(old.streamId) ?? 1) - 1;
      if (left > 0) this.perStream.set(old.streamId, left);
      else {
        this.perStream.delete(old.streamId);
        this.answered.delete(old.streamId);
      }
    }
  }
}
