import { HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection, type IRetryPolicy } from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import type { GuestSession } from "./auth";
import { Routes } from "./contracts";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "offline";

export interface ConnectionListener {
  statusChanged(status: ConnectionStatus): void;
  /** The connection is up: first time, or again after any loss. Groups are per connection, so rooms must be re-joined. */
  connected(): void;
}

const MaxRetryDelayMs = 4_000;

// Exponential back-off with jitter, capped, and never null: a chat page keeps trying for as long as it is open.
function retryDelay(previousRetryCount: number): number {
  return Math.min(MaxRetryDelayMs, 250 * 2 ** previousRetryCount) + Math.random() * 250;
}

const retryForever: IRetryPolicy = {
  nextRetryDelayInMilliseconds: (context) => retryDelay(context.previousRetryCount),
};

/**
 * The SignalR connection to /hubs/chat with MessagePack, automatic reconnect that never gives up, and a start loop
 * for what automatic reconnect does not cover (the first start, and a close the server asked for).
 */
export class ChatConnection {
  readonly hub: HubConnection;
  private hubStatus: ConnectionStatus = "connecting";

  constructor(session: GuestSession, private readonly listener: ConnectionListener) {
    this.hub = new HubConnectionBuilder()
      .withUrl(Routes.hub, { accessTokenFactory: () => session.accessToken() })
      .withHubProtocol(new MessagePackHubProtocol())
      .withAutomaticReconnect(retryForever)
      .configureLogging(LogLevel.Warning)
      .build();
    this.hub.onreconnecting(() => {
      session.markStale();
      this.setStatus("reconnecting");
    });
    this.hub.onreconnected(() => this.becameConnected());
    this.hub.onclose(() => {
      session.markStale();
      void this.startUntilConnected("reconnecting");
    });
    window.addEventListener("online", () => this.publishStatus());
    window.addEventListener("offline", () => this.publishStatus());
  }

  get isConnected(): boolean {
    return this.hub.state === HubConnectionState.Connected;
  }

  start(): Promise<void> {
    return this.startUntilConnected("connecting");
  }

  private async startUntilConnected(status: ConnectionStatus): Promise<void> {
    this.setStatus(status);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.hub.start();
        this.becameConnected();
        return;
      } catch {
        // The server is down or unreachable: wait and try again, for as long as the page is open.
        await new Promise((resolve) => setTimeout(resolve, retryDelay(attempt)));
      }
    }
  }

  private becameConnected(): void {
    this.setStatus("connected");
    this.listener.connected();
  }

  private setStatus(status: ConnectionStatus): void {
    this.hubStatus = status;
    this.publishStatus();
  }

  private publishStatus(): void {
    this.listener.statusChanged(this.hubStatus !== "connected" && !navigator.onLine ? "offline" : this.hubStatus);
  }
}
