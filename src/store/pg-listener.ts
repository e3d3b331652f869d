// One LISTEN connection per process, shared by all subscribers, reconnecting with backoff.
// While it is down, callers still make progress by polling: a notification is only a speed-up.
import pg from 'pg';
import type { Signal } from './store.js';

export class PgListener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly handlers = new Set<(s: Signal) => void>();
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = 250;

  constructor(private readonly opts: { url: string; channel: string; schema?: string }) {}

  async subscribe(handler: (s: Signal) => void): Promise<() => void> {
    this.handlers.add(handler);
    await this.ensureConnected();
    return () => {
      this.handlers.delete(handler);
    };
  }

  private ensureConnected(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.url, connectionTimeoutMillis: 5_000 });
    client.on('notification', (msg) => {
      if (msg.channel !== this.opts.channel || !msg.payload) return;
      let signal: Signal;
      try {
        signal = JSON.parse(msg.payload) as Signal;
      } catch {
        return;
      }
      for (const h of this.handlers) h(signal);
    });
    client.on('error', () => this.dropAndRetry(client));
    client.on('end', () => this.dropAndRetry(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.opts.channel}`);
      if (this.closed) {
        await client.end().catch(() => {});
        return;
      }
      this.client = client;
      this.retryDelayMs = 250;
    } catch {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      this.scheduleRetry();
    }
  }

  private dropAndRetry(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => {});
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer || this.handlers.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.ensureConnected();
    }, this.retryDelayMs);
    this.retryTimer.unref();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 10_000);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => {});
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => {});
    }
  }
}
