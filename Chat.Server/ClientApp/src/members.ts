import { button, byId, element } from "./dom";
import type { Member, RoomState } from "./room";

function renderMember(member: Member, ownUserId: string, offerDirect: boolean): HTMLLIElement {
  const item = element("li", `member ${member.status}`);
  item.dataset["userId"] = member.userId;
  const own = member.userId === ownUserId;
  item.append(
    element("span", "dot"),
    element("span", "member-name", own ? `${member.userName} (you)` : member.userName),
    " ",
    element("span", "member-status", member.status),
  );
  if (offerDirect && !own) {
    const message = button("message-member", "Message", `Message ${member.userName}`);
    message.dataset["userId"] = member.userId;
    item.append(" ", message);
  }
  return item;
}

/**
 * The members of the room in view, online first; folded away on narrow screens. Each other member's "Message"
 * starts (or opens again) the direct conversation with them.
 */
export class MembersView {
  private readonly list = byId<HTMLUListElement>("member-list");
  private readonly count = byId<HTMLSpanElement>("member-count");

  constructor(
    private readonly ownUserId: string,
    openDirect: (userId: string) => void,
  ) {
    // Same breakpoint as chat.css: below it the member list starts folded.
    if (matchMedia("(max-width: 760px)").matches) {
      byId<HTMLDetailsElement>("members-panel").open = false;
    }
    this.list.addEventListener("click", (event) => {
      const userId = (event.target as HTMLElement).closest<HTMLButtonElement>("button.message-member")?.dataset["userId"];
      if (userId !== undefined) {
        openDirect(userId);
      }
    });
  }

  /** `direct`: the room is a direct conversation already, so nobody in it is offered another. */
  render(room: RoomState | undefined, direct = false): void {
    const members = [...(room?.members.values() ?? [])].sort(
      (a, b) => (a.status === b.status ? a.userName.localeCompare(b.userName) : a.status === "online" ? -1 : 1),
    );
    this.count.textContent = room === undefined ? "" : `(${room.onlineCount} online)`;
    const focused = (document.activeElement as HTMLElement | null)?.closest<HTMLButtonElement>("button.message-member")?.dataset["userId"];
    this.list.replaceChildren(...members.map((member) => renderMember(member, this.ownUserId, !direct && room?.removal === undefined)));
    if (focused !== undefined) {
      this.list.querySelector<HTMLButtonElement>(`button.message-member[data-user-id="${CSS.escape(focused)}"]`)?.focus();
    }
  }
}
