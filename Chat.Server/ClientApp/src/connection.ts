import { ChatClient, type ChatClientOptions, type ChatConnectionState } from "@chat/client";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "offline";

/**
 * The page's connection: the package's ChatClient (MessagePack, reconnecting forever, re-joining rooms and recovering
 * their changes), with the status the page shows: "offline" while the browser says it has no network.
 */
export class ChatConnection {
  readonly client: ChatClient;
  private hubStatus: ConnectionStatus = "connecting";

  constructor(options: Omit<ChatClientOptions, "url" | "protocol">, private readonly statusChanged: (status: ConnectionStatus) => void) {
    this.client = new ChatClient({ ...options, url: "", protocol: "messagepack" });
    this.client.connection.onStateChanged((state) => this.setStatus(pageStatus(state)));
    window.addEventListener("online", () => this.publishStatus());
    window.addEventListener("offline", () => this.publishStatus());
  }

  get isConnected(): boolean {
    return this.client.connection.isConnected;
  }

  start(): Promise<void> {
    return this.client.start();
  }

  private setStatus(status: ConnectionStatus): void {
    this.hubStatus = status;
    this.publishStatus();
  }

  private publishStatus(): void {
    this.statusChanged(this.hubStatus !== "connected" && !navigator.onLine ? "offline" : this.hubStatus);
  }
}

function pageStatus(state: ChatConnectionState): ConnectionStatus {
  return state === "stopped" ? "reconnecting" : state;
}
