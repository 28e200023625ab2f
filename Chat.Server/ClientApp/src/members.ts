import { RoomEventTypes, type RoomEvent, type RoomMember } from "@chat/client";
import { Limits } from "./limits";
import { button, byId, element, formatCount } from "./dom";
import { describeError } from "./errors";
import type { Member, RoomState } from "./room";

function messageButton(userId: string, userName: string): HTMLButtonElement {
  const message = button("message-member", "Message", `Message ${userName}`);
  message.dataset["userId"] = userId;
  return message;
}

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
    item.append(" ", messageButton(member.userId, member.userName));
  }
  return item;
}

/** A lasting member of a big room: name and role; whether they are online is not known one by one there. */
function renderLasting(member: RoomMember, ownUserId: string, offerDirect: boolean): HTMLLIElement {
  const item = element("li", "member lasting");
  item.dataset["userId"] = member.userId;
  const own = member.userId === ownUserId;
  item.append(element("span", "member-name", own ? `${member.userName} (you)` : member.userName));
  if (member.role !== "member") {
    item.append(" ", element("span", "member-status", member.role));
  }
  if (offerDirect && !own) {
    item.append(" ", messageButton(member.userId, member.userName));
  }
  return item;
}

/** The lasting members of a big room as far as they were paged in ("Show more"). */
interface MemberPages {
  room: string;
  /** By user id, as GetMembers pages them. */
  members: RoomMember[];
  /** A page came back short: every member is here. */
  complete: boolean;
  loading: boolean;
}

/**
 * The members of the room in view, online first; folded away on narrow screens. Each other member's "Message"
 * starts (or opens again) the direct conversation with them.
 *
 * A big room (more online than a join lists, or one the server counts instead of announcing: RoomActivity) shows
 * its count and says the list is partial, or in a large room shows no one online by name at all, since nobody's
 * coming and going is told there. Its lasting members can be paged through instead ("Show all members", then "Show
 * more": GetMembers, 50 at a time), asked for only when wanted, since a big room's every page asking at once is
 * what a big room cannot afford.
 */
export class MembersView {
  private readonly list = byId<HTMLUListElement>("member-list");
  private readonly count = byId<HTMLSpanElement>("member-count");
  private readonly note = byId<HTMLParagraphElement>("member-note");
  private readonly all = byId<HTMLDivElement>("all-members");
  private readonly allList = byId<HTMLUListElement>("all-member-list");
  private readonly more = byId<HTMLButtonElement>("all-members-more");
  private readonly error = byId<HTMLParagraphElement>("all-members-error");
  private room: RoomState | undefined;
  private direct = false;
  private offerDirect = false;
  private pages: MemberPages | undefined;

  constructor(
    private readonly ownUserId: string,
    private readonly loadPage: (room: string, after: string | null) => Promise<RoomMember[]>,
    openDirect: (userId: string) => void,
  ) {
    // Same breakpoint as chat.css: below it the member list starts folded.
    if (matchMedia("(max-width: 760px)").matches) {
      byId<HTMLDetailsElement>("members-panel").open = false;
    }
    for (const list of [this.list, this.allList]) {
      list.addEventListener("click", (event) => {
        const userId = (event.target as HTMLElement).closest<HTMLButtonElement>("button.message-member")?.dataset["userId"];
        if (userId !== undefined) {
          openDirect(userId);
        }
      });
    }
    this.more.addEventListener("click", () => void this.loadMore());
  }

  /** `direct`: the room is a direct conversation already, so nobody in it is offered another. */
  render(room: RoomState | undefined, direct = false): void {
    if (this.pages !== undefined && this.pages.room !== room?.name) {
      this.pages = undefined;
      this.error.textContent = "";
    }
    this.room = room;
    this.direct = direct;
    this.offerDirect = !direct && room?.removal === undefined;
    this.count.textContent = room === undefined ? "" : `(${formatCount(room.onlineCount)} online)`;
    if (room?.large === true) {
      this.note.textContent = "A big room: people here are counted, not listed as they come and go.";
    } else if (room !== undefined && room.unlistedCount > 0) {
      this.note.textContent = `…and ${formatCount(room.unlistedCount)} more online.`;
    } else {
      this.note.textContent = "";
    }
    this.note.hidden = this.note.textContent === "";
    // A large room's names are the ones its join listed, unchanged since: who has left is not known.
    const members = room === undefined || room.large ? [] : [...room.members.values()];
    members.sort((a, b) => (a.status === b.status ? a.userName.localeCompare(b.userName) : a.status === "online" ? -1 : 1));
    const focused = this.focusedUser(this.list);
    this.list.replaceChildren(...members.map((member) => renderMember(member, this.ownUserId, this.offerDirect)));
    this.refocus(this.list, focused);
    this.renderAll();
  }

  /** A member.* change: the members paged in so far follow it (one who left goes, one who came is put in order). */
  membershipChanged(event: RoomEvent): void {
    const pages = this.pages;
    const member = event.member;
    if (pages === undefined || member === undefined || member === null || event.room !== pages.room) {
      return;
    }
    const index = pages.members.findIndex((m) => m.userId === member.userId);
    if (event.type === RoomEventTypes.MemberRemoved) {
      if (index >= 0) {
        pages.members.splice(index, 1);
      }
    } else if (index >= 0) {
      pages.members[index] = member;
    } else if (event.type === RoomEventTypes.MemberAdded) {
      // Among the pages loaded, or after them once all are: one that sorts later comes with a later page.
      const after = pages.members.findIndex((m) => m.userId > member.userId);
      if (after >= 0) {
        pages.members.splice(after, 0, member);
      } else if (pages.complete) {
        pages.members.push(member);
      }
    }
    this.renderAll();
  }

  private renderAll(): void {
    const room = this.room;
    // A direct conversation is two people; a removed user may not ask for the room's members any more.
    this.all.hidden = room === undefined || !room.big || room.removal !== undefined || this.direct;
    const pages = this.pages;
    const focused = this.focusedUser(this.allList);
    this.allList.replaceChildren(...(pages?.members ?? []).map((member) => renderLasting(member, this.ownUserId, this.offerDirect)));
    this.refocus(this.allList, focused);
    this.more.hidden = pages?.complete === true;
    this.more.textContent = pages?.loading === true ? "Loading…" : pages === undefined ? "Show all members" : "Show more";
  }

  private async loadMore(): Promise<void> {
    const room = this.room;
    if (room === undefined || this.pages?.loading === true || this.pages?.complete === true) {
      return;
    }
    const pages: MemberPages = this.pages ?? { room: room.name, members: [], complete: false, loading: false };
    this.pages = pages;
    pages.loading = true;
    this.error.textContent = "";
    this.renderAll();
    try {
      const page = await this.loadPage(pages.room, pages.members.at(-1)?.userId ?? null);
      // A member.added seen meanwhile may be in the page already.
      const held = new Set(pages.members.map((m) => m.userId));
      pages.members.push(...page.filter((m) => !held.has(m.userId)));
      pages.complete = page.length < Limits.membersPanelPage;
    } catch (error) {
      if (this.pages === pages) {
        this.error.textContent = describeError(error);
      }
    } finally {
      pages.loading = false;
    }
    if (this.pages === pages) {
      this.renderAll();
    }
  }

  /** The member whose "Message" has the focus: a list redrawn under it gives it back. */
  private focusedUser(list: HTMLUListElement): string | undefined {
    const active = document.activeElement as HTMLElement | null;
    return active !== null && list.contains(active) ? active.closest<HTMLButtonElement>("button.message-member")?.dataset["userId"] : undefined;
  }

  private refocus(list: HTMLUListElement, userId: string | undefined): void {
    if (userId !== undefined) {
      list.querySelector<HTMLButtonElement>(`button.message-member[data-user-id="${CSS.escape(userId)}"]`)?.focus();
    }
  }
}
