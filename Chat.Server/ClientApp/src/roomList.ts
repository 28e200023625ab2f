import type { RoomKinds } from "@chat/client";
import { byId, element } from "./dom";
import type { ChatStore } from "./store";

interface RoomListItem {
  room: string;
  label: string;
  kind: RoomKinds | undefined;
  /** Undefined: not worth showing (a direct room has two). */
  memberCount: number | undefined;
  joined: boolean;
  inView: boolean;
  unread: number;
  /** Of the unread, those that mention the user. */
  mentions: number;
}

const KindText: Record<RoomKinds, string> = { public: "public", private: "private", direct: "direct" };

function renderRoom(room: RoomListItem): HTMLLIElement {
  const item = element("li");
  const button = element("button", room.joined ? "room joined" : "room");
  button.type = "button";
  button.dataset["room"] = room.room;
  if (room.kind !== undefined) {
    button.dataset["kind"] = room.kind;
  }
  if (room.inView) {
    button.setAttribute("aria-current", "true");
  }
  button.append(element("span", "room-name", room.label));
  // Kind and count share the line under the name.
  const meta = element("span", "room-meta");
  if (room.kind !== undefined) {
    meta.append(element("span", `room-kind ${room.kind}`, KindText[room.kind]));
  }
  if (room.memberCount !== undefined) {
    const members = `${room.memberCount} ${room.memberCount === 1 ? "member" : "members"}`;
    meta.append(meta.childElementCount > 0 ? " " : "", element("span", "member-count", members));
  }
  button.append(" ", meta);
  if (room.mentions > 0) {
    // A mention asks for the user themselves: it stands apart from the plain count.
    const badge = element("span", "mention-count", `@${room.mentions}`);
    badge.setAttribute("aria-label", `${room.mentions} ${room.mentions === 1 ? "mention" : "mentions"}`);
    badge.title = badge.getAttribute("aria-label")!;
    button.append(" ", badge);
  }
  if (room.unread > 0) {
    const badge = element("span", "unread", String(room.unread));
    badge.setAttribute("aria-label", `${room.unread} unread`);
    badge.title = `${room.unread} unread`;
    button.append(" ", badge);
  }
  item.append(button);
  return item;
}

/**
 * Two lists. "Your rooms": the user's rooms (ListMyRooms: rooms, private rooms and direct conversations, newest
 * activity first, each with its kind) and any other room joined on this page, with unread and mention badges (the
 * server's counts, kept by the store). "Public rooms":
 * every other room with members or history (ListRooms). The one in view is marked; choosing a room opens it.
 */
export class RoomListView {
  private readonly mine = byId<HTMLUListElement>("room-list");
  private readonly others = byId<HTMLUListElement>("public-room-list");
  private readonly othersTitle = byId<HTMLHeadingElement>("public-rooms-title");

  constructor(
    private readonly store: ChatStore,
    open: (room: string) => void,
  ) {
    const clicked = (event: MouseEvent): void => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-room]");
      if (button?.dataset["room"] !== undefined) {
        open(button.dataset["room"]);
      }
    };
    this.mine.addEventListener("click", clicked);
    this.others.addEventListener("click", clicked);
  }

  render(): void {
    const store = this.store;
    const mine = new Map<string, RoomListItem>();
    const item = (name: string): RoomListItem => {
      const info = store.infos.get(name);
      const joined = store.rooms.get(name);
      const kind = info?.kind;
      return {
        room: name,
        label: store.displayName(name),
        kind,
        // Joined rooms count who is there now (live); the others the lasting members the server last said.
        memberCount: kind === "direct" ? undefined : (joined?.onlineCount ?? info?.memberCount ?? 0),
        joined: joined !== undefined,
        inView: joined !== undefined && joined === store.inView,
        ...store.badges(name),
      };
    };
    for (const name of store.myRooms.keys()) {
      mine.set(name, item(name));
    }
    for (const name of store.rooms.keys()) {
      if (!mine.has(name)) {
        mine.set(name, item(name));
      }
    }
    const others = store.summaries
      .filter((s) => !mine.has(s.room))
      .map((s): RoomListItem => ({ room: s.room, label: s.room, kind: undefined, memberCount: s.memberCount, joined: false, inView: false, unread: 0, mentions: 0 }))
      .sort((a, b) => a.room.localeCompare(b.room));

    const focused = (document.activeElement as HTMLElement | null)?.dataset?.["room"];
    this.mine.replaceChildren(...[...mine.values()].map(renderRoom));
    this.others.replaceChildren(...others.map(renderRoom));
    this.othersTitle.hidden = others.length === 0;
    // Re-rendering must not take the keyboard user's place away.
    if (focused !== undefined) {
      document.querySelector<HTMLButtonElement>(`.rooms button[data-room="${CSS.escape(focused)}"]`)?.focus();
    }
  }
}
