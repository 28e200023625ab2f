import type { ChatMessage, MyRoom, ReadState } from "@chat/client";

/** What the page holds of the user's read state in one room. */
export interface RoomReadState {
  /** The server's read pointer, as last heard (or, when `assumed`, as it must be for a member who just joined). */
  lastReadSequence: number;
  /** The newest message the counts account for: a message at or below it is never counted again. */
  countedThrough: number;
  unread: number;
  mentions: number;
  /** Not from the server: any answer of the server replaces it. */
  assumed: boolean;
}

/**
 * The one owner of the unread and mention counts. The server's snapshots (ListMyRooms, MarkRead's answer,
 * ReadStateChanged) are the truth; between them the page counts what it sees itself, as the server does: others'
 * new messages after the pointer (+1, and +1 mention when they mention the user), deletes of such messages (−1), and
 * the user's own posts (the server moved the pointer to them: nothing before is unread).
 * Every method answers whether anything shown changed.
 */
export class ReadStates {
  private readonly rooms = new Map<string, RoomReadState>();

  constructor(private readonly ownUserId: string) {}

  get(room: string): RoomReadState | undefined {
    return this.rooms.get(room);
  }

  /**
   * A ListMyRooms entry: it counts the room's messages up to its lastSequence. An answer read before a move of the
   * pointer (a lower pointer), or before messages the page has counted since (same pointer, fewer messages), is
   * older than what the page holds and is dropped.
   */
  listed(mine: MyRoom): boolean {
    const held = this.rooms.get(mine.room.room);
    const counted = Math.max(mine.room.lastSequence, mine.lastReadSequence);
    if (
      held !== undefined &&
      !held.assumed &&
      (mine.lastReadSequence < held.lastReadSequence ||
        (mine.lastReadSequence === held.lastReadSequence && counted < held.countedThrough))
    ) {
      return false;
    }
    return this.set(mine.room.room, {
      lastReadSequence: mine.lastReadSequence,
      countedThrough: counted,
      unread: mine.unreadCount,
      mentions: mine.mentionCount,
      assumed: false,
    });
  }

  /**
   * MarkRead's answer or ReadStateChanged: exact when the pointer was stored, which is after every message the page
   * has received (a message is broadcast only once stored). A pointer lower than the one held is an older answer.
   */
  stored(state: ReadState): boolean {
    const held = this.rooms.get(state.room);
    if (held !== undefined && !held.assumed && state.lastReadSequence < held.lastReadSequence) {
      return false;
    }
    return this.set(state.room, {
      lastReadSequence: state.lastReadSequence,
      countedThrough: Math.max(held?.countedThrough ?? 0, state.lastReadSequence),
      unread: state.unreadCount,
      mentions: state.mentionCount,
      assumed: false,
    });
  }

  /** The page joined a room it holds no read state of: a new member's pointer starts at the room's last message. */
  joined(room: string, lastSequence: number): boolean {
    if (this.rooms.has(room)) {
      return false;
    }
    return this.set(room, { lastReadSequence: lastSequence, countedThrough: lastSequence, unread: 0, mentions: 0, assumed: true });
  }

  /** A message the page had not seen, live or recovered. */
  posted(message: ChatMessage): boolean {
    const held = this.rooms.get(message.room);
    if (held === undefined || message.sequence <= held.countedThrough) {
      return false;
    }
    if (message.senderId === this.ownUserId) {
      // Posting moved the sender's pointer to the message, without an event: nothing up to it is unread.
      return this.set(message.room, { ...held, lastReadSequence: Math.max(held.lastReadSequence, message.sequence), countedThrough: message.sequence, unread: 0, mentions: 0 });
    }
    if (message.sequence <= held.lastReadSequence || message.deletedAt !== null) {
      return this.set(message.room, { ...held, countedThrough: message.sequence });
    }
    return this.set(message.room, {
      ...held,
      countedThrough: message.sequence,
      unread: held.unread + 1,
      mentions: held.mentions + (message.mentions.includes(this.ownUserId) ? 1 : 0),
    });
  }

  /** `before`: the copy the page held of a message that is now deleted. */
  deleted(before: ChatMessage): boolean {
    const held = this.rooms.get(before.room);
    if (
      held === undefined ||
      before.deletedAt !== null ||
      before.senderId === this.ownUserId ||
      before.sequence <= held.lastReadSequence ||
      before.sequence > held.countedThrough
    ) {
      return false;
    }
    return this.set(before.room, {
      ...held,
      unread: Math.max(0, held.unread - 1),
      mentions: Math.max(0, held.mentions - (before.mentions.includes(this.ownUserId) ? 1 : 0)),
    });
  }

  forget(room: string): boolean {
    return this.rooms.delete(room);
  }

  private set(room: string, state: RoomReadState): boolean {
    const held = this.rooms.get(room);
    this.rooms.set(room, state);
    return held === undefined || held.unread !== state.unread || held.mentions !== state.mentions;
  }
}
