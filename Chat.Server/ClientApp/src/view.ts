import type { Member, TimelineEntry } from "./room";

// Everything that comes from the network is put on the page with textContent: never as HTML.

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) {
    throw new Error(`#${id} is missing from index.html`);
  }
  return element as T;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (className !== undefined) {
    created.className = className;
  }
  if (text !== undefined) {
    created.textContent = text;
  }
  return created;
}

/** A time in the user's own time zone and locale, with the full date on hover. */
function timeElement(at: Date | string): HTMLTimeElement {
  const date = at instanceof Date ? at : new Date(at);
  const time = element("time", undefined, timeFormat.format(date));
  time.dateTime = date.toISOString();
  time.title = fullTimeFormat.format(date);
  return time;
}

export function renderEntry(entry: TimelineEntry, ownUserId: string): HTMLLIElement {
  if (entry.kind === "system") {
    const line = element("li", "system");
    line.append(element("span", "system-text", entry.text), " ", timeElement(entry.at));
    return line;
  }

  const { message } = entry;
  const own = message.senderId === ownUserId;
  const item = element("li", own ? "message own" : "message");
  item.dataset["sequence"] = String(message.sequence);
  const meta = element("div", "meta");
  meta.append(element("span", "sender", own ? `${message.senderName} (you)` : message.senderName), " ", timeElement(message.sentAt));
  item.append(meta, element("p", "content", message.content));
  return item;
}

export function renderMember(member: Member, ownUserId: string): HTMLLIElement {
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

export interface RoomListItem {
  room: string;
  memberCount: number;
  joined: boolean;
  inView: boolean;
  unread: number;
}

export function renderRoom(room: RoomListItem): HTMLLIElement {
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
