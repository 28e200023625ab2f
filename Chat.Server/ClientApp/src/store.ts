import {
  errorCode,
  RoomEventTypes,
  type ChatClient,
  type ChatHubProxy,
  type ChatMessage,
  type CreateRoomRequest,
  type JoinResult,
  type MemberRoles,
  type MyRoom,
  type PostMessageRequest,
  type PresenceChange,
  type ReadReceipt,
  type ReadState,
  type RoomActivity,
  type RoomEvent,
  type RoomInfo,
  type RoomMember,
  type RoomMemberEvent,
  type RoomSummary,
  type TypingNotice,
  type UpdateRoomRequest,
  type UserPresence,
} from "@chat/client";
import { Limits } from "./limits";
import { canModerate, roomDisplayName, type Removal } from "./membership";
import { ReadStates } from "./readState";
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
  /** Joined rooms, the user's rooms, their unread or mention counts or the other rooms' member counts changed. */
  roomsChanged(): void;
  /** How far the room's members have read changed ("seen by"). */
  receiptsChanged(room: RoomState): void;
  /** A message is deleted (a tombstone arrived): whatever points at it goes. */
  messageDeleted(message: ChatMessage): void;
  /** A room's title, topic, slow mode, or the user's own role or mute there changed. */
  roomInfoChanged(room: string): void;
  /** A member of the room was added, removed or updated (a member.* change, whoever it is about). */
  membershipChanged(event: RoomEvent): void;
  /**
   * The user is no longer a member of the room: removed, banned, or found gone after a reconnect. The page stops
   * re-joining it; `room` is its state when the page had joined it.
   */
  removedFromRoom(name: string, room: RoomState | undefined, removal: Removal): void;
}

/**
 * The rooms as the page knows them, fed by the package's ChatClient: it joins the rooms again after a reconnect and
 * hands on every room change exactly once, in order, live or fetched after a reconnect or a gap (the recovery lives in
 * @chat/client, not here). Every message copy, whatever brought it (a change, JoinRoom, GetHistory, the answer to the
 * user's own call), goes through RoomState.upsert; every other change through one applyEvent.
 */
export class ChatStore {
  readonly rooms = new Map<string, RoomState>();
  summaries: RoomSummary[] = [];
  /** The user's rooms (ListMyRooms) and their role in each, newest activity first. */
  myRooms = new Map<string, MemberRoles>();
  /** The newest settings the page has of each room it knows (by RoomInfo.lastEventSequence). */
  readonly infos = new Map<string, RoomInfo>();
  /** Until when the user is muted, per room, as the page last heard. */
  readonly mutedUntil = new Map<string, Date>();
  /** Rooms the user was removed from while the page was open: never re-joined by themselves, told once. */
  readonly removed = new Map<string, Removal>();
  /** Counts the user's own membership changes: a ListMyRooms answer read before one of them is stale. */
  private membershipVersion = 0;
  /** The room the user looks at: while the page is visible, what it shows is marked read. */
  inView: RoomState | undefined;
  /** The unread and mention counts of the user's rooms, joined on this page or not. */
  readonly reads: ReadStates;
  /** Per room, the MarkRead in flight (at most one) and the highest sequence wanted read. */
  private readonly marks = new Map<string, { inFlight: boolean; wanted: number }>();
  /** Rooms with a JoinRoom call in flight, and the member changes (presence, not the change log) that arrived meanwhile. */
  private readonly joining = new Map<string, ((room: RoomState) => void)[]>();
  /**
   * Rooms the page believed large that a per-user event showed small again: their GetPresence in flight, and the
   * member changes that arrived meanwhile.
   */
  private readonly becomingSmall = new Map<string, ((room: RoomState) => void)[]>();

  /**
   * Calls made once, on the connection as it is: a call while the connection is down fails at once, and the page says
   * so (the user's draft stays, with its clientMessageId, for sending again).
   */
  private readonly hub: ChatHubProxy;

  constructor(
    private readonly client: ChatClient,
    private readonly ownUserId: string,
    private readonly listener: StoreListener,
  ) {
    this.hub = client.connection.once;
    this.reads = new ReadStates(ownUserId);
    client.listen({
      joining: (room) => this.joining.set(room, []),
      joined: (result) => this.joined(result),
      change: (event) => this.roomChanged(event),
      reset: (result) => this.reload(result),
      outsideChange: (event) => this.outsideChange(event),
      roomLost: (room, code) => this.lost(room, code === "banned" ? { kind: "banned-now" } : { kind: "gone" }),
    });
    const hubEvents = client.connection;
    hubEvents.on("UserJoined", (event) => this.userJoined(event));
    hubEvents.on("UserLeft", (event) => this.userLeft(event));
    hubEvents.on("TypingChanged", (notice) => this.typingChanged(notice));
    hubEvents.on("PresenceChanged", (change) => this.presenceChanged(change));
    hubEvents.on("RoomActivity", (activity) => this.roomActivity(activity));
    hubEvents.on("ReadStateChanged", (state) => this.readStateChanged(state));
    hubEvents.on("ReadReceiptChanged", (receipt) => this.receiptChanged(receipt));
  }

  /**
   * After a reconnect, before the client joins the rooms again: a room the user stopped being a member of while away
   * (not in ListMyRooms any more) is not re-joined, since re-joining a public room would make them a member again.
   */
  async roomsToRejoin(rooms: string[]): Promise<string[]> {
    const listed = await this.refreshMyRooms();
    if (!listed) {
      return rooms;
    }
    for (const name of rooms.filter((room) => !this.myRooms.has(room))) {
      this.lost(name, { kind: "gone" });
    }
    return rooms.filter((room) => this.myRooms.has(room));
  }

  /** The page became visible or hidden: a room in view is read only while the page is seen. */
  visibilityChanged(): void {
    this.readInView();
    this.listener.roomsChanged();
  }

  /** The counts to show for a room: none for the room being read (its MarkRead is on its way). */
  badges(name: string): { unread: number; mentions: number } {
    const state = this.reads.get(name);
    if (state === undefined || (this.inView?.name === name && this.pageVisible())) {
      return { unread: 0, mentions: 0 };
    }
    return { unread: state.unread, mentions: state.mentions };
  }

  /** Joins a room; the client keeps it joined and its changes coming. Throws the hub's error. */
  async join(name: string): Promise<RoomState> {
    try {
      const result = await this.client.joinRoom(name);
      const room = this.rooms.get(result.room);
      if (room === undefined) {
        throw new Error("not_found: the room went away while it was being joined");
      }
      return room;
    } finally {
      this.joining.delete(name.toLowerCase());
    }
  }

  /**
   * A JoinRoom answer (a first join, or again after a reconnect; the client then hands on what was missed): the
   * room's snapshot, with the member events that overtook it applied on top.
   */
  private joined(result: JoinResult): void {
    const overtaking = this.joining.get(result.room) ?? [];
    this.joining.delete(result.room);
    // Joining by hand is how a user comes back to a public room they were removed from.
    this.removed.delete(result.room);
    let room = this.rooms.get(result.room);
    const rejoin = room !== undefined;
    if (room === undefined) {
      room = new RoomState(result.room);
      room.reset(result.recentMessages[0]?.sequence, result.lastSequence);
      this.rooms.set(room.name, room);
    }
    if (this.reads.joined(room.name, result.lastSequence)) {
      this.listener.roomsChanged();
    }
    // Receipts may have moved while the page was away: fetched again when the room is in view.
    room.receiptsFetched = false;
    room.setMembers(result.members, result.memberCount);
    room.typing.clear();
    for (const apply of overtaking) {
      apply(room);
    }
    this.receive(room, result.recentMessages, rejoin ? "live" : "history");
    this.listener.membersChanged(room);
    this.listener.typingChanged(room);
    if (room === this.inView) {
      this.readInView();
      this.loadReceipts(room);
    }
    this.listener.roomsChanged();
    if (!rejoin) {
      // Joining may have made the user a member (of a public room): the list of their rooms has it now, with its
      // settings. And member.updated (a new role) reaches only connections in the room: the list has the role too.
      void this.refreshMyRooms();
    }
  }

  /** Leaves the room for good (RemoveMember of oneself), then ends this page's live subscription. Throws the hub's error. */
  async leave(room: RoomState): Promise<void> {
    try {
      await this.hub.RemoveMember(room.name, this.ownUserId);
    } catch (error) {
      // not_found: the user was in the room without being a lasting member (a server administrator); leaving is all.
      if (errorCode(error) !== "not_found") {
        throw error;
      }
    }
    this.membershipVersion++;
    this.myRooms.delete(room.name);
    this.reads.forget(room.name);
    this.rooms.delete(room.name);
    this.client.forget(room.name);
    // The server ends the subscription of a member who left; this covers a server that kept it.
    await this.hub.LeaveRoom(room.name).catch(() => undefined);
    if (this.inView === room) {
      this.inView = undefined;
    }
    await this.refreshRoomList();
  }

  view(room: RoomState | undefined): void {
    this.inView = room;
    if (room !== undefined) {
      this.readInView();
      this.loadReceipts(room);
    }
    this.listener.roomsChanged();
  }

  async refreshRoomList(): Promise<void> {
    try {
      this.summaries = await this.hub.ListRooms();
    } catch {
      // The list is refreshed again on the next timer tick or reconnect.
      return;
    }
    this.listener.roomsChanged();
  }

  /** Reads the user's rooms (ListMyRooms) again. False when the hub could not answer. */
  async refreshMyRooms(): Promise<boolean> {
    for (;;) {
      const version = this.membershipVersion;
      let mine: MyRoom[];
      try {
        mine = await this.hub.ListMyRooms();
      } catch {
        // Refreshed again on the next timer tick, membership change or reconnect.
        return false;
      }
      if (version !== this.membershipVersion) {
        // The user was added or removed while the list was read: it may already be out of date.
        continue;
      }
      const changed = mine.filter((m) => this.myRooms.get(m.room.room) !== m.role);
      this.myRooms = new Map(mine.map((m) => [m.room.room, m.role]));
      for (const m of mine) {
        this.reads.listed(m);
        this.removed.delete(m.room.room);
        if (this.keepInfo(m.room)) {
          changed.push(m);
        }
      }
      this.listener.roomsChanged();
      // Only what changed is told: a periodic refresh must not redraw (and reset) a settings form being used.
      for (const name of new Set(changed.map((m) => m.room.room))) {
        this.listener.roomInfoChanged(name);
      }
      return true;
    }
  }

  /** The room as people see it: a direct room by the other person's name, others by title or name. */
  displayName(name: string): string {
    return roomDisplayName(name, this.infos.get(name), this.ownUserId);
  }

  role(name: string): MemberRoles | undefined {
    return this.myRooms.get(name);
  }

  /** The user may delete others' messages and open the room's settings. */
  moderates(name: string): boolean {
    return canModerate(this.role(name)) && this.infos.get(name)?.kind !== "direct";
  }

  /** The user's mute in the room, while it lasts. */
  mutedNow(name: string): Date | undefined {
    const until = this.mutedUntil.get(name);
    return until !== undefined && until.getTime() > Date.now() ? until : undefined;
  }

  // ---- conversations and moderation: each throws the hub's error ----

  /** Creates a private room with its first members; the user is its owner. Returns it joined. */
  async createPrivateRoom(name: string, title: string | null, memberIds: string[]): Promise<RoomState> {
    const request: CreateRoomRequest = { room: name, kind: "private", title, topic: null, memberIds };
    const info = await this.hub.CreateRoom(request);
    this.becameMember(info, "owner");
    return this.join(info.room);
  }

  /** The direct room of the user and another user (the same one every time), joined. */
  async openDirect(userId: string): Promise<RoomState> {
    const info = await this.hub.OpenDirect(userId);
    this.becameMember(info, "member");
    return this.rooms.get(info.room) ?? this.join(info.room);
  }

  async updateRoom(name: string, request: UpdateRoomRequest): Promise<void> {
    this.keepInfo(await this.hub.UpdateRoom(name, request));
    this.listener.roomInfoChanged(name);
    this.listener.roomsChanged();
  }

  /** One page of the room's lasting members, by user id after `after`: the members panel of a big room, and the settings dialog. */
  memberPage(name: string, after: string | null): Promise<RoomMember[]> {
    return this.hub.GetMembers(name, after, Limits.membersPanelPage);
  }

  addMember(name: string, userId: string): Promise<RoomMember> {
    return this.hub.AddMember(name, userId);
  }

  kick(name: string, userId: string): Promise<void> {
    return this.hub.RemoveMember(name, userId);
  }

  setRole(name: string, userId: string, role: MemberRoles): Promise<RoomMember> {
    return this.hub.SetMemberRole(name, userId, role);
  }

  /** `until` null: for good. */
  ban(name: string, userId: string, until: Date | null, reason: string | null): Promise<void> {
    return this.hub.BanMember(name, userId, until, reason);
  }

  unban(name: string, userId: string): Promise<void> {
    return this.hub.UnbanMember(name, userId);
  }

  /** `until` null: unmute. */
  mute(name: string, userId: string, until: Date | null): Promise<RoomMember> {
    return this.hub.MuteMember(name, userId, until);
  }

  private becameMember(info: RoomInfo, role: MemberRoles): void {
    this.membershipVersion++;
    this.removed.delete(info.room);
    this.keepInfo(info);
    if (!this.myRooms.has(info.room)) {
      // Newest activity first: a room just made or opened goes on top until the next ListMyRooms says otherwise.
      this.myRooms = new Map([[info.room, role], ...this.myRooms]);
    }
    this.listener.roomsChanged();
  }

  /**
   * Keeps the newer copy of a room's settings: one read before a change (ListMyRooms in flight) must not undo it.
   * True when what people see of the room (name, kind, title, topic, slow mode) changed.
   */
  private keepInfo(info: RoomInfo): boolean {
    const held = this.infos.get(info.room);
    if (held !== undefined && info.lastEventSequence < held.lastEventSequence) {
      return false;
    }
    this.infos.set(info.room, info);
    return (
      held === undefined ||
      held.kind !== info.kind ||
      held.title !== info.title ||
      held.topic !== info.topic ||
      held.slowModeSeconds !== info.slowModeSeconds ||
      (held.members?.length ?? 0) !== (info.members?.length ?? 0)
    );
  }

  /** One more page of older history for the room, of at most `limit` messages. Throws the hub's error. */
  loadOlder(room: RoomState, limit: number = Limits.historyPage): Promise<void> {
    // A page in flight is the one asked for: the caller waits for it (and asks again if it wants more).
    room.olderPage ??= this.fetchOlder(room, limit).finally(() => {
      room.olderPage = undefined;
    });
    return room.olderPage;
  }

  /**
   * Loads older pages until the message of `sequence` is in the timeline, or the room's start is: the timeline stays
   * one unbroken run of messages, so everything between is loaded too (in pages of up to 200). Throws the hub's error.
   */
  async loadBackTo(room: RoomState, sequence: number): Promise<void> {
    for (;;) {
      const oldest = room.oldestSequence;
      if (room.reachedStart || oldest === undefined || oldest <= sequence || this.rooms.get(room.name) !== room) {
        return;
      }
      await this.loadOlder(room, Math.min(Limits.maxHistoryPage, Math.max(Limits.historyPage, oldest - sequence)));
      if (room.oldestSequence === oldest && !room.reachedStart) {
        return; // nothing older came: asking again would not bring it either
      }
    }
  }

  private async fetchOlder(room: RoomState, limit: number): Promise<void> {
    const oldest = room.oldestSequence;
    if (room.reachedStart) {
      return;
    }
    if (oldest === undefined || oldest <= 1) {
      room.reachedStart = true;
      return;
    }
    const page = await this.hub.GetHistory(room.name, oldest, limit);
    room.reachedStart = page.length < limit || page[0]!.sequence <= 1;
    this.receive(room, page, "history");
  }

  setTyping(room: RoomState, isTyping: boolean): Promise<void> {
    return this.hub.SetTyping(room.name, isTyping);
  }

  // ---- the user's own changes: the answer is applied at once, the broadcast of it is then a duplicate ----

  async post(room: RoomState, request: PostMessageRequest): Promise<void> {
    this.receive(room, [await this.hub.PostMessage(room.name, request)], "live");
  }

  async edit(room: RoomState, messageId: string, content: string): Promise<void> {
    this.receive(room, [await this.hub.EditMessage(room.name, messageId, content)], "live");
  }

  async delete(room: RoomState, messageId: string): Promise<void> {
    // DeleteMessage answers nothing: the tombstone arrives as RoomChanged, or by recovery if that is lost.
    await this.hub.DeleteMessage(room.name, messageId);
  }

  /** Returns the message as it is now; a change that changed nothing answers with the same eventSequence. */
  async react(room: RoomState, messageId: string, reaction: string, add: boolean): Promise<ChatMessage> {
    const current = await (add ? this.hub.AddReaction(room.name, messageId, reaction) : this.hub.RemoveReaction(room.name, messageId, reaction));
    this.receive(room, [current], "live");
    return current;
  }

  // ---- room changes: live and replayed alike ----

  /** A change of a joined room, handed on by the client exactly once and in order (live or recovered). */
  private roomChanged(event: RoomEvent): void {
    const room = this.rooms.get(event.room);
    if (room === undefined) {
      return;
    }
    const message = event.message;
    if (message !== null) {
      if (event.type === RoomEventTypes.MessagePosted && room.typing.delete(message.senderId)) {
        this.listener.typingChanged(room);
      }
      this.receive(room, [message], "live");
    } else if (event.type === RoomEventTypes.RoomUpdated) {
      this.roomUpdated(room, event);
    } else if (event.member !== null) {
      this.memberChanged(room, event);
    }
  }

  /** member.* changes reach the user's connections also for rooms this page has not joined (being added to one). */
  private outsideChange(event: RoomEvent): void {
    if (event.member?.userId === this.ownUserId) {
      this.memberChanged(undefined, event);
    }
  }

  /** Applies message copies; new messages and deletes move the room's counts, and a room being read is marked read. */
  private receive(room: RoomState, messages: readonly ChatMessage[], cause: "live" | "history"): void {
    const added: Placed[] = [];
    let counts = false;
    for (const message of messages) {
      const before = room.message(message.id);
      // History (a join's first page, an older page) may extend the timeline backwards; live copies may not.
      const result = room.upsert(message, cause === "history");
      if (message.deletedAt !== null) {
        this.listener.messageDeleted(message);
      }
      if (result.kind === "added") {
        added.push(result.placed);
        // History is counted already by the snapshot the page holds (ListMyRooms, or a join's starting point).
        if (cause === "live") {
          counts = this.reads.posted(message) || counts;
        }
      } else if (result.kind === "changed") {
        if (before !== undefined && message.deletedAt !== null) {
          counts = this.reads.deleted(before) || counts;
        }
        this.listener.messageChanged(room, result.entry);
        // Replies show the message they answer as it is now.
        for (const reply of room.repliesTo(message.id)) {
          this.listener.messageChanged(room, reply);
        }
      }
    }
    if (counts) {
      this.listener.roomsChanged();
    }
    if (added.length === 0) {
      return;
    }
    this.listener.entriesAdded(room, added, cause);
    if (room === this.inView) {
      this.readInView();
    }
  }

  // ---- read state and receipts ----

  private pageVisible(): boolean {
    return document.visibilityState === "visible";
  }

  /** Marks the room in view read up to its newest message, if the user can see it. */
  private readInView(): void {
    const room = this.inView;
    if (room !== undefined && room.removal === undefined && this.rooms.get(room.name) === room && this.pageVisible()) {
      this.markRead(room.name, room.lastMessage?.sequence ?? 0);
    }
  }

  /**
   * At most one MarkRead in flight per room; marks wanted meanwhile are folded into one, of the newest sequence,
   * sent when the answer comes. A user reading a busy room thus costs the server one call per round trip.
   */
  private markRead(name: string, sequence: number): void {
    const held = this.reads.get(name);
    let mark = this.marks.get(name);
    if (sequence <= 0 || (held !== undefined && !held.assumed && sequence <= held.lastReadSequence && held.unread === 0) || sequence <= (mark?.wanted ?? 0)) {
      return;
    }
    if (mark === undefined) {
      mark = { inFlight: false, wanted: 0 };
      this.marks.set(name, mark);
    }
    mark.wanted = sequence;
    if (!mark.inFlight) {
      void this.sendMarks(name, mark);
    }
  }

  private async sendMarks(name: string, mark: { inFlight: boolean; wanted: number }): Promise<void> {
    mark.inFlight = true;
    let sent = 0;
    try {
      while (mark.wanted > sent) {
        sent = mark.wanted;
        this.readStateChanged(await this.hub.MarkRead(name, sent));
      }
    } catch {
      // Not stored (the connection dropped, or the user is no member): the next time the room is read, it is sent again.
      mark.wanted = 0;
    } finally {
      mark.inFlight = false;
    }
  }

  private readStateChanged(state: ReadState): void {
    if (this.reads.stored(state)) {
      this.listener.roomsChanged();
    }
  }

  /** Fetches how far the members of the room have read, once per join. */
  private loadReceipts(room: RoomState): void {
    if (room.receiptsFetched || room.receiptsLoading !== undefined || room.removal !== undefined) {
      return;
    }
    room.receiptsLoading = this.hub.GetReadReceipts(room.name)
      .then((receipts) => {
        // Empty in a room too big for receipts: then nothing is shown.
        for (const receipt of receipts) {
          room.noteReceipt(receipt);
        }
        room.receiptsFetched = true;
        this.listener.receiptsChanged(room);
      })
      .catch(() => undefined)
      .finally(() => {
        room.receiptsLoading = undefined;
      });
  }

  private receiptChanged(receipt: ReadReceipt): void {
    const room = this.rooms.get(receipt.room);
    if (room !== undefined && room.noteReceipt(receipt)) {
      this.listener.receiptsChanged(room);
    }
  }

  /** More changes were missing than the server replays: the client joined afresh, and the room starts over from it. */
  private reload(result: JoinResult): void {
    const room = this.rooms.get(result.room);
    if (room === undefined) {
      return;
    }
    room.reset(result.recentMessages[0]?.sequence, result.lastSequence);
    room.setMembers(result.members, result.memberCount);
    for (const message of result.recentMessages) {
      room.upsert(message, true);
    }
    this.listener.roomReloaded(room);
    this.listener.membersChanged(room);
  }

  // ---- room settings and lasting membership ----

  private roomUpdated(room: RoomState, event: RoomEvent): void {
    const before = this.infos.get(room.name);
    const after = event.roomInfo;
    if (after === undefined || after === null) {
      return;
    }
    this.keepInfo(after);
    for (const text of settingsChanges(before, after)) {
      this.systemLine(room.name, `${event.actorName} ${text}`, event.at);
    }
    this.listener.roomInfoChanged(room.name);
    this.listener.roomsChanged();
  }

  /** A member.* change: of a joined room (applied once, in order) or, for the user's own membership, of any room. */
  private memberChanged(room: RoomState | undefined, event: RoomEvent): void {
    const member = event.member!;
    const own = member.userId === this.ownUserId;
    const name = event.room;
    this.countMember(name, event);
    if (own) {
      this.membershipVersion++;
    }
    switch (event.type) {
      case RoomEventTypes.MemberAdded:
        if (own) {
          this.removed.delete(name);
          void this.refreshMyRooms();
        } else if (room !== undefined && event.actorId !== member.userId) {
          this.systemLine(name, `${event.actorName} added ${member.userName}`, event.at);
        }
        break;
      case RoomEventTypes.MemberRemoved:
        if (own && event.actorId === this.ownUserId) {
          this.leftForGood(name);
        } else if (own) {
          this.lost(name, member.banned
            ? { kind: "banned", actorName: event.actorName, until: member.bannedUntil, reason: member.banReason }
            : { kind: "removed", actorName: event.actorName });
        } else if (room !== undefined && event.actorId !== member.userId) {
          // Leaving for good by oneself shows as v1's "left" line already (the user's connections leave the room).
          this.systemLine(name, `${event.actorName} ${member.banned ? "banned" : "removed"} ${member.userName}`, event.at);
        }
        break;
      case RoomEventTypes.MemberUpdated:
        if (own) {
          if (this.myRooms.has(name) && !member.banned) {
            this.myRooms.set(name, member.role);
          }
          if (member.mutedUntil !== null) {
            this.mutedUntil.set(name, member.mutedUntil);
          } else {
            this.mutedUntil.delete(name);
          }
          this.listener.roomInfoChanged(name);
        }
        break;
    }
    this.listener.membershipChanged(event);
  }

  /** Keeps a known room's member count current: the change counts only if the settings held do not include it yet. */
  private countMember(name: string, event: RoomEvent): void {
    const info = this.infos.get(name);
    if (info === undefined || event.eventSequence <= info.lastEventSequence) {
      return;
    }
    const delta = event.type === RoomEventTypes.MemberAdded ? 1 : event.type === RoomEventTypes.MemberRemoved ? -1 : 0;
    this.infos.set(name, { ...info, memberCount: Math.max(0, info.memberCount + delta), lastEventSequence: event.eventSequence });
    if (delta !== 0) {
      this.listener.roomsChanged();
    }
  }

  /** The user left the room for good (on this page or another of theirs): it goes from every list, without a word. */
  private leftForGood(name: string): void {
    this.myRooms.delete(name);
    this.reads.forget(name);
    const room = this.rooms.get(name);
    this.rooms.delete(name);
    this.client.forget(name);
    if (room !== undefined && this.inView === room) {
      room.removal = { kind: "gone" };
      this.listener.removedFromRoom(name, room, room.removal);
    }
    this.listener.roomsChanged();
  }

  /** The user is no longer a member: the room leaves the lists and is not re-joined; the page says why, once. */
  private lost(name: string, removal: Removal): void {
    if (this.removed.has(name)) {
      return; // the second copy of the same removal (group and user delivery race)
    }
    this.removed.set(name, removal);
    this.myRooms.delete(name);
    this.reads.forget(name);
    this.mutedUntil.delete(name);
    const room = this.rooms.get(name);
    this.rooms.delete(name);
    this.client.forget(name);
    if (room !== undefined) {
      room.typing.clear();
      room.removal = removal;
    }
    this.listener.removedFromRoom(name, room, removal);
    this.listener.roomsChanged();
  }

  // ---- typing, members and presence ----

  private typingChanged(notice: TypingNotice): void {
    const room = this.rooms.get(notice.room);
    if (room === undefined) {
      return;
    }
    // The user's own typing (told to their other tabs) is a per-user event of the room too.
    this.noteSmall(room);
    if (notice.userId === this.ownUserId) {
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

  /**
   * PresenceChanged names no room: it came through one of the small rooms the user shares with the page. It says
   * nothing about a large room, whose names are stale anyway, and is not applied there.
   */
  private presenceChanged(change: PresenceChange): void {
    for (const name of new Set([...this.rooms.keys(), ...this.joining.keys()])) {
      if (this.rooms.get(name)?.large !== true) {
        this.memberEvent(name, (room) => room.presenceChanged(change.userId, change.userName, change.status), false);
      }
    }
  }

  /**
   * Applies a member change to a joined room, and keeps it for a JoinRoom or GetPresence call in flight. `inRoom`: the
   * server sent it for this room, which is therefore small (it sends none for a large room).
   */
  private memberEvent(roomName: string, apply: (room: RoomState) => void, inRoom = true): void {
    this.joining.get(roomName)?.push(apply);
    const room = this.rooms.get(roomName);
    if (room !== undefined) {
      if (inRoom) {
        this.noteSmall(room);
      }
      this.becomingSmall.get(roomName)?.push(apply);
      apply(room);
      this.listener.membersChanged(room);
      this.listener.typingChanged(room);
      this.listener.roomsChanged();
    }
  }

  /** A large room's counts: the page shows them instead of names until a per-user event shows it small again. */
  private roomActivity(activity: RoomActivity): void {
    this.joining.get(activity.room)?.push((room) => room.noteActivity(activity));
    const room = this.rooms.get(activity.room);
    if (room === undefined) {
      return;
    }
    room.noteActivity(activity);
    this.listener.membersChanged(room);
    this.listener.typingChanged(room);
    this.listener.roomsChanged();
  }

  /**
   * A per-user event in a room the page believed large: the server announces people there again, so the room is
   * small, and who is in it is asked anew (the names held missed every join and leave while it was large).
   */
  private noteSmall(room: RoomState): void {
    if (room.large && !this.becomingSmall.has(room.name)) {
      void this.reloadPresence(room);
    }
  }

  private async reloadPresence(room: RoomState): Promise<void> {
    // Member changes that arrive while GetPresence is in flight are applied on top of its answer, as for a join.
    const overtaking: ((room: RoomState) => void)[] = [];
    this.becomingSmall.set(room.name, overtaking);
    const heard = room.activitiesHeard;
    let presence: UserPresence[];
    try {
      presence = await this.hub.GetPresence(room.name);
    } catch {
      // The connection is going: the join after the reconnect lists who is there, and the next per-user event asks again.
      return;
    } finally {
      this.becomingSmall.delete(room.name);
    }
    if (this.rooms.get(room.name) !== room || room.activitiesHeard !== heard) {
      return; // left meanwhile, or counted again since (large once more): the counts stand
    }
    room.becameSmall(presence);
    for (const apply of overtaking) {
      apply(room);
    }
    this.listener.membersChanged(room);
    this.listener.typingChanged(room);
    this.listener.roomsChanged();
  }

  private systemLine(roomName: string, text: string, at: Date): void {
    const room = this.rooms.get(roomName);
    if (room !== undefined) {
      this.listener.entriesAdded(room, [room.addSystemLine(text, at)], "live");
    }
  }
}

/** What a room.updated changed, in words after the actor's name. */
function settingsChanges(before: RoomInfo | undefined, after: RoomInfo): string[] {
  if (before === undefined) {
    return ["changed the room's settings"];
  }
  const changes: string[] = [];
  const title = after.title ?? "";
  const topic = after.topic ?? "";
  if ((before.title ?? "") !== title) {
    changes.push(title === "" ? "removed the title" : `renamed the room to “${title}”`);
  }
  if ((before.topic ?? "") !== topic) {
    changes.push(topic === "" ? "cleared the topic" : `set the topic: ${topic}`);
  }
  if (before.slowModeSeconds !== after.slowModeSeconds) {
    changes.push(after.slowModeSeconds === 0 ? "turned slow mode off" : `turned slow mode on: one message per ${after.slowModeSeconds} s`);
  }
  return changes;
}
