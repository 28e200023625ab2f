import { Limits, type ChatMessage } from "./contracts";
import { byId, element, formatDateTime } from "./dom";
import { describeError, type ErrorWords } from "./errors";
import { findMentions } from "./mentions";
import type { RoomState } from "./room";
import type { ChatStore } from "./store";

// SetTyping(true) is renewed this often while the user keeps typing; the server ends the state 5 s after the last one.
const TypingRenewMs = 3_000;

function newClientMessageId(): string {
  // crypto.randomUUID needs a secure context; getRandomValues works on plain http too.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

type Mode = { kind: "new" } | { kind: "reply"; to: ChatMessage } | { kind: "edit"; of: ChatMessage; draft: string };

/**
 * Writing in the room in view: a new message, a reply (the bar above the input says to what) or an edit of one's
 * own message. "@name" of a known member becomes a mention. What the user typed stays in the input until the server
 * has it; the same draft keeps its clientMessageId, so sending it again after a lost answer cannot post it twice.
 */
export class ComposerView {
  private room: RoomState | undefined;
  private mode: Mode = { kind: "new" };
  private pendingSend: { key: string; clientMessageId: string } | undefined;
  private typingSentAt = 0;
  private readonly form = byId<HTMLFormElement>("composer");
  private readonly input = byId<HTMLInputElement>("message-input");
  private readonly sendButton = byId<HTMLButtonElement>("send");
  private readonly error = byId<HTMLParagraphElement>("send-error");
  private readonly contextBar = byId<HTMLDivElement>("composer-context");
  private readonly contextText = byId<HTMLParagraphElement>("composer-context-text");
  private readonly cancelButton = byId<HTMLButtonElement>("composer-cancel");

  constructor(
    private readonly store: ChatStore,
    private readonly ownUserId: string,
    private readonly isConnected: () => boolean,
  ) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.input.addEventListener("input", () => this.typed());
    this.input.addEventListener("keydown", (event) => this.keyPressed(event));
    this.cancelButton.addEventListener("click", () => this.cancel());
  }

  get focusTarget(): HTMLInputElement {
    return this.input;
  }

  showError(text: string): void {
    this.error.textContent = text;
  }

  /** `label`: the room as people see it (a direct room by the other person's name). */
  setRoom(room: RoomState | undefined, label = room?.name ?? ""): void {
    if (this.room !== room) {
      this.stopTyping();
      if (this.mode.kind === "edit") {
        this.input.value = this.mode.draft;
      }
      this.setMode({ kind: "new" });
    }
    this.room = room;
    this.error.textContent = "";
    // A room the user was removed from stays readable, but nothing can be written there.
    const writable = room !== undefined && room.removal === undefined;
    this.input.disabled = !writable;
    this.sendButton.disabled = !writable;
    this.input.placeholder =
      room === undefined ? "Join a room to write" : !writable ? "You are no longer a member of this room" : `Message ${room.name === label ? `#${label}` : label}`;
  }

  reply(message: ChatMessage): void {
    if (this.mode.kind === "edit") {
      this.input.value = this.mode.draft;
    }
    this.setMode({ kind: "reply", to: message });
    this.input.focus();
  }

  edit(message: ChatMessage): void {
    const draft = this.mode.kind === "edit" ? this.mode.draft : this.input.value;
    this.setMode({ kind: "edit", of: message, draft });
    this.input.value = message.content;
    this.input.focus();
  }

  private setMode(mode: Mode): void {
    this.mode = mode;
    this.contextBar.hidden = mode.kind === "new";
    this.sendButton.textContent = mode.kind === "edit" ? "Save" : "Send";
    switch (mode.kind) {
      case "new":
        this.contextText.replaceChildren();
        break;
      case "reply": {
        const preview = mode.to.content.slice(0, Limits.replyPreview);
        this.contextText.replaceChildren("Replying to ", element("strong", "context-sender", mode.to.senderName), " ", element("span", "context-preview", preview));
        this.cancelButton.setAttribute("aria-label", "Cancel the reply");
        break;
      }
      case "edit":
        this.contextText.replaceChildren("Editing your message");
        this.cancelButton.setAttribute("aria-label", "Cancel the edit");
        break;
    }
  }

  /** Leaves reply or edit mode; an edit gives back the draft it put aside. */
  private cancel(): void {
    if (this.mode.kind === "edit") {
      this.input.value = this.mode.draft;
    }
    this.setMode({ kind: "new" });
    this.error.textContent = "";
    this.input.focus();
  }

  private keyPressed(event: KeyboardEvent): void {
    if (event.key === "Escape" && this.mode.kind !== "new") {
      event.preventDefault();
      this.cancel();
    } else if (event.key === "ArrowUp" && this.input.value === "" && this.mode.kind === "new" && this.room !== undefined) {
      // As in most chat apps: Up in an empty composer edits the last message one wrote.
      const last = this.room.messagesBy(this.ownUserId).find((m) => m.deletedAt === null);
      if (last !== undefined) {
        event.preventDefault();
        this.edit(last);
      }
    }
  }

  private async submit(): Promise<void> {
    const room = this.room;
    const text = this.input.value;
    if (room === undefined || text.trim() === "") {
      return;
    }
    const mode = this.mode;
    this.error.textContent = "";
    try {
      if (mode.kind === "edit") {
        await this.store.edit(room, mode.of.id, text);
      } else {
        await this.post(room, text, mode.kind === "reply" ? mode.to.id : null);
      }
    } catch (error) {
      // The draft stays in the input: nothing the user typed is lost.
      this.error.textContent = describeError(error, this.words(room, mode.kind === "edit"));
      return;
    }
    this.typingSentAt = 0;
    if (this.mode === mode) {
      this.input.value = mode.kind === "edit" ? mode.draft : this.input.value === text ? "" : this.input.value;
      this.setMode({ kind: "new" });
    }
  }

  /** The words for a refused send or edit, in this room. */
  private words(room: RoomState, edit: boolean): ErrorWords {
    const until = this.store.mutedNow(room.name);
    return {
      forbidden: edit ? "Only the person who wrote a message can change it." : "You may not write in this room.",
      banned: "You are banned from this room: you cannot write here.",
      muted: until === undefined ? "You are muted in this room for now." : `You are muted in this room until ${formatDateTime(until)}.`,
    };
  }

  private async post(room: RoomState, text: string, replyToId: string | null): Promise<void> {
    const key = `${replyToId ?? ""}\n${text}`;
    const clientMessageId = this.pendingSend?.key === key ? this.pendingSend.clientMessageId : newClientMessageId();
    this.pendingSend = { key, clientMessageId };
    const mentions = findMentions(text, room.knownUsers());
    await this.store.post(room, { content: text, clientMessageId, replyToId, mentions });
    this.pendingSend = undefined;
  }

  // ---- typing ----

  private typed(): void {
    const room = this.room;
    if (room === undefined || this.mode.kind === "edit") {
      return;
    }
    if (this.input.value.trim() === "") {
      this.stopTyping();
    } else if (Date.now() - this.typingSentAt > TypingRenewMs) {
      this.typingSentAt = Date.now();
      this.setTyping(room, true);
    }
  }

  private stopTyping(): void {
    if (this.typingSentAt !== 0 && this.room !== undefined) {
      this.setTyping(this.room, false);
    }
    this.typingSentAt = 0;
  }

  private setTyping(room: RoomState, isTyping: boolean): void {
    if (this.isConnected()) {
      // Typing is a hint: a lost one is ended by the server's own timeout, so failures are not worth the user's attention.
      this.store.setTyping(room, isTyping).catch(() => undefined);
    }
  }
}
