// What the package's tests share: the server and protocol they are given, waiting with a timeout, and a TCP relay
// whose connections a test can cut (a network failure as the client sees it; the server keeps running).
import net from "node:net";
import { ChatClient, GuestSession, type ChatProtocol } from "../dist/index.js";

export const timeoutMs = 60_000;

export interface TestContext {
  url: string;
  protocol: ChatProtocol;
}

export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Resolves when `condition` holds, checking every 20 ms; rejects after `ms`. */
export async function eventually(condition: () => boolean, what: string, ms = timeoutMs): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function withTimeout<T>(promise: Promise<T>, what: string, ms = timeoutMs): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A signed-in guest's started client. */
export async function startClient(
  url: string,
  protocol: ChatProtocol,
  userName: string,
  retryDelayMs: (attempt: number) => number = (attempt) => Math.min(1_000, 100 * 2 ** attempt),
): Promise<{ client: ChatClient; session: GuestSession; tokensAsked: () => number }> {
  const session = await GuestSession.signIn(url, userName);
  let asked = 0;
  const client = new ChatClient({
    url,
    protocol,
    accessTokenFactory: () => {
      asked++;
      return session.accessToken();
    },
    connectionLost: () => session.markStale(),
    retryDelayMs,
  });
  await withTimeout(client.start(), `${userName} connects`);
  return { client, session, tokensAsked: () => asked };
}

/** A relay in front of the server; `drop` resets every connection through it. */
export class TcpRelay {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;

  private constructor(target: URL) {
    this.server = net.createServer((inbound) => {
      const outbound = net.connect(Number(target.port), target.hostname);
      for (const socket of [inbound, outbound]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
      inbound.on("close", () => outbound.destroy());
      outbound.on("close", () => inbound.destroy());
    });
  }

  static async start(url: string): Promise<TcpRelay> {
    const relay = new TcpRelay(new URL(url));
    await new Promise<void>((resolve) => relay.server.listen(0, "127.0.0.1", resolve));
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Resets every connection; returns how many there were. */
  drop(): number {
    const count = this.sockets.size;
    for (const socket of this.sockets) {
      socket.resetAndDestroy();
    }
    return count;
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
