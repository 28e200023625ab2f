import { byId, formatCount } from "./dom";
import type { RoomState } from "./room";

/** "bob is typing…", "bob and carol are typing…", "bob, carol and dave are typing…", "5 people are typing…". */
export function typingText(names: readonly string[]): string {
  const sorted = [...names].sort((a, b) => a.localeCompare(b));
  switch (sorted.length) {
    case 0:
      return "";
    case 1:
      return `${sorted[0]} is typing…`;
    case 2:
      return `${sorted[0]} and ${sorted[1]} are typing…`;
    case 3:
      return `${sorted[0]}, ${sorted[1]} and ${sorted[2]} are typing…`;
    default:
      return `${sorted.length} people are typing…`;
  }
}

/** A large room's typists by number alone ("12 typing…"): the server names nobody there. */
export function typingCountText(count: number): string {
  return count === 0 ? "" : `${formatCount(count)} typing…`;
}

/** Who else is typing in the room in view; in a large room, how many are. */
export class TypingView {
  private readonly line = byId<HTMLParagraphElement>("typing");

  render(room: RoomState | undefined): void {
    this.line.textContent =
      room?.activity !== undefined ? typingCountText(room.activity.typingCount) : typingText([...(room?.typing.values() ?? [])]);
  }
}
