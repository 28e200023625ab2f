import { GuestSession, LoginRejected } from "./auth";
import { ChatConnection, type ConnectionStatus } from "./connection";
import {
  Limits,
  type ChatMessage,
  type JoinResult,
  type PresenceChange,
  type RoomMemberEvent,
  type RoomSummary,
  type TypingNotice,
} from "./contracts";
import { describeError } from "./errors";
import { RoomState, type TimelineEntry } from "./room";
import { byId, renderEntry, renderMember, renderRoom, typingText, type RoomListItem } from "./view";

// SetTyping(true) is renewed this often while the user keeps typing; the server ends the state 5 s after the last one.
const TypingRenewMs = 3_000;
// Room member counts of rooms the page has not joined come from ListRooms; joined rooms update live.
const RoomListRefreshMs = 15_000;
const NearBottomPx = 48;
// Same breakpoint as chat.css: below it the member list starts folded.
const NarrowScreen = "(max-width: 760px)";

const StatusText: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline: waiting for the network",
};

function newClientMessageId(): string {
  // crypto.randomUUID needs a secure context; getRandomValues works on plain http too.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

class ChatPage {
  private readonly connection: ChatConnection;
  private readonly rooms = new Map<string, RoomState>();
  /** Rooms with a JoinRoom call in flight, and the member changes that arrived meanwhile. */
  private readonly joining = new Map<string, ((room: RoomState) => void)[]>();
  private summaries: RoomSummary[] = [];
  private inView: RoomState | undefined;
  private pendingSend: { text: string; clientMessageId: string } | undefined;
  private typingSentAt = 0;

  private readonly status = byId<HTMLParagraphElement>("connection-state");
  private readonly roomList = byId<HTMLUListElement>("room-list");
  private readonly joinForm = byId<HTMLFormElement>("join-form");
  private readonly roomInput = byId<HTMLInputElement>("room-name");
  private readonly joinError = byId<HTMLParagraphElement>("join-error");
  private readonly roomTitle = byId<HTMLHeadingElement>("room-title");
  private readonly leaveButton = byId<HTMLButtonElement>("leave-room");
  private readonly scroller = byId<HTMLDivElement>("messages");
  private readonly loadOlderButton = byId<HTMLButtonElement>("load-older");
  private readonly messageList = byId<HTMLOListElement>("message-list");
  private readonly typingLine = byId<HTMLParagraphElement>("typing");
  private readonly composer = byId<HTMLFormElement>("composer");
  private readonly messageInput = byId<HTMLInputElement>("message-input");
  private readonly sendButton = byId<HTMLButtonElement>("send");
  private readonly sendError = byId<HTMLParagraphElement>("send-error");
  private readonly memberList = byId<HTMLUListElement>("member-list");
  private readonly memberCount = byId<HTMLSpanElement>("member-count");

  constructor(private readonly session: GuestSession) {
    this.connection = new ChatConnection(session, {
      statusChanged: (status) => this.showStatus(status),
      connected: () => void this.restore(),
    });
    const hub = this.connection.hub;
    hub.on("MessageReceived", (message: ChatMessage) => this.messageReceived(message));
    hub.on("UserJoined", (event: RoomMemberEvent) => this.userJoined(event));
    hub.on("UserLeft", (event: RoomMemberEvent) => this.userLeft(event));
    hub.on("TypingChanged", (notice: TypingNotice) => this.typingChanged(notice));
    hub.on("PresenceChanged", (change: PresenceChange) => this.presenceChanged(change));

    this.joinForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.joinFromForm();
    });
    this.roomList.addEventListener("click", (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-room]");
      if (button?.dataset["room"] !== undefined) {
        void this.openRoom(button.dataset["room"]);
      }
    });
    this.leaveButton.addEventListener("click", () => void this.leaveRoomInView());
    this.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send();
    });
    this.messageInput.addEventListener("input", () => this.typed());
    this.loadOlderButton.addEventListener("click", () => void this.loadOlder());
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        void this.loadOlder();
      }
    }, { root: this.scroller }).observe(this.loadOlderButton);
    setInterval(() => void this.refreshRoomList(), RoomListRefreshMs);
    if (matchMedia(NarrowScreen).matches) {
      byId<HTMLDetailsElement>("members-panel").open = false;
    }
    this.showRoom(undefined);
  }

  start(): Promise<void> {
    return this.connection.start();
  }

  private get hub() {
    return this.connection.hub;
  }

  // ---- connection ----

  private showStatus(status: ConnectionStatus): void {
    this.status.dataset["state"] = status;
    this.status.textContent = StatusText[status];
  }

  /** After any (re)connect: groups belong to the old connection, so re-join every room and fetch what was missed. */
  private async restore(): Promise<void> {
    await Promise.all([...this.rooms.keys()].map((name) => this.join(name)));
    await this.refreshRoomList();
  }

  // ---- rooms ----

  private async joinFromForm(): Promise<void> {
    const name = this.roomInput.value.trim();
    if (name === "") {
      return;
    }
    if (await this.openRoom(name)) {
      this.roomInput.value = "";
    }
  }

  /** Joins (when needed) and puts the room in view. */
  private async openRoom(name: string): Promise<boolean> {
    const room = this.rooms.get(name.toLowerCase()) ?? (await this.join(name));
    if (room === undefined) {
      return false;
    }
    this.showRoom(room);
    this.messageInput.focus();
    return true;
  }

  private async join(name: string): Promise<RoomState | undefined> {
    // Member events can overtake the JoinResult's snapshot: they are kept and replayed on top of it.
    const key = name.toLowerCase();
    const overtaking: ((room: RoomState) => void)[] = [];
    this.joining.set(key, overtaking);
    let result: JoinResult;
    try {
      result = await this.hub.invoke<JoinResult>("JoinRoom", name);
    } catch (error) {
      this.joinError.textContent = describeError(error);
      return undefined;
    } finally {
      this.joining.delete(key);
    }
    this.joinError.textContent = "";

    let room = this.rooms.get(result.room);
    const rejoin = room !== undefined;
    if (room === undefined) {
      room = new RoomState(result.room);
      room.caughtUpTo = (result.recentMessages[0]?.sequence ?? result.lastSequence + 1) - 1;
      room.reachedStart = room.caughtUpTo === 0;
      this.rooms.set(room.name, room);
    }
    room.setMembers(result.members);
    room.typing.clear();
    for (const apply of overtaking) {
      apply(room);
    }
    this.receive(room, result.recentMessages, rejoin);
    if (room === this.inView) {
      this.renderMembers();
      this.renderTyping();
    }
    if (rejoin) {
      await this.recover(room);
    }
    this.renderRoomList();
    return room;
  }

  private async leaveRoomInView(): Promise<void> {
    const room = this.inView;
    if (room === undefined) {
      return;
    }
    try {
      await this.hub.invoke("LeaveRoom", room.name);
    } catch (error) {
      this.sendError.textContent = describeError(error);
      return;
    }
    this.rooms.delete(room.name);
    this.showRoom(this.rooms.values().next().value);
    await this.refreshRoomList();
    this.roomInput.focus();
  }

  private async refreshRoomList(): Promise<void> {
    if (!this.connection.isConnected) {
      return;
    }
    try {
      this.summaries = await this.hub.invoke<RoomSummary[]>("ListRooms");
    } catch {
      // The list is refreshed again on the next event, timer tick or reconnect.
      return;
    }
    this.renderRoomList();
  }

  private renderRoomList(): void {
    const items = new Map<string, RoomListItem>();
    for (const summary of this.summaries) {
      items.set(summary.room, { room: summary.room, memberCount: summary.memberCount, joined: false, inView: false, unread: 0 });
    }
    for (const room of this.rooms.values()) {
      items.set(room.name, { room: room.name, memberCount: room.onlineCount, joined: true, inView: room === this.inView, unread: room.unread });
    }
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.["room"];
    this.roomList.replaceChildren(...[...items.values()].sort((a, b) => a.room.localeCompare(b.room)).map(renderRoom));
    // Re-rendering must not take the keyboard user's place away.
    if (focused !== undefined) {
      this.roomList.querySelector<HTMLButtonElement>(`button[data-room="${CSS.escape(focused)}"]`)?.focus();
    }
  }

  private showRoom(room: RoomState | undefined): void {
    if (this.inView !== room) {
      this.stopTyping();
    }
    this.inView = room;
    this.sendError.textContent = "";
    const hasRoom = room !== undefined;
    this.roomTitle.textContent = room?.name ?? "No room open";
    this.leaveButton.hidden = !hasRoom;
    this.messageInput.disabled = !hasRoom;
    this.sendButton.disabled = !hasRoom;
    this.messageInput.placeholder = hasRoom ? `Message #${room.name}` : "Join a room to write";
    if (room !== undefined) {
      room.unread = 0;
      this.messageList.replaceChildren(...room.entries.map((entry) => renderEntry(entry, this.session.userId)));
    } else {
      this.messageList.replaceChildren();
    }
    this.updateLoadOlder();
    this.renderMembers();
    this.renderTyping();
    this.renderRoomList();
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  // ---- messages ----

  private messageReceived(message: ChatMessage): void {
    const room = this.rooms.get(message.room);
    if (room === undefined) {
      return;
    }
    room.typing.delete(message.senderId);
    this.receive(room, [message], true);
    if (room === this.inView) {
      this.renderTyping();
    }
    if (room.hasGapBefore(message.sequence)) {
      // Delivery is at most once (a backplane may drop one): fetch what is missing from history.
      void this.recover(room);
    }
  }

  /** Adds messages once each, in sequence order, whatever path they came by; counts unread ones in rooms not in view. */
  private receive(room: RoomState, messages: readonly ChatMessage[], countUnread: boolean): void {
    const wasNearBottom = this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < NearBottomPx;
    const added = room.addMessages(messages);
    if (added.length === 0) {
      return;
    }
    if (room === this.inView) {
      this.insertEntries(added);
      const sentByMe = added.some((a) => a.entry.kind === "message" && a.entry.message.senderId === this.session.userId);
      if (wasNearBottom || sentByMe) {
        this.scroller.scrollTop = this.scroller.scrollHeight;
      }
      this.updateLoadOlder();
    } else if (countUnread) {
      room.unread += added.filter((a) => a.entry.kind === "message" && a.entry.message.senderId !== this.session.userId).length;
      this.renderRoomList();
    }
  }

  private insertEntries(added: readonly { entry: TimelineEntry; index: number }[]): void {
    // Indexes were taken one after another, so inserting in the same order keeps the DOM in step with the timeline.
    for (const { entry, index } of added) {
      this.messageList.insertBefore(renderEntry(entry, this.session.userId), this.messageList.children[index] ?? null);
    }
  }

  /** Fetches everything after the last contiguous sequence, page by page; one recovery per room at a time. */
  private recover(room: RoomState): Promise<void> {
    room.recovery ??= this.fetchMissing(room).finally(() => {
      room.recovery = undefined;
    });
    return room.recovery;
  }

  private async fetchMissing(room: RoomState): Promise<void> {
    try {
      for (;;) {
        const page = await this.hub.invoke<ChatMessage[]>("GetMessagesSince", room.name, room.caughtUpTo, Limits.messagesSincePage);
        this.receive(room, page, true);
        if (page.length < Limits.messagesSincePage) {
          return;
        }
      }
    } catch {
      // The connection dropped again: the next reconnect recovers from the same point.
    }
  }

  private async loadOlder(): Promise<void> {
    const room = this.inView;
    const oldest = room?.oldestSequence;
    if (room === undefined || room.loadingOlder || room.reachedStart) {
      return;
    }
    if (oldest === undefined || oldest <= 1) {
      room.reachedStart = true;
      this.updateLoadOlder();
      return;
    }
    room.loadingOlder = true;
    this.updateLoadOlder();
    try {
      const page = await this.hub.invoke<ChatMessage[]>("GetHistory", room.name, oldest, Limits.historyPage);
      room.reachedStart = page.length < Limits.historyPage || page[0]!.sequence <= 1;
      if (room === this.inView) {
        // Keep the messages the user is looking at in place while older ones are put above them.
        const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
        this.insertEntries(room.addMessages(page));
        this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
      } else {
        room.addMessages(page);
      }
    } catch (error) {
      this.sendError.textContent = describeError(error);
    } finally {
      room.loadingOlder = false;
      this.updateLoadOlder();
    }
  }

  private updateLoadOlder(): void {
    const room = this.inView;
    this.loadOlderButton.hidden = room === undefined || room.reachedStart;
    this.loadOlderButton.disabled = room?.loadingOlder ?? false;
    this.loadOlderButton.textContent = room?.loadingOlder === true ? "Loading older messages…" : "Load older messages";
  }

  private async send(): Promise<void> {
    const room = this.inView;
    const text = this.messageInput.value;
    if (room === undefined || text.trim() === "") {
      return;
    }
    // The same draft keeps its id, so sending it again after a dropped acknowledgement cannot post it twice.
    const clientMessageId = this.pendingSend?.text === text ? this.pendingSend.clientMessageId : newClientMessageId();
    this.pendingSend = { text, clientMessageId };
    this.sendError.textContent = "";
    let stored: ChatMessage;
    try {
      stored = await this.hub.invoke<ChatMessage>("SendMessage", room.name, text, clientMessageId);
    } catch (error) {
      // The draft stays in the input: nothing the user typed is lost.
      this.sendError.textContent = describeError(error);
      return;
    }
    this.pendingSend = undefined;
    this.typingSentAt = 0;
    if (this.messageInput.value === text) {
      this.messageInput.value = "";
    }
    this.receive(room, [stored], false);
  }

  // ---- typing ----

  private typed(): void {
    const room = this.inView;
    if (room === undefined) {
      return;
    }
    if (this.messageInput.value.trim() === "") {
      this.stopTyping();
    } else if (Date.now() - this.typingSentAt > TypingRenewMs) {
      this.typingSentAt = Date.now();
      this.setTyping(room, true);
    }
  }

  private stopTyping(): void {
    if (this.typingSentAt !== 0 && this.inView !== undefined) {
      this.setTyping(this.inView, false);
    }
    this.typingSentAt = 0;
  }

  private setTyping(room: RoomState, isTyping: boolean): void {
    if (this.connection.isConnected) {
      // Typing is a hint: a lost one is ended by the server's own timeout, so failures are not worth the user's attention.
      this.hub.invoke("SetTyping", room.name, isTyping).catch(() => undefined);
    }
  }

  private typingChanged(notice: TypingNotice): void {
    const room = this.rooms.get(notice.room);
    if (room === undefined || notice.userId === this.session.userId) {
      return;
    }
    if (notice.isTyping) {
      room.typing.set(notice.userId, notice.userName);
    } else {
      room.typing.delete(notice.userId);
    }
    if (room === this.inView) {
      this.renderTyping();
    }
  }

  private renderTyping(): void {
    this.typingLine.textContent = typingText([...(this.inView?.typing.values() ?? [])]);
  }

  // ---- members and presence ----

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
      this.membersChanged(room);
    }
  }

  private systemLine(roomName: string, text: string, at: Date): void {
    const room = this.rooms.get(roomName);
    if (room === undefined) {
      return;
    }
    const added = room.addSystemLine(text, at);
    if (room === this.inView) {
      const wasNearBottom = this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < NearBottomPx;
      this.insertEntries([added]);
      if (wasNearBottom) {
        this.scroller.scrollTop = this.scroller.scrollHeight;
      }
    }
  }

  private membersChanged(room: RoomState): void {
    if (room === this.inView) {
      this.renderMembers();
      this.renderTyping();
    }
    this.renderRoomList();
  }

  private renderMembers(): void {
    const members = [...(this.inView?.members.values() ?? [])].sort(
      (a, b) => (a.status === b.status ? a.userName.localeCompare(b.userName) : a.status === "online" ? -1 : 1),
    );
    this.memberCount.textContent = this.inView === undefined ? "" : `(${this.inView.onlineCount} online)`;
    this.memberList.replaceChildren(...members.map((member) => renderMember(member, this.session.userId)));
  }
}

// ---- sign-in ----

const UserNameKey = "chat.userName";

function setUpSignIn(): void {
  const form = byId<HTMLFormElement>("login-form");
  const input = byId<HTMLInputElement>("user-name");
  const error = byId<HTMLParagraphElement>("login-error");
  input.value = localStorage.getItem(UserNameKey) ?? "";
  input.focus();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      error.textContent = "";
      let session: GuestSession;
      try {
        session = await GuestSession.signIn(input.value.trim());
      } catch (failure) {
        error.textContent = failure instanceof LoginRejected ? failure.message : "The server cannot be reached. Try again in a moment.";
        return;
      }
      localStorage.setItem(UserNameKey, session.userName);
      byId("login").hidden = true;
      byId("chat").hidden = false;
      byId("whoami").textContent = `Signed in as ${session.userName}`;
      const page = new ChatPage(session);
      byId<HTMLInputElement>("room-name").focus();
      await page.start();
    })();
  });
}

setUpSignIn();
