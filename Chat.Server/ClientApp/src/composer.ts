import { newClientMessageId, type ChatMessage } from "@chat/client";
import { byId, element, formatDateTime } from "./dom";
import { describeError, type ErrorWords } from "./errors";
import { findMentions } from "./mentions";
import { replyPreview } from "./message";
import type { RoomState } from "./room";
import type { ChatStore } from "./store";
import { UploadsView } from "./uploads";

// SetTyping(true) is renewed this often while the user keeps typing; the server ends the state 5 s after the last one.
const TypingRenewMs = 3_000;

type Mode = { kind: "new" } | { kind: "reply"; to: ChatMessage } | { kind: "edit"; of: ChatMessage; draft: string };

/**
 * Writing in the room in view: a new message, a reply (the bar above the input says to what) or an edit of one's
 * own message. "@name" of a known member becomes a mention. Files (UploadsView) go with a new message or a reply,
 * which may then have no text. What the user typed and attached stays until the server has it; the same draft keeps
 * its clientMessageId, so sending it again after a lost answer cannot post it twice.
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
  private readonly uploads: UploadsView;

  constructor(
    private readonly store: ChatStore,
    private readonly ownUserId: string,
    private readonly isConnected: () => boolean,
    /** The bearer token for uploads: the one the hub connection uses. */
    accessToken: () => Promise<string>,
  ) {
    // A file that arrived or failed may be what the user waited for: an old "wait for your files" goes.
    this.uploads = new UploadsView(accessToken, this.input, () => {
      if (this.error.dataset["about"] === "files") {
        this.showError("");
      }
    });
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

  showError(text: string, about?: "files"): void {
    this.error.textContent = text;
    if (about === undefined) {
      delete this.error.dataset["about"];
    } else {
      this.error.dataset["about"] = about;
    }
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
    this.showError("");
    // A room the user was removed from stays readable, but nothing can be written there.
    const writable = room !== undefined && room.removal === undefined;
    this.input.disabled = !writable;
    this.sendButton.disabled = !writable;
    this.uploads.setEnabled(writable);
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
        const preview = replyPreview(mode.to);
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
    this.showError("");
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
    const mode = this.mode;
    // An edit changes text only; a new message or a reply takes the files along (and may be files alone).
    const withFiles = mode.kind !== "edit";
    const files = withFiles ? this.uploads.readyIds : [];
    const filesPending = withFiles && (this.uploads.uploading || this.uploads.failed);
    if (room === undefined || (text.trim() === "" && files.length === 0 && !filesPending)) {
      return;
    }
    if (withFiles && this.uploads.uploading) {
      this.showError("Wait until your files have uploaded, then send.", "files");
      return;
    }
    if (withFiles && this.uploads.failed) {
      this.showError("Remove the files that could not be uploaded (or try them again), then send.", "files");
      return;
    }
    this.showError("");
    try {
      if (mode.kind === "edit") {
        await this.store.edit(room, mode.of.id, text);
      } else {
        await this.post(room, text, mode.kind === "reply" ? mode.to.id : null, files);
      }
    } catch (error) {
      // The draft stays in the input: nothing the user typed is lost.
      this.showError(describeError(error, this.words(room, mode.kind === "edit")));
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
      invalid_attachment: "A file could not be sent with the message: it went with another message already, or it is gone. Remove it and add it again.",
    };
  }

  private async post(room: RoomState, text: string, replyToId: string | null, attachmentIds: string[]): Promise<void> {
    const key = `${replyToId ?? ""}\n${attachmentIds.join(",")}\n${text}`;
    const clientMessageId = this.pendingSend?.key === key ? this.pendingSend.clientMessageId : newClientMessageId();
    this.pendingSend = { key, clientMessageId };
    const mentions = findMentions(text, room.knownUsers());
    await this.store.post(room, { content: text, clientMessageId, replyToId, mentions, attachmentIds });
    this.pendingSend = undefined;
    this.uploads.sent(attachmentIds);
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
