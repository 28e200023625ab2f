import {
  HubConnectionBuilder,
  HubConnectionState,
  JsonHubProtocol,
  LogLevel,
  type HubConnection,
  type IRetryPolicy,
} from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { ChatErrorCodes, ChatRoutes } from "./generated/contract.js";
import { CallbackShapes, ChatHubProxy, HubResultShapes, type IChatClient, type IChatHub } from "./generated/hub.js";
import { errorCode } from "./errors.js";
import { normalize } from "./wire.js";

export type ChatProtocol = "json" | "messagepack";

export type ChatConnectionState = "connecting" | "connected" | "reconnecting" | "stopped";

export interface ChatConnectionOptions {
  /** The server's address, e.g. `https://chat.example.com`; empty for the page's own origin. */
  url: string;
  /**
   * Hands SignalR a valid token for every connect and reconnect; called again each time, so it renews a token that
   * ran out (see `GuestSession`).
   */
  accessTokenFactory: () => string | Promise<string>;
  /** `messagepack` (default: smaller, binary) or `json`. Both give the same shapes: see `normalize`. */
  protocol?: ChatProtocol;
  logLevel?: LogLevel;
  /** Milliseconds to wait before reconnect attempt `attempt` (0, 1, …). Default: 250 ms doubling to 4 s, with jitter. */
  retryDelayMs?: (attempt: number) => number;
  /** How long a call the server answers `unavailable` is retried (default 30 s): nothing was stored, so retrying is safe. */
  unavailableRetryTimeoutMs?: number;
  /** The connection was lost (a reconnect follows): e.g. to fetch a new token, in case the server stopped accepting the old one. */
  connectionLost?: () => void;
}

/** Exponential backoff with jitter, capped: a chat client keeps trying for as long as it runs. */
export function defaultRetryDelayMs(attempt: number): number {
  return Math.min(4_000, 250 * 2 ** Math.min(attempt, 10)) + Math.random() * 250;
}

/**
 * One SignalR connection to the chat hub, kept up until `stop`: automatic reconnect that never gives up, plus a start
 * loop for what automatic reconnect does not cover (the first start, and a close the server asked for). Calls through
 * `hub` are typed, their answers normalized, and retried across a lost connection and `unavailable`.
 */
export class ChatConnection {
  readonly connection: HubConnection;
  /** Every hub method, typed; each call waits for the connection, runs again if the connection is lost under it, and retries `unavailable`. */
  readonly hub: ChatHubProxy;
  /** Every hub method, typed, run once on the connection as it is (no waiting, no retry). */
  readonly once: ChatHubProxy;
  private currentState: ChatConnectionState = "stopped";
  /** Connected, and every `onConnected` listener has run (rooms are joined again): calls through `hub` may go. */
  private ready = false;
  private stopping = false;
  private connectedWaiters: (() => void)[] = [];
  private readonly stateListeners = new Set<(state: ChatConnectionState, error?: Error) => void>();
  private readonly connectedListeners = new Set<() => void | Promise<void>>();
  private readonly retryDelayMs: (attempt: number) => number;

  constructor(private readonly options: ChatConnectionOptions) {
    this.retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;
    const retryForever: IRetryPolicy = {
      nextRetryDelayInMilliseconds: (context) => this.retryDelayMs(context.previousRetryCount),
    };
    this.connection = new HubConnectionBuilder()
      .withUrl(`${options.url.replace(/\/$/, "")}${ChatRoutes.Hub}`, { accessTokenFactory: options.accessTokenFactory })
      .withHubProtocol(options.protocol === "json" ? new JsonHubProtocol() : new MessagePackHubProtocol())
      .withAutomaticReconnect(retryForever)
      .configureLogging(options.logLevel ?? LogLevel.Warning)
      .build();
    this.connection.onreconnecting((error) => {
      options.connectionLost?.();
      this.setState("reconnecting", error);
    });
    this.connection.onreconnected(() => this.becameConnected());
    this.connection.onclose((error) => {
      if (this.stopping) {
        this.setState("stopped", error);
        return;
      }
      options.connectionLost?.();
      void this.startUntilConnected("reconnecting", error);
    });
    this.hub = new ChatHubProxy((method, ...args) => this.call(method, ...args));
    this.once = new ChatHubProxy((method, ...args) => this.invokeOnce(method, ...args));
  }

  get state(): ChatConnectionState {
    return this.currentState;
  }

  get isConnected(): boolean {
    return this.connection.state === HubConnectionState.Connected;
  }

  /** Starts the connection; resolves once it is connected (trying for as long as it takes). */
  start(): Promise<void> {
    this.stopping = false;
    return this.startUntilConnected("connecting");
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.connection.stop();
    this.setState("stopped");
  }

  /** Listens to state changes; returns what stops listening. */
  onStateChanged(listener: (state: ChatConnectionState, error?: Error) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * Runs `listener` each time the connection is up: the first time and after every loss. Hub groups belong to a
   * connection, so this is where rooms are joined again. Calls waiting for the connection run after the listeners.
   */
  onConnected(listener: () => void | Promise<void>): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  /** Registers a typed handler of a server callback (its argument normalized); returns what unregisters it. */
  on<K extends keyof IChatClient>(callback: K, handler: IChatClient[K]): () => void {
    const shape = CallbackShapes[callback];
    const wrapped = (argument: unknown) => (handler as (value: unknown) => void)(normalize(argument, shape));
    this.connection.on(callback, wrapped);
    return () => this.connection.off(callback, wrapped);
  }

  /** Resolves when the connection is up and its `onConnected` listeners have run (at once if so). */
  whenConnected(): Promise<void> {
    if (this.ready && this.isConnected) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  private invokeOnce<M extends keyof IChatHub>(method: M, ...args: Parameters<IChatHub[M]>): ReturnType<IChatHub[M]> {
    const answer = this.connection.invoke(method, ...args).then((result: unknown) => normalize(result, HubResultShapes[method]));
    return answer as ReturnType<IChatHub[M]>;
  }

  /**
   * Runs a hub method until it gets an answer: a call cut by a lost connection runs again once the connection is back;
   * one the server answers `unavailable` (nothing stored) again after a backoff, for a while. Any other refusal throws
   * (see `errorCode`). Only safe for calls that are idempotent: every hub method is, sends with a `clientMessageId`
   * included, except `CreateRoom`, whose retry may answer `room_exists`.
   */
  private call<M extends keyof IChatHub>(method: M, ...args: Parameters<IChatHub[M]>): ReturnType<IChatHub[M]> {
    return this.callWithRetry(method, args) as ReturnType<IChatHub[M]>;
  }

  private async callWithRetry<M extends keyof IChatHub>(method: M, args: Parameters<IChatHub[M]>): Promise<unknown> {
    let unavailableSince: number | undefined;
    for (let attempt = 0; ; attempt++) {
      if (this.stopping) {
        throw new Error(`${method}: the chat connection is stopped.`);
      }
      await this.whenConnected();
      try {
        return await this.invokeOnce(method, ...args);
      } catch (error) {
        const code = errorCode(error);
        if (code === ChatErrorCodes.Unavailable) {
          unavailableSince ??= Date.now();
          if (Date.now() - unavailableSince >= (this.options.unavailableRetryTimeoutMs ?? 30_000)) {
            throw error;
          }
          await delay(this.retryDelayMs(attempt));
          continue;
        }
        // Refused by the server, or failed on a connection that is still up: running it again would fail alike.
        if (code !== undefined || (this.ready && this.isConnected) || (method === "CreateRoom" && attempt > 0)) {
          throw error;
        }
      }
    }
  }

  private async startUntilConnected(state: ChatConnectionState, error?: Error): Promise<void> {
    this.setState(state, error);
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        await this.connection.start();
        await this.becameConnected();
        return;
      } catch {
        // Down or unreachable: wait and try again, for as long as the client runs.
        await delay(this.retryDelayMs(attempt));
      }
    }
  }

  private async becameConnected(): Promise<void> {
    this.setState("connected");
    // Listeners first (rooms are re-joined, through `once`), then the calls that waited: a send after a loss reaches a
    // joined room.
    await Promise.all([...this.connectedListeners].map(async (listener) => {
      try {
        await listener();
      } catch {
        // A listener's failure is its own to report; the connection carries on.
      }
    }));
    if (!this.isConnected || this.currentState !== "connected") {
      return; // lost again meanwhile: the waiters wait for the next connect
    }
    this.ready = true;
    const waiters = this.connectedWaiters;
    this.connectedWaiters = [];
    for (const resolve of waiters) {
      resolve();
    }
  }

  private setState(state: ChatConnectionState, error?: Error): void {
    this.currentState = state;
    if (state !== "connected") {
      this.ready = false;
    }
    for (const listener of this.stateListeners) {
      listener(state, error);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
