import { type ChatMessage, type ReadReceipt, type RoomActivity, type UserPresence } from "@chat/client";
import { Limits } from "./limits";
import type { Removal } from "./membership";

export interface MessageEntry {
  kind: "message";
  key: number;
  /** The newest copy the page has (the highest eventSequence seen for it). */
  message: ChatMessage;
}

export interface SystemEntry {
  kind: "system";
  key: number;
  text: string;
  at: Date;
}

/** One line of a room's timeline: a message, or a system line (joins, leaves) placed after the message it followed. */
export type TimelineEntry = MessageEntry | SystemEntry;

export interface Placed {
  entry: TimelineEntry;
  index: number;
}

/** What a message copy did to the timeline. */
export type Upsert =
  | { kind: "added"; placed: Placed }
  | { kind: "changed"; entry: MessageEntry }
  | { kind: "ignored" };

/** A large room's figures, as its latest RoomActivity told them. */
export interface Activity {
  memberCount: number;
  typingCount: number;
}

export interface Member {
  userId: string;
  userName: string;
  status: "online" | "offline";
}

/**
 * What the page knows of one joined room. Each message is kept once (by id) in sequence order, as its newest copy:
 * whichever way a copy arrives (live, join page, older pages, recovery), an older one never overwrites a newer.
 */
export class RoomState {
  readonly entries: TimelineEntry[] = [];
  readonly members = new Map<string, Member>();
  /** Users online in the room whom the join did not list (a big room). */
  private unlisted = 0;
  readonly typing = new Map<string, string>();
  /**
   * Set while the server counts the room instead of announcing its people (a RoomActivity came, and no per-user event
   * since): nobody's join, leave, presence or typing reaches the page, so the names it holds go stale and the counts
   * are what it shows.
   */
  activity: Activity | undefined;
  /** How many RoomActivity the room has had: an answer asked for before the latest one may be out of date. */
  activitiesHeard = 0;
  /** How far each member has read, by user id ("seen by"); undefined until the server told of any. */
  receipts: Map<string, ReadReceipt> | undefined;
  /** GetReadReceipts answered since the latest join (live changes alone may have missed some). */
  receiptsFetched = false;
  receiptsLoading: Promise<void> | undefined;
  /** No older history exists before the first message shown. */
  reachedStart = false;
  /** The GetHistory of an older page in flight: one at a time, whoever asked (scrolling up, showing a message). */
  olderPage: Promise<void> | undefined;
  /** Set once the user is no longer a member: the page keeps showing what it had, and says why. */
  removal: Removal | undefined;
  private readonly byId = new Map<string, MessageEntry>();
  private lastLeft: Member | undefined;

  constructor(readonly name: string) {}

  get loadingOlder(): boolean {
    return this.olderPage !== undefined;
  }

  get oldestSequence(): number | undefined {
    return this.entries.find((e) => e.kind === "message")?.key;
  }

  message(id: string): ChatMessage | undefined {
    return this.byId.get(id)?.message;
  }

  /** Messages in the timeline that answer the given one. */
  repliesTo(id: string): MessageEntry[] {
    return this.entries.filter((e): e is MessageEntry => e.kind === "message" && e.message.replyTo?.id === id);
  }

  /** Own messages, newest first. */
  messagesBy(userId: string): ChatMessage[] {
    const own: ChatMessage[] = [];
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i]!;
      if (entry.kind === "message" && entry.message.senderId === userId) {
        own.push(entry.message);
      }
    }
    return own;
  }

  /**
   * Keeps the copy if it is new or newer than the one held. A message the page never had joins the timeline when
   * `older` allows it (a history page) or when it is newer than the first message shown: a change to a message above
   * the loaded history is left for the history page that brings it, as it is by then.
   */
  upsert(message: ChatMessage, older: boolean): Upsert {
    const held = this.byId.get(message.id);
    if (held !== undefined) {
      if (message.eventSequence <= held.message.eventSequence) {
        return { kind: "ignored" };
      }
      held.message = message;
      return { kind: "changed", entry: held };
    }
    const oldest = this.oldestSequence;
    if (!older && oldest !== undefined && message.sequence < oldest) {
      return { kind: "ignored" };
    }
    const entry: MessageEntry = { kind: "message", key: message.sequence, message };
    this.byId.set(message.id, entry);
    return { kind: "added", placed: { entry, index: this.insert(entry) } };
  }

  /** The newest message of the timeline (a tombstone too): what the user sees last. */
  get lastMessage(): ChatMessage | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i]!;
      if (entry.kind === "message") {
        return entry.message;
      }
    }
    return undefined;
  }

  /** Keeps a member's receipt if it is further than the one held (a fetch and live changes may cross). True if kept. */
  noteReceipt(receipt: ReadReceipt): boolean {
    this.receipts ??= new Map();
    const held = this.receipts.get(receipt.userId);
    if (held !== undefined && held.lastReadSequence >= receipt.lastReadSequence) {
      return false;
    }
    this.receipts.set(receipt.userId, receipt);
    return true;
  }

  /** Starts over from a join's snapshot: the timeline is rebuilt from what comes next. */
  reset(firstSequence: number | undefined, lastSequence: number): void {
    this.entries.length = 0;
    this.byId.clear();
    this.reachedStart = (firstSequence ?? lastSequence + 1) <= 1;
  }

  addSystemLine(text: string, at: Date): Placed {
    // Half a step after the newest message: it stays after it, and before anything sent later.
    const entry: SystemEntry = { kind: "system", key: this.newestSequence() + 0.5, text, at };
    return { entry, index: this.insert(entry) };
  }

  /**
   * A join lists at most 100 users of a big room and counts them all (`memberCount`): those not listed are counted
   * here, so that the room's online count stays right while its list shows some of them.
   */
  setMembers(members: readonly UserPresence[], memberCount: number = members.length): void {
    this.members.clear();
    for (const member of members) {
      this.members.set(member.userId, { userId: member.userId, userName: member.userName, status: member.status });
    }
    this.unlisted = Math.max(0, memberCount - members.length);
    if (this.activity !== undefined) {
      // A join's count is newer than the last RoomActivity; the room stays large until a per-user event says otherwise.
      this.activity = { ...this.activity, memberCount };
    }
  }

  /** The server counts the room from now on: the typists named so far will not be told to stop. */
  noteActivity(activity: RoomActivity): void {
    this.activity = { memberCount: activity.memberCount, typingCount: activity.typingCount };
    this.activitiesHeard++;
    this.typing.clear();
  }

  /**
   * The room is small again: who is online, as GetPresence answered. An answer as long as the server lists at most may
   * leave people out; the last count heard stands for them until joins and leaves correct it.
   */
  becameSmall(presence: readonly UserPresence[]): void {
    const counted = this.activity?.memberCount ?? 0;
    this.activity = undefined;
    this.setMembers(presence, presence.length < Limits.maxPresenceListed ? presence.length : Math.max(presence.length, counted));
  }

  /** The server counts the room's people instead of announcing them (RoomActivity). */
  get large(): boolean {
    return this.activity !== undefined;
  }

  /** More people are online than the page lists: a large room, or one whose join listed only some. */
  get big(): boolean {
    return this.large || this.unlisted > 0;
  }

  /** Users online whom the page does not list (counted by the join, not named). */
  get unlistedCount(): number {
    return this.unlisted;
  }

  memberJoined(userId: string, userName: string): void {
    this.members.set(userId, { userId, userName, status: "online" });
  }

  memberLeft(userId: string): void {
    this.lastLeft = this.members.get(userId);
    if (!this.members.delete(userId)) {
      this.unlisted = Math.max(0, this.unlisted - 1);
    }
    this.typing.delete(userId);
  }

  /**
   * The server announces a user's last disconnect as UserLeft, then PresenceChanged(offline): such a member stays
   * listed as offline rather than vanishing, until they come back.
   */
  presenceChanged(userId: string, userName: string, status: "online" | "offline"): void {
    const member = this.members.get(userId) ?? (this.lastLeft?.userId === userId ? { userId, userName, status } : undefined);
    if (member === undefined) {
      return;
    }
    member.status = status;
    this.members.set(userId, member);
    if (status === "offline") {
      this.typing.delete(userId);
    }
  }

  get onlineCount(): number {
    if (this.activity !== undefined) {
      return this.activity.memberCount;
    }
    let count = this.unlisted;
    for (const member of this.members.values()) {
      if (member.status === "online") {
        count++;
      }
    }
    return count;
  }

  /** Everyone the page knows by name in this room: members, and the senders of the messages shown. */
  knownUsers(): Map<string, string> {
    const users = new Map<string, string>();
    for (const entry of this.entries) {
      if (entry.kind === "message") {
        users.set(entry.message.senderId, entry.message.senderName);
      }
    }
    // Presence wins: it is who is here now, under the id the server uses for them.
    for (const member of this.members.values()) {
      users.set(member.userId, member.userName);
    }
    return users;
  }

  private newestSequence(): number {
    return this.lastMessage?.sequence ?? 0;
  }

  private insert(entry: TimelineEntry): number {
    // Upper bound: equal keys keep arrival order (several system lines after one message).
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle]!.key <= entry.key) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    this.entries.splice(low, 0, entry);
    return low;
  }
}
