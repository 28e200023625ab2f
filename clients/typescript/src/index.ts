// @chat/client: the typed TypeScript client of Chat. The contract (./generated) is written from Chat.Shared on every
// build; the rest is the self-healing client over SignalR JS.
export * from "./generated/contract.js";
export * from "./generated/hub.js";
export {
  CallSignaling,
  newCallId,
  type CallSignalingListener,
  type CallSignalingOptions,
  type ClientCallEndReason,
  type LocalIceCandidate,
} from "./calls.js";
export { RoomChangeLog } from "./changeLog.js";
export { ChatClient, newClientMessageId, postedEvent, type ChatClientListener, type ChatClientOptions } from "./client.js";
export {
  ChatConnection,
  defaultRetryDelayMs,
  type ChatConnectionOptions,
  type ChatConnectionState,
  type ChatProtocol,
} from "./connection.js";
export { errorCode } from "./errors.js";
export { GuestSession, LoginRejected, requestGuestToken } from "./guest.js";
export { normalize } from "./wire.js";
export { HubConnectionState, LogLevel, type HubConnection } from "@microsoft/signalr";
