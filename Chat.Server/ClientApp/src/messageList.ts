import type { FileFetcher } from "./attachments";
import type { ChatMessage } from "@chat/client";
import { byId, distanceFromBottom } from "./dom";
import { describeError, type ErrorWords } from "./errors";
import { renderEntry, type MessageContext } from "./message";
import type { MessageEntry, Placed, RoomState, TimelineEntry } from "./room";
import type { ChatStore } from "./store";

const NearBottomPx = 48;

/** What the message list hands over to the composer. */
export interface ComposerRequests {
  reply(message: ChatMessage): void;
  edit(message: ChatMessage): void;
  showError(text: string): void;
}

/**
 * The room in view's timeline: messages and system lines in order, older pages on scrolling up, and each message's
 * actions (reply, react, edit, delete). A changed message is re-drawn in place, keeping the keyboard focus on it.
 */
export class MessageListView {
  private room: RoomState | undefined;
  private readonly items = new Map<string, HTMLLIElement>();
  private pickerFor: string | undefined;
  private confirmingDeleteOf: string | undefined;
  private readonly scroller = byId<HTMLDivElement>("messages");
  private readonly list = byId<HTMLOListElement>("message-list");
  private readonly loadOlderButton = byId<HTMLButtonElement>("load-older");

  constructor(
    private readonly store: ChatStore,
    private readonly ownUserId: string,
    private readonly composer: ComposerRequests,
    private readonly fetchFile: FileFetcher,
  ) {
    this.loadOlderButton.addEventListener("click", () => void this.loadOlder());
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        void this.loadOlder();
      }
    }, { root: this.scroller }).observe(this.loadOlderButton);
    this.list.addEventListener("click", (event) => void this.clicked(event));
    this.list.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.pickerFor !== undefined) {
        const id = this.pickerFor;
        this.pickerFor = undefined;
        this.redraw(id, "react");
      } else if (event.key === "Escape" && this.confirmingDeleteOf !== undefined) {
        const id = this.confirmingDeleteOf;
        this.confirmingDeleteOf = undefined;
        this.redraw(id, "delete");
      }
    });
  }

  show(room: RoomState | undefined): void {
    this.room = room;
    this.pickerFor = undefined;
    this.confirmingDeleteOf = undefined;
    this.items.clear();
    const known = room?.knownUsers() ?? new Map<string, string>();
    this.list.replaceChildren(...(room?.entries.map((entry) => this.render(entry, known)) ?? []));
    this.updateLoadOlder();
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /** Draws every message again where it is (what the user may do with them changed), keeping the scroll position. */
  redrawAll(): void {
    const top = this.scroller.scrollTop;
    const room = this.room;
    this.items.clear();
    const known = room?.knownUsers() ?? new Map<string, string>();
    this.list.replaceChildren(...(room?.entries.map((entry) => this.render(entry, known)) ?? []));
    this.scroller.scrollTop = top;
  }

  entriesAdded(room: RoomState, added: readonly Placed[], cause: "live" | "history"): void {
    if (room !== this.room) {
      return;
    }
    const wasNearBottom = distanceFromBottom(this.scroller) < NearBottomPx;
    // Keep the messages the user is looking at in place while older ones are put above them.
    const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
    // Indexes were taken one after another, so inserting in the same order keeps the DOM in step with the timeline.
    const known = room.knownUsers();
    for (const { entry, index } of added) {
      this.list.insertBefore(this.render(entry, known), this.list.children[index] ?? null);
    }
    if (cause === "history") {
      this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
    } else if (wasNearBottom || added.some((a) => a.entry.kind === "message" && a.entry.message.senderId === this.ownUserId)) {
      this.scroller.scrollTop = this.scroller.scrollHeight;
    }
    this.updateLoadOlder();
  }

  /**
   * Scrolls a message of the room in view into sight and marks it (a notification or a search hit about it was
   * chosen). One older than the history shown is loaded first, with everything after it. False when the room does
   * not have it (any more).
   */
  async showMessage(id: string, sequence: number): Promise<boolean> {
    const room = this.room;
    if (room === undefined) {
      return false;
    }
    if (room.message(id) === undefined) {
      const loading = this.store.loadBackTo(room, sequence);
      this.updateLoadOlder();
      try {
        await loading;
      } catch (error) {
        this.composer.showError(describeError(error));
        return false;
      } finally {
        this.updateLoadOlder();
      }
    }
    return room === this.room && this.reveal(id);
  }

  private reveal(id: string): boolean {
    this.list.querySelector(".revealed")?.classList.remove("revealed");
    const item = this.items.get(id);
    if (item === undefined) {
      return false;
    }
    item.classList.add("revealed");
    item.scrollIntoView({ block: "center" });
    return true;
  }

  messageChanged(room: RoomState, entry: MessageEntry): void {
    if (room === this.room) {
      this.redraw(entry.message.id);
    }
  }

  roomReloaded(room: RoomState): void {
    if (room === this.room) {
      this.show(room);
    }
  }

  /** `known`: the room's known users, worked out once per batch of entries drawn. */
  private render(entry: TimelineEntry, known: ReadonlyMap<string, string>): HTMLLIElement {
    const item = renderEntry(entry, this.context(entry.kind === "message" ? entry.message.id : undefined, known));
    if (entry.kind === "message") {
      this.items.set(entry.message.id, item);
    }
    return item;
  }

  private context(id: string | undefined, known: ReadonlyMap<string, string>): MessageContext {
    const room = this.room;
    return {
      ownUserId: this.ownUserId,
      known,
      target: (targetId) => room?.message(targetId),
      pickerOpen: id !== undefined && id === this.pickerFor,
      confirmingDelete: id !== undefined && id === this.confirmingDeleteOf,
      canModerate: room !== undefined && this.store.moderates(room.name),
      readOnly: room?.removal !== undefined,
      fetchFile: this.fetchFile,
    };
  }

  /** Re-draws one message; the focus stays on the same control (or on `fallback` when that control is gone). */
  private redraw(id: string, fallback?: string): void {
    const old = this.items.get(id);
    const room = this.room;
    const message = room?.message(id);
    if (old === undefined || room === undefined || message === undefined) {
      return;
    }
    const focused = document.activeElement instanceof HTMLElement && old.contains(document.activeElement) ? document.activeElement : undefined;
    const item = this.render({ kind: "message", key: message.sequence, message }, room.knownUsers());
    old.replaceWith(item);
    if (focused !== undefined) {
      const action = focused.dataset["action"];
      const reaction = focused.dataset["reaction"];
      const same = item.querySelector<HTMLElement>(
        reaction !== undefined ? `[data-action="${action}"][data-reaction="${CSS.escape(reaction)}"]` : `[data-action="${action}"]`,
      );
      (same ?? item.querySelector<HTMLElement>(`[data-action="${fallback ?? "reply"}"]`) ?? item).focus();
    }
  }

  private async clicked(event: MouseEvent): Promise<void> {
    const control = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
    const id = control?.closest<HTMLElement>("li.message")?.dataset["id"];
    const room = this.room;
    const message = id === undefined ? undefined : room?.message(id);
    if (control === null || room === undefined || message === undefined) {
      return;
    }
    const reaction = control.dataset["reaction"];
    switch (control.dataset["action"]) {
      case "reply":
        this.composer.reply(message);
        return;
      case "edit":
        this.composer.edit(message);
        return;
      case "react":
        this.pickerFor = this.pickerFor === message.id ? undefined : message.id;
        this.redraw(message.id);
        this.items.get(message.id)?.querySelector<HTMLElement>(".picker button")?.focus();
        return;
      case "delete":
        this.confirmingDeleteOf = message.id;
        this.redraw(message.id, "cancel-delete");
        this.items.get(message.id)?.querySelector<HTMLElement>('[data-action="cancel-delete"]')?.focus();
        return;
      case "cancel-delete":
        this.confirmingDeleteOf = undefined;
        this.redraw(message.id, "delete");
        return;
      case "confirm-delete":
        this.confirmingDeleteOf = undefined;
        await this.run(() => this.store.delete(room, message.id), {
          forbidden: "Only the person who wrote a message, or an owner or moderator of the room, can delete it.",
        });
        this.redraw(message.id);
        return;
      case "pick-reaction":
        // The picker closes at once; the focus goes back to the React button that opened it.
        this.pickerFor = undefined;
        this.redraw(message.id, "react");
        if (reaction !== undefined) {
          await this.toggle(room, message, reaction, "react");
        }
        return;
      case "toggle-reaction":
        if (reaction !== undefined) {
          await this.toggle(room, message, reaction, "react");
        }
        return;
    }
  }

  /** Adds the user's reaction, or takes it back when it is theirs already. */
  private async toggle(room: RoomState, message: ChatMessage, reaction: string, fallback: string): Promise<void> {
    const mine = message.reactions.some((r) => r.reaction === reaction && r.userIds.includes(this.ownUserId));
    await this.run(async () => {
      const current = await this.store.react(room, message.id, reaction, !mine);
      // userIds lists only the first 10 who reacted: an add that changed nothing shows the reaction was ours already.
      if (!mine && current.eventSequence === message.eventSequence) {
        await this.store.react(room, message.id, reaction, false);
      }
    });
    this.redraw(message.id, fallback);
  }

  private async run(change: () => Promise<unknown>, words: ErrorWords = {}): Promise<void> {
    this.composer.showError("");
    try {
      await change();
    } catch (error) {
      this.composer.showError(describeError(error, words));
    }
  }

  private async loadOlder(): Promise<void> {
    const room = this.room;
    if (room === undefined || room.loadingOlder || room.reachedStart) {
      return;
    }
    const loading = this.store.loadOlder(room);
    this.updateLoadOlder();
    try {
      await loading;
    } catch (error) {
      this.composer.showError(describeError(error));
    } finally {
      this.updateLoadOlder();
    }
  }

  private updateLoadOlder(): void {
    const room = this.room;
    this.loadOlderButton.hidden = room === undefined || room.reachedStart;
    this.loadOlderButton.disabled = room?.loadingOlder ?? false;
    this.loadOlderButton.textContent = room?.loadingOlder === true ? "Loading older messages…" : "Load older messages";
  }
}
