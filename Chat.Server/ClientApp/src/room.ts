import type { ChatMessage, UserPresence } from "./contracts";

/** One line of a room's timeline: a message, or a system line (joins, leaves) placed after the message it followed. */
export type TimelineEntry =
  | { kind: "message"; key: number; message: ChatMessage }
  | { kind: "system"; key: number; text: string; at: Date };

export interface Member {
  userId: string;
  userName: string;
  status: "online" | "offline";
}

/**
 * What the page knows of one joined room. Messages are kept once per sequence and in sequence order, whatever
 * order they arrive in (live, join page, older pages, recovery), so the user sees every message once, in order.
 */
export class RoomState {
  readonly entries: TimelineEntry[] = [];
  readonly members = new Map<string, Member>();
  readonly typing = new Map<string, string>();
  unread = 0;
  /** Every sequence up to here is known (or was before the first page the user loaded). */
  caughtUpTo = 0;
  /** No older history exists before the first message shown. */
  reachedStart = false;
  loadingOlder = false;
  recovery: Promise<void> | undefined;
  private readonly sequences = new Set<number>();
  private lastLeft: Member | undefined;

  constructor(readonly name: string) {}

  get oldestSequence(): number | undefined {
    return this.entries.find((e) => e.kind === "message")?.key;
  }

  /** Adds the messages not seen before; returns each new entry with the index it took. */
  addMessages(messages: readonly ChatMessage[]): { entry: TimelineEntry; index: number }[] {
    const added: { entry: TimelineEntry; index: number }[] = [];
    for (const message of messages) {
      if (this.sequences.has(message.sequence)) {
        continue;
      }
      this.sequences.add(message.sequence);
      const entry: TimelineEntry = { kind: "message", key: message.sequence, message };
      added.push({ entry, index: this.insert(entry) });
    }
    while (this.sequences.has(this.caughtUpTo + 1)) {
      this.caughtUpTo++;
    }
    return added;
  }

  /** True when the message is ahead of what is known: something in between was missed. */
  hasGapBefore(sequence: number): boolean {
    return sequence > this.caughtUpTo + 1;
  }

  addSystemLine(text: string, at: Date): { entry: TimelineEntry; index: number } {
    // Half a step after the newest message: it stays after it, and before anything sent later.
    const entry: TimelineEntry = { kind: "system", key: this.newestKnownSequence() + 0.5, text, at };
    return { entry, index: this.insert(entry) };
  }

  setMembers(members: readonly UserPresence[]): void {
    this.members.clear();
    for (const member of members) {
      this.members.set(member.userId, { userId: member.userId, userName: member.userName, status: member.status });
    }
  }

  memberJoined(userId: string, userName: string): void {
    this.members.set(userId, { userId, userName, status: "online" });
  }

  memberLeft(userId: string): void {
    this.lastLeft = this.members.get(userId);
    this.members.delete(userId);
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
    let count = 0;
    for (const member of this.members.values()) {
      if (member.status === "online") {
        count++;
      }
    }
    return count;
  }

  private newestKnownSequence(): number {
    let newest = 0;
    for (const sequence of this.sequences) {
      newest = Math.max(newest, sequence);
    }
    return newest;
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
