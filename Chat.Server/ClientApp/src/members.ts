import { byId, element } from "./dom";
import type { Member, RoomState } from "./room";

function renderMember(member: Member, ownUserId: string): HTMLLIElement {
  const item = element("li", `member ${member.status}`);
  item.dataset["userId"] = member.userId;
  item.append(
    element("span", "dot"),
    element("span", "member-name", member.userId === ownUserId ? `${member.userName} (you)` : member.userName),
    " ",
    element("span", "member-status", member.status),
  );
  return item;
}

/** The members of the room in view, online first; folded away on narrow screens. */
export class MembersView {
  private readonly list = byId<HTMLUListElement>("member-list");
  private readonly count = byId<HTMLSpanElement>("member-count");

  constructor(private readonly ownUserId: string) {
    // Same breakpoint as chat.css: below it the member list starts folded.
    if (matchMedia("(max-width: 760px)").matches) {
      byId<HTMLDetailsElement>("members-panel").open = false;
    }
  }

  render(room: RoomState | undefined): void {
    const members = [...(room?.members.values() ?? [])].sort(
      (a, b) => (a.status === b.status ? a.userName.localeCompare(b.userName) : a.status === "online" ? -1 : 1),
    );
    this.count.textContent = room === undefined ? "" : `(${room.onlineCount} online)`;
    this.list.replaceChildren(...members.map((member) => renderMember(member, this.ownUserId)));
  }
}
