import { byId, distanceFromBottom } from "./dom";
import type { RoomState } from "./room";

/** Names listed before the rest are only counted. */
const MaxNames = 5;

/**
 * "Seen by" under the last message of the room in view: the members (not the user, not the message's sender) whose
 * read pointer has reached it. Only rooms small enough for receipts have any; in others the line stays empty.
 */
export class SeenByView {
  private readonly line = byId<HTMLParagraphElement>("seen-by");
  private readonly scroller = byId<HTMLDivElement>("messages");

  constructor(private readonly ownUserId: string) {}

  render(room: RoomState | undefined): void {
    const last = room?.lastMessage;
    const names =
      last === undefined || room?.receipts === undefined
        ? []
        : [...room.receipts.values()]
            .filter((r) => r.userId !== this.ownUserId && r.userId !== last.senderId && r.lastReadSequence >= last.sequence)
            .map((r) => r.userName)
            .sort((a, b) => a.localeCompare(b));
    const text = names.length === 0 ? "" : `Seen by ${listed(names)}`;
    if (text === this.line.textContent) {
      return;
    }
    // The line sits under the last message: a reader at the bottom stays at the bottom.
    const atBottom = distanceFromBottom(this.scroller) < 48;
    this.line.textContent = text;
    this.line.hidden = text === "";
    if (atBottom) {
      this.scroller.scrollTop = this.scroller.scrollHeight;
    }
  }
}

function listed(names: readonly string[]): string {
  if (names.length > MaxNames) {
    const others = names.length - MaxNames;
    return `${names.slice(0, MaxNames).join(", ")} and ${others} ${others === 1 ? "other" : "others"}`;
  }
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names.at(-1)!}`;
}
