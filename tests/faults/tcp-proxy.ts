// A loopback TCP proxy in front of a database that can cut every connection at once, abruptly (RST),
// the way a NAT timeout, a failover or a flaky network does: in the middle of reads and writes.
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  server: Socket;
}

export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private readonly trafficWaiters: (() => void)[] = [];
  /** Connections cut by dropAll(), counted per pair. */
  dropped = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free 127.0.0.1 port and forwards to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    server.on('connection', (client) => proxy.forward(client, targetPort));
    return proxy;
  }

  private forward(client: Socket, targetPort: number): void {
    const server = connect(targetPort, '127.0.0.1');
    const pair = { client, server };
    this.pairs.add(pair);
    // Whichever side fails or ends, the other goes too: the database or the client sees a dead peer.
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    for (const s of [client, server]) {
      s.on('error', end);
      s.on('close', end);
    }
    client.on('data', () => this.sawTraffic());
    client.pipe(server);
    server.pipe(client);
  }

  private sawTraffic(): void {
    for (const resolve of this.trafficWaiters.splice(0)) resolve();
  }

  /** Resolves when a client next sends bytes to the database (a query is on the wire), or after `timeoutMs`. */
  nextClientTraffic(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.trafficWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Open client<->database connections. */
  get open(): number {
    return this.pairs.size;
  }

  /** Resets every current connection on both sides; returns how many were cut. */
  dropAll(): number {
    const cut = [...this.pairs];
    this.pairs.clear();
    for (const { client, server } of cut) {
      client.resetAndDestroy();
      server.resetAndDestroy();
    }
    this.dropped += cut.length;
    return cut.length;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.dropAll();
    await closed;
  }
}
