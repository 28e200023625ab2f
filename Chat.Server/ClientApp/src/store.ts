import type { HubConnection } from "@microsoft/signalr";
import {
  Limits,
  MessagePosted,
  type ChatMessage,
  type EventsPage,
  type JoinResult,
  type PostMessageRequest,
  type PresenceChange,
  type RoomEvent,
  type RoomMemberEvent,
  type RoomSummary,
  type TypingNotice,
} from "./contracts";
import { RoomState, type MessageEntry, type Placed } from "./room";

/** What the views hear from the store. Each call names the room it is about; views show only the room in view. */
export interface StoreListener {
  /** Entries (messages or system lines) took these places in the room's timeline, in this order. */
  entriesAdded(room: RoomState, added: readonly Placed[], cause: "live" | "history"): void;
  /** A message shown already has a newer copy (edited, deleted, reacted to). */
  messageChanged(room: RoomState, entry: MessageEntry): void;
  /** The timeline was rebuilt from scratch (too many changes were missing to replay). */
  roomReloaded(room: RoomState): void;
  membersChanged(room: RoomState): void;
  typingChanged(room: RoomState): void;
  /** Joined rooms, their unread counts or the other rooms' member counts changed. */
  roomsChanged(): void;
}

/**
 * The rooms as the page knows them, fed by the connection. Every message copy, whatever brought it (MessageReceived,
 * RoomChanged, GetEventsSince after a reconnect or a jump, JoinRoom, GetHistory, the answer to the user's own call),
 * goes through RoomState.upsert; every room change (live or replayed) through one applyEvent. Recovery is therefore
 * the live path run over the changes that were missed.
 */
export class ChatStore {
  readonly rooms = new Map<string, RoomState>();
  summaries: RoomSummary[] = [];
  /** The room the user looks at: its new messages are read, not counted as unread. */
  inView: RoomState | undefined;
  /** Rooms with a JoinRoom call in flight, and the member changes that arrived meanwhile. */
  private readonly joining = new Map<string, ((room: RoomState) => void)[]>();

  constructor(
    private readonly hub: HubConnection,
    private readonly ownUserId: string,
    private readonly listener: StoreListener,
  ) {
    hub.on("MessageReceived", (message: ChatMessage) => this.messageReceived(message));
    hub.on("RoomChanged", (event: RoomEvent) => this.roomChanged(event));
    hub.on("UserJoined", (event: RoomMemberEvent) => this.userJoined(event));
    hub.on("UserLeft", (event: RoomMemberEvent) => this.userLeft(event));
    hub.on("TypingChanged", (notice: TypingNotice) => this.typingChanged(notice));
    hub.on("PresenceChanged", (change: PresenceChange) => this.presenceChanged(change));
  }

  /** After any (re)connect: groups belong to the old connection, so re-join every room and fetch what was missed. */
  async restore(): Promise<void> {
    await Promise.all([...this.rooms.keys()].map((name) => this.join(name).catch(() => undefined)));
    await this.refreshRoomList();
  }

  /** Joins a room (again, after a reconnect) and catches up with its changes. Throws the hub's error. */
  async join(name: string): Promise<RoomState> {
    // Member events and room changes can overtake the JoinResult's snapshot: they are kept and applied on top of it.
    const key = name.toLowerCase();
    const overtaking: ((room: RoomState) => void)[] = [];
    this.joining.set(key, overtaking);
    let result: JoinResult;
    try {
      result = await this.hub.invoke<JoinResult>("JoinRoom", name);
    } finally {
      this.joining.delete(key);
    }

    let room = this.rooms.get(result.room);
    const rejoin = room !== undefined;
    if (room === undefined) {
      room = new RoomState(result.room);
      room.reset(result.lastEventSequence, result.recentMessages[0]?.sequence, result.lastSequence);
      this.rooms.set(room.name, room);
    }
    room.setMembers(result.members);
    room.typing.clear();
    for (const apply of overtaking) {
      apply(room);
    }
    this.receive(room, result.recentMessages, rejoin ? "live" : "history");
    this.listener.membersChanged(room);
    this.listener.typingChanged(room);
    if (rejoin) {
      await this.recover(room);
    }
    this.listener.roomsChanged();
    return room;
  }

  async leave(room: RoomState): Promise<void> {
    await this.hub.invoke("LeaveRoom", room.name);
    this.rooms.delete(room.name);
    if (this.inView === room) {
      this.inView = undefined;
    }
    await this.refreshRoomList();
  }

  view(room: RoomState | undefined): void {
    this.inView = room;
    if (room !== undefined) {
      room.unread = 0;
    }
    this.listener.roomsChanged();
  }

  async refreshRoomList(): Promise<void> {
    try {
      this.summaries = await this.hub.invoke<RoomSummary[]>("ListRooms");
    } catch {
      // The list is refreshed again on the next timer tick or reconnect.
      return;
    }
    this.listener.roomsChanged();
  }

  /** One more page of older history for the room. Throws the hub's error. */
  async loadOlder(room: RoomState): Promise<void> {
    const oldest = room.oldestSequence;
    if (room.loadingOlder || room.reachedStart) {
      return;
    }
    if (oldest === undefined || oldest <= 1) {
      room.reachedStart = true;
      return;
    }
    room.loadingOlder = true;
    try {
      const page = await this.hub.invoke<ChatMessage[]>("GetHistory", room.name, oldest, Limits.historyPage);
      room.reachedStart = page.length < Limits.historyPage || page[0]!.sequence <= 1;
      this.receive(room, page, "history");
    } finally {
      room.loadingOlder = false;
    }
  }

  setTyping(room: RoomState, isTyping: boolean): Promise<void> {
    return this.hub.invoke("SetTyping", room.name, isTyping);
  }

  // ---- the user's own changes: the answer is applied at once, the broadcast of it is then a duplicate ----

  async post(room: RoomState, request: PostMessageRequest): Promise<void> {
    this.receive(room, [await this.hub.invoke<ChatMessage>("PostMessage", room.name, request)], "live");
  }

  async edit(room: RoomState, messageId: string, content: string): Promise<void> {
    this.receive(room, [await this.hub.invoke<ChatMessage>("EditMessage", room.name, messageId, content)], "live");
  }

  async delete(room: RoomState, messageId: string): Promise<void> {
    // DeleteMessage answers nothing: the tombstone arrives as RoomChanged, or by recovery if that is lost.
    await this.hub.invoke("DeleteMessage", room.name, messageId);
  }

  /** Returns the message as it is now; a change that changed nothing answers with the same eventSequence. */
  async react(room: RoomState, messageId: string, reaction: string, add: boolean): Promise<ChatMessage> {
    const method = add ? "AddReaction" : "RemoveReaction";
    const current = await this.hub.invoke<ChatMessage>(method, room.name, messageId, reaction);
    this.receive(room, [current], "live");
    return current;
  }

  // ---- room changes: live and replayed alike ----

  private messageReceived(message: ChatMessage): void {
    const room = this.rooms.get(message.room);
    if (room?.typing.delete(message.senderId) === true) {
      this.listener.typingChanged(room);
    }
    // A new message is the room change message.posted: it is applied like every other change.
    this.roomChanged({
      room: message.room,
      eventSequence: message.eventSequence,
      type: MessagePosted,
      at: message.sentAt,
      actorId: message.senderId,
      actorName: message.senderName,
      message,
      messageId: message.id,
    });
  }

  private roomChanged(event: RoomEvent): void {
    // A change can overtake the answer of a JoinRoom in flight; it is applied on top of the answer's snapshot.
    this.joining.get(event.room)?.push((room) => this.applyEvents(room, [event]));
    const room = this.rooms.get(event.room);
    if (room !== undefined) {
      this.applyEvents(room, [event]);
    }
  }

  private applyEvents(room: RoomState, events: readonly RoomEvent[]): void {
    const messages: ChatMessage[] = [];
    for (const event of events) {
      room.noteEvent(event.eventSequence);
      // A change this page does not show (members, room settings) still takes its number: noting it is all there is.
      if (event.message !== undefined && event.message !== null) {
        messages.push(event.message);
      }
    }
    this.receive(room, messages, "live");
    if (room.hasEventGap && room.recovery === undefined) {
      // Delivery is at most once (a backplane may drop one): fetch what is missing from the change log.
      void this.recover(room).catch(() => undefined);
    }
  }

  /** Applies message copies; counts the new messages of others in a room not in view as unread. */
  private receive(room: RoomState, messages: readonly ChatMessage[], cause: "live" | "history"): void {
    const added: Placed[] = [];
    for (const message of messages) {
      // History (a join's first page, an older page) may extend the timeline backwards; live copies may not.
      const result = room.upsert(message, cause === "history");
      if (result.kind === "added") {
        added.push(result.placed);
      } else if (result.kind === "changed") {
        this.listener.messageChanged(room, result.entry);
        // Replies show the message they answer as it is now.
        for (const reply of room.repliesTo(message.id)) {
          this.listener.messageChanged(room, reply);
        }
      }
    }
    if (added.length === 0) {
      return;
    }
    this.listener.entriesAdded(room, added, cause);
    if (cause === "live" && room !== this.inView) {
      const unread = added.filter(
        (a) => a.entry.kind === "message" && a.entry.message.senderId !== this.ownUserId && a.entry.message.deletedAt === null,
      ).length;
      if (unread > 0) {
        room.unread += unread;
        this.listener.roomsChanged();
      }
    }
  }

  /** Fetches every change after the last one applied, page by page; one recovery per room at a time. */
  private recover(room: RoomState): Promise<void> {
    room.recovery ??= this.replayMissing(room).finally(() => {
      room.recovery = undefined;
    });
    return room.recovery;
  }

  private async replayMissing(room: RoomState): Promise<void> {
    for (;;) {
      const from = room.eventsUpTo;
      const page = await this.hub.invoke<EventsPage>("GetEventsSince", room.name, from, Limits.eventsSincePage);
      if (page.resetRequired) {
        await this.reload(room);
        return;
      }
      this.applyEvents(room, page.events);
      const pageWasFull = page.events.length === Limits.eventsSincePage;
      // A live change that overtook the page can leave a gap behind it; stop only when nothing more comes.
      if (room.eventsUpTo === from || (!pageWasFull && !room.hasEventGap)) {
        return;
      }
    }
  }

  /** More changes are missing than the server replays: start the room over from a fresh join. */
  private async reload(room: RoomState): Promise<void> {
    const result = await this.hub.invoke<JoinResult>("JoinRoom", room.name);
    room.reset(result.lastEventSequence, result.recentMessages[0]?.sequence, result.lastSequence);
    room.setMembers(result.members);
    for (const message of result.recentMessages) {
      room.upsert(message, true);
    }
    this.listener.roomReloaded(room);
    this.listener.membersChanged(room);
  }

  // ---- typing, members and presence ----

  private typingChanged(notice: TypingNotice): void {
    const room = this.rooms.get(notice.room);
    if (room === undefined || notice.userId === this.ownUserId) {
      return;
    }
    if (notice.isTyping) {
      room.typing.set(notice.userId, notice.userName);
    } else {
      room.typing.delete(notice.userId);
    }
    this.listener.typingChanged(room);
  }

  private userJoined(event: RoomMemberEvent): void {
    this.memberEvent(event.room, (room) => room.memberJoined(event.userId, event.userName));
    this.systemLine(event.room, `${event.userName} joined`, event.at);
  }

  private userLeft(event: RoomMemberEvent): void {
    this.memberEvent(event.room, (room) => room.memberLeft(event.userId));
    this.systemLine(event.room, `${event.userName} left`, event.at);
  }

  private presenceChanged(change: PresenceChange): void {
    for (const name of new Set([...this.rooms.keys(), ...this.joining.keys()])) {
      this.memberEvent(name, (room) => room.presenceChanged(change.userId, change.userName, change.status));
    }
  }

  /** Applies a member change to a joined room, and keeps it for a JoinRoom call in flight. */
  private memberEvent(roomName: string, apply: (room: RoomState) => void): void {
    this.joining.get(roomName)?.push(apply);
    const room = this.rooms.get(roomName);
    if (room !== undefined) {
      apply(room);
      this.listener.membersChanged(room);
      this.listener.typingChanged(room);
      this.listener.roomsChanged();
    }
  }

  private systemLine(roomName: string, text: string, at: Date): void {
    const room = this.rooms.get(roomName);
    if (room !== undefined) {
      this.listener.entriesAdded(room, [room.addSystemLine(text, at)], "live");
    }
  }
}
