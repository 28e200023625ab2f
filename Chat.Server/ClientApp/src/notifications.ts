import { NotificationKinds, type ChatClient, type ChatHubProxy, type ChatMessage, type Notification as ChatNotification } from "@chat/client";
import { Limits } from "./limits";
import { button, byId, element, timeElement } from "./dom";

/** What the rest of the page hears from the notification list. */
export interface NotificationListener {
  /** The user chose a notification (in the list, or the browser's own): its room should open. */
  open(notification: ChatNotification): void;
  /** A notification arrived live (not from a page of history). */
  received(notification: ChatNotification): void;
}

/** Kinds the browser shows on its own while the page is in the background: the ones addressed to the user alone. */
const BrowserKinds: ReadonlySet<string> = new Set([NotificationKinds.Mention, NotificationKinds.Direct]);

/**
 * The user's notifications (mentions, replies, direct messages, being added to a room), newest first: the first page
 * on every (re)connect, older pages on request, new ones live. The bell counts the ones newer than the newest the
 * user has seen in the list, remembered per user in the browser (so every tab and a reload agree).
 */
export class NotificationsView {
  private items: ChatNotification[] = [];
  private reachedEnd = false;
  private loadingOlder = false;
  private seenUpTo: string;
  private readonly seenKey: string;
  private readonly area = byId<HTMLDivElement>("notifications");
  private readonly toggle = byId<HTMLButtonElement>("notifications-button");
  private readonly count = byId<HTMLSpanElement>("notifications-count");
  private readonly panel = byId<HTMLElement>("notifications-panel");
  private readonly list = byId<HTMLUListElement>("notification-list");
  private readonly empty = byId<HTMLParagraphElement>("notifications-empty");
  private readonly older = byId<HTMLButtonElement>("notifications-older");
  private readonly allow = byId<HTMLButtonElement>("browser-notifications");
  private readonly allowStatus = byId<HTMLParagraphElement>("browser-notifications-status");

  /** Calls made once: a page that is offline says so rather than waiting. */
  private readonly hub: ChatHubProxy;

  constructor(
    client: ChatClient,
    ownUserId: string,
    private readonly describeRoom: (room: string) => string,
    private readonly listener: NotificationListener,
  ) {
    this.hub = client.connection.once;
    this.seenKey = `chat.notificationsSeen.${ownUserId}`;
    this.seenUpTo = localStorage.getItem(this.seenKey) ?? "";
    client.connection.on("NotificationReceived", (notification) => this.received(notification));
    this.area.hidden = false;
    this.toggle.addEventListener("click", () => this.setOpen(this.panel.hidden));
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        this.setOpen(false);
        this.toggle.focus();
      }
    });
    this.list.addEventListener("click", (event) => {
      const id = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-id]")?.dataset["id"];
      const chosen = this.items.find((n) => n.id === id);
      if (chosen !== undefined) {
        this.setOpen(false);
        this.listener.open(chosen);
      }
    });
    // A click anywhere else puts the list away, as a menu would.
    document.addEventListener("click", (event) => {
      if (!this.panel.hidden && !this.area.contains(event.target as Node)) {
        this.setOpen(false);
      }
    });
    this.older.addEventListener("click", () => void this.loadOlder());
    this.allow.addEventListener("click", () => void this.askPermission());
    // Another tab of the user opened its list: the ones seen there are seen here too.
    window.addEventListener("storage", (event) => {
      if (event.key === this.seenKey && event.newValue !== null && event.newValue > this.seenUpTo) {
        this.seenUpTo = event.newValue;
        this.render();
      }
    });
    this.renderPermission();
    this.render();
  }

  /** After every (re)connect: the newest page again, keeping what arrived live since the page was read. */
  async reload(): Promise<void> {
    let page: ChatNotification[];
    try {
      page = await this.hub.GetNotifications(null, Limits.notificationsPage);
    } catch {
      return; // tried again on the next reconnect
    }
    // Held ones within the page's span but not in it were deleted meanwhile; older pages are read again on request.
    const newest = page[0]?.id;
    const arrived = newest === undefined ? this.items : this.items.filter((n) => n.id > newest);
    this.items = merge(arrived, page);
    this.reachedEnd = page.length < Limits.notificationsPage;
    this.render();
  }

  /** Rooms are named by their titles, which the page may learn after the list was drawn. */
  roomNamesChanged(): void {
    if (!this.panel.hidden) {
      this.render();
    }
  }

  /** A message is deleted: its notifications go (the server deletes them too, without telling). */
  messageDeleted(message: ChatMessage): void {
    const kept = this.items.filter((n) => n.messageId !== message.id);
    if (kept.length !== this.items.length) {
      this.items = kept;
      this.render();
    }
  }

  private received(notification: ChatNotification): void {
    if (this.items.some((n) => n.id === notification.id)) {
      return;
    }
    this.items = merge(this.items, [notification]);
    if (!this.panel.hidden && !document.hidden) {
      this.markSeen();
    }
    this.render();
    this.listener.received(notification);
    this.showInBrowser(notification);
  }

  private async loadOlder(): Promise<void> {
    const oldest = this.items.at(-1)?.id ?? null;
    if (this.loadingOlder || this.reachedEnd) {
      return;
    }
    this.loadingOlder = true;
    this.render();
    try {
      const page = await this.hub.GetNotifications(oldest, Limits.notificationsPage);
      this.items = merge(this.items, page);
      this.reachedEnd = page.length < Limits.notificationsPage;
    } catch {
      // The button stays: pressing it again tries again.
    } finally {
      this.loadingOlder = false;
      this.render();
    }
  }

  private setOpen(open: boolean): void {
    this.panel.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      this.markSeen();
      this.render();
    }
  }

  private markSeen(): void {
    const newest = this.items[0]?.id;
    if (newest !== undefined && newest > this.seenUpTo) {
      this.seenUpTo = newest;
      localStorage.setItem(this.seenKey, newest);
    }
  }

  private render(): void {
    const unseen = this.items.filter((n) => n.id > this.seenUpTo).length;
    this.count.textContent = unseen === 0 ? "" : String(unseen);
    this.count.hidden = unseen === 0;
    this.toggle.setAttribute("aria-label", unseen === 0 ? "Notifications" : `Notifications: ${unseen} new`);
    const focused = (document.activeElement as HTMLElement | null)?.closest<HTMLButtonElement>("button[data-id]")?.dataset["id"];
    this.list.replaceChildren(...this.items.map((n) => this.renderItem(n)));
    if (focused !== undefined) {
      this.list.querySelector<HTMLButtonElement>(`button[data-id="${CSS.escape(focused)}"]`)?.focus();
    }
    this.empty.hidden = this.items.length > 0;
    this.older.hidden = this.reachedEnd;
    this.older.disabled = this.loadingOlder;
  }

  private renderItem(notification: ChatNotification): HTMLLIElement {
    const item = element("li", `notification ${notification.kind}`);
    const open = button("notification-open", "");
    open.dataset["id"] = notification.id;
    open.append(
      element("span", "notification-title", this.title(notification)),
      " ",
      timeElement(notification.at),
    );
    if (notification.kind !== NotificationKinds.Added && notification.preview !== "") {
      open.append(element("span", "notification-preview", notification.preview));
    }
    item.append(open);
    return item;
  }

  /** What happened, in words: "bob mentioned you in general". */
  private title(notification: ChatNotification): string {
    const from = notification.fromUserName;
    switch (notification.kind) {
      case NotificationKinds.Mention:
        return `${from} mentioned you in ${this.describeRoom(notification.room)}`;
      case NotificationKinds.Reply:
        return `${from} replied to you in ${this.describeRoom(notification.room)}`;
      case NotificationKinds.Direct:
        return `${from} wrote to you`;
      case NotificationKinds.Added:
        return `${from} added you to ${notification.preview !== "" ? notification.preview : this.describeRoom(notification.room)}`;
      default:
        return `${from} in ${this.describeRoom(notification.room)}`;
    }
  }

  // ---- the browser's own notifications: only after the user asked for them, never prompted on load ----

  private async askPermission(): Promise<void> {
    if ("Notification" in window) {
      await Notification.requestPermission();
    }
    this.renderPermission();
  }

  private renderPermission(): void {
    const supported = "Notification" in window;
    const permission = supported ? Notification.permission : "denied";
    this.allow.hidden = !supported || permission !== "default";
    this.allowStatus.textContent = !supported
      ? ""
      : permission === "granted"
        ? "Mentions and direct messages also show on this device while the page is in the background."
        : permission === "denied"
          ? "This browser blocks notifications from the page: allow them in its site settings to get them."
          : "";
    this.allowStatus.hidden = this.allowStatus.textContent === "";
  }

  private showInBrowser(notification: ChatNotification): void {
    if (!document.hidden || !BrowserKinds.has(notification.kind) || !("Notification" in window) || Notification.permission !== "granted") {
      return;
    }
    const shown = new Notification(this.title(notification), { body: notification.preview, tag: notification.id });
    shown.addEventListener("click", () => {
      window.focus();
      shown.close();
      this.listener.open(notification);
    });
  }
}

/** Both lists as one, newest first, each notification once. */
function merge(a: readonly ChatNotification[], b: readonly ChatNotification[]): ChatNotification[] {
  const byId = new Map<string, ChatNotification>();
  for (const n of [...a, ...b]) {
    byId.set(n.id, n);
  }
  return [...byId.values()].sort((x, y) => (x.id < y.id ? 1 : x.id > y.id ? -1 : 0));
}
