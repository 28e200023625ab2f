import { byId, element } from "./dom";
import type { ChatStore } from "./store";

interface RoomListItem {
  room: string;
  memberCount: number;
  joined: boolean;
  inView: boolean;
  unread: number;
}

function renderRoom(room: RoomListItem): HTMLLIElement {
  const item = element("li");
  const button = element("button", room.joined ? "room joined" : "room");
  button.type = "button";
  button.dataset["room"] = room.room;
  if (room.inView) {
    button.setAttribute("aria-current", "true");
  }
  const members = `${room.memberCount} ${room.memberCount === 1 ? "member" : "members"}`;
  button.append(element("span", "room-name", room.room), " ", element("span", "member-count", members));
  if (room.unread > 0) {
    const badge = element("span", "unread", String(room.unread));
    badge.setAttribute("aria-label", `${room.unread} unread`);
    button.append(" ", badge);
  }
  item.append(button);
  return item;
}

/**
 * Every room with members or history (ListRooms) and the joined ones (live member counts, unread badges); the one in
 * view is marked. Choosing a room opens it.
 */
export class RoomListView {
  private readonly list = byId<HTMLUListElement>("room-list");

  constructor(
    private readonly store: ChatStore,
    open: (room: string) => void,
  ) {
    this.list.addEventListener("click", (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-room]");
      if (button?.dataset["room"] !== undefined) {
        open(button.dataset["room"]);
      }
    });
  }

  render(): void {
    const items = new Map<string, RoomListItem>();
    for (const summary of this.store.summaries) {
      items.set(summary.room, { room: summary.room, memberCount: summary.memberCount, joined: false, inView: false, unread: 0 });
    }
    for (const room of this.store.rooms.values()) {
      items.set(room.name, { room: room.name, memberCount: room.onlineCount, joined: true, inView: room === this.store.inView, unread: room.unread });
    }
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.["room"];
    this.list.replaceChildren(...[...items.values()].sort((a, b) => a.room.localeCompare(b.room)).map(renderRoom));
    // Re-rendering must not take the keyboard user's place away.
    if (focused !== undefined) {
      this.list.querySelector<HTMLButtonElement>(`button[data-room="${CSS.escape(focused)}"]`)?.focus();
    }
  }
}
