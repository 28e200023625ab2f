import { CallSignaling, type CallSignalingOptions } from "./calls.js";
import { RoomChangeLog } from "./changeLog.js";
import { ChatConnection, type ChatConnectionOptions } from "./connection.js";
import { errorCode } from "./errors.js";
import { randomId } from "./ids.js";
import {
  ChatErrorCodes,
  ChatLimits,
  RoomEventTypes,
  type ChatMessage,
  type JoinResult,
  type PostMessageRequest,
  type RoomEvent,
} from "./generated/contract.js";
import type { ChatHubProxy } from "./generated/hub.js";

export interface ChatClientOptions extends ChatConnectionOptions {
  /**
   * After a reconnect, which of the rooms the client had joined to join again (default: all of them). An app leaves
   * out rooms the user is no longer a member of: re-joining a public room would make them a member again. Rooms left
   * out are forgotten.
   */
  roomsToRejoin?: (rooms: string[]) => string[] | Promise<string[]>;
  /** Changes fetched per GetEventsSince call while recovering (default: the most the hub allows). */
  eventsPageSize?: number;
  /** Options of {@link ChatClient.calls}. */
  calls?: CallSignalingOptions;
}

/** What a {@link ChatClient} tells; every member is optional. */
export interface ChatClientListener {
  /** A JoinRoom call for the room is about to go out (first join, re-join after a reconnect, or a reload). */
  joining?(room: string): void;
  /**
   * JoinRoom answered: the room's snapshot (members, recent messages, `lastEventSequence`). `rejoined` is true after a
   * reconnect; the changes missed meanwhile follow as {@link ChatClientListener.change}. Called before any change after
   * the snapshot.
   */
  joined?(result: JoinResult, rejoined: boolean): void;
  /**
   * Every change of a joined room after its snapshot, exactly once and in `eventSequence` order, whether it came live
   * (`MessageReceived` is the change `message.posted`, `RoomChanged` the others) or was fetched after a reconnect or a
   * gap. A message inside may be newer than the change (replayed changes carry messages as they are now): keep a copy
   * of a message only if its `eventSequence` is higher than the one held.
   */
  change?(event: RoomEvent): void;
  /**
   * More changes were missing than the server replays (`resetRequired`): the room starts over from this fresh
   * snapshot, and changes follow from it.
   */
  reset?(result: JoinResult): void;
  /** A change of a room this client has not joined (e.g. the user was added to a room). */
  outsideChange?(event: RoomEvent): void;
  /** Joining again after a reconnect was refused (e.g. `banned`, `forbidden`): the room is forgotten. */
  roomLost?(room: string, code: ChatErrorCodes): void;
}

interface JoinedRoom {
  readonly log: RoomChangeLog;
  recovery: Promise<void> | undefined;
}

/**
 * A chat client that heals itself, like Chat.Client: it reconnects forever (with backoff), joins its rooms again,
 * fetches what it missed by `eventSequence` (reloading a room when the server says too much is missing), hands every
 * change on exactly once and in order, and sends idempotently (a `clientMessageId` per send, reused by its retries;
 * `unavailable` is retried).
 */
export class ChatClient {
  readonly connection: ChatConnection;
  /** The signaling of WebRTC calls in direct rooms: typed methods and events (the media is the app's). */
  readonly calls: CallSignaling;
  private readonly rooms = new Map<string, JoinedRoom>();
  private readonly listeners = new Set<ChatClientListener>();
  private readonly pageSize: number;

  constructor(private readonly options: ChatClientOptions) {
    this.connection = new ChatConnection(options);
    this.pageSize = options.eventsPageSize ?? ChatLimits.MaxEventsSincePage;
    this.calls = new CallSignaling(this.connection, options.calls);
    this.connection.on("MessageReceived", (message) => this.receive(postedEvent(message)));
    this.connection.on("RoomChanged", (event) => this.receive(event));
    this.connection.onConnected(() => this.rejoin());
  }

  /** Every hub method, typed: calls wait for the connection and run again after a loss (see `ChatConnection.hub`). */
  get hub(): ChatHubProxy {
    return this.connection.hub;
  }

  /** The rooms this client keeps joined. */
  get joinedRooms(): string[] {
    return [...this.rooms.keys()];
  }

  /** The last change of the room handed on, or undefined for a room not joined (yet). */
  eventsUpTo(room: string): number | undefined {
    return this.rooms.get(room.toLowerCase())?.log.eventsUpTo;
  }

  /** Starts; resolves once connected (trying for as long as it takes). */
  start(): Promise<void> {
    return this.connection.start();
  }

  stop(): Promise<void> {
    return this.connection.stop();
  }

  /** Adds a listener; returns what removes it. */
  listen(listener: ChatClientListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Joins a room and keeps it joined across reconnects. Throws the hub's refusal. */
  async joinRoom(room: string): Promise<JoinResult> {
    const name = room.toLowerCase();
    const existing = this.rooms.get(name);
    const state = existing ?? { log: new RoomChangeLog(), recovery: undefined };
    this.rooms.set(name, state);
    this.emit((l) => l.joining?.(name));
    let result: JoinResult;
    try {
      result = await this.connection.hub.JoinRoom(room);
    } catch (error) {
      if (existing === undefined && this.rooms.get(name) === state) {
        this.rooms.delete(name);
      }
      throw error;
    }
    this.joined(state, result, state.log.eventsUpTo !== undefined);
    return result;
  }

  /** Leaves the room's live subscription (LeaveRoom) and stops keeping it joined. */
  async leaveRoom(room: string): Promise<void> {
    this.forget(room);
    await this.connection.hub.LeaveRoom(room);
  }

  /** Stops keeping the room joined, without asking the server (e.g. the user was removed from it). */
  forget(room: string): void {
    this.rooms.delete(room.toLowerCase());
  }

  /**
   * Posts a message idempotently: one `clientMessageId` (given, or made here) for the send and all its retries, so a
   * send cut by a lost connection or answered `unavailable` is stored once. Returns the message as stored.
   */
  sendMessage(room: string, content: string, more: Omit<PostMessageRequest, "content"> = {}): Promise<ChatMessage> {
    return this.connection.hub.PostMessage(room, { ...more, content, clientMessageId: more.clientMessageId ?? newClientMessageId() });
  }

  /** Fetches the room's changes after the last one handed on (one recovery per room at a time). */
  recover(room: string): Promise<void> {
    const name = room.toLowerCase();
    const state = this.rooms.get(name);
    if (state === undefined) {
      return Promise.resolve();
    }
    state.recovery ??= this.replay(name, state).finally(() => {
      state.recovery = undefined;
    });
    return state.recovery;
  }

  private joined(state: JoinedRoom, result: JoinResult, rejoined: boolean): void {
    this.emit((l) => l.joined?.(result, rejoined));
    if (rejoined) {
      void this.recover(result.room).catch(() => undefined);
    } else {
      this.deliver(state.log.startAt(result.lastEventSequence));
      this.recoverGap(result.room, state);
    }
  }

  private async rejoin(): Promise<void> {
    const held = [...this.rooms.keys()];
    const wanted = new Set(this.options.roomsToRejoin === undefined ? held : await this.options.roomsToRejoin(held));
    for (const name of held) {
      if (!wanted.has(name)) {
        this.rooms.delete(name);
      }
    }
    await Promise.all([...this.rooms].map(async ([name, state]) => {
      this.emit((l) => l.joining?.(name));
      let result: JoinResult;
      try {
        // `once`: this runs while the connection comes up, before calls that wait for it may go.
        result = await this.connection.once.JoinRoom(name);
      } catch (error) {
        const code = errorCode(error);
        if (code !== undefined && code !== ChatErrorCodes.Unavailable && this.rooms.get(name) === state) {
          this.rooms.delete(name);
          this.emit((l) => l.roomLost?.(name, code));
        }
        return; // a lost connection: the next connect joins again
      }
      if (this.rooms.get(name) === state) {
        this.joined(state, result, state.log.eventsUpTo !== undefined);
        await state.recovery?.catch(() => undefined);
      }
    }));
  }

  private receive(event: RoomEvent): void {
    const state = this.rooms.get(event.room);
    if (state === undefined) {
      this.emit((l) => l.outsideChange?.(event));
      return;
    }
    this.deliver(state.log.offer(event));
    this.recoverGap(event.room, state);
  }

  /** Delivery is at most once (a backplane may drop a change): a change after a missing one fetches the missing ones. */
  private recoverGap(name: string, state: JoinedRoom): void {
    if (state.log.hasGap && state.recovery === undefined && this.connection.isConnected) {
      void this.recover(name).catch(() => undefined);
    }
  }

  private async replay(name: string, state: JoinedRoom): Promise<void> {
    while (this.rooms.get(name) === state) {
      const from = state.log.eventsUpTo;
      if (from === undefined) {
        return;
      }
      const page = await this.connection.once.GetEventsSince(name, from, this.pageSize);
      if (page.resetRequired) {
        this.emit((l) => l.joining?.(name));
        const result = await this.connection.once.JoinRoom(name);
        this.emit((l) => l.reset?.(result));
        this.deliver(state.log.startAt(result.lastEventSequence));
        continue;
      }
      for (const event of page.events) {
        this.deliver(state.log.offer(event));
      }
      // A live change that overtook the page can leave a gap behind it: stop only when nothing more comes.
      if (state.log.eventsUpTo === from || (page.events.length < this.pageSize && !state.log.hasGap)) {
        return;
      }
    }
  }

  private deliver(events: readonly RoomEvent[]): void {
    for (const event of events) {
      this.emit((l) => l.change?.(event));
    }
  }

  private emit(call: (listener: ChatClientListener) => void): void {
    for (const listener of this.listeners) {
      call(listener);
    }
  }
}

/** A new message is the room change `message.posted`: it is delivered like every other change. */
export function postedEvent(message: ChatMessage): RoomEvent {
  return {
    room: message.room,
    eventSequence: message.eventSequence,
    type: RoomEventTypes.MessagePosted,
    at: message.sentAt,
    actorId: message.senderId,
    actorName: message.senderName,
    message,
    messageId: message.id,
    reaction: null,
    member: null,
    roomInfo: null,
  };
}

/** A fresh `clientMessageId`: random, so two devices of one user never collide. */
export function newClientMessageId(): string {
  return randomId();
}
