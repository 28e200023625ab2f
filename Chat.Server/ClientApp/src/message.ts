import { type ChatMessage, type MessageRef, type Reaction } from "@chat/client";
import { Limits } from "./limits";
import { attachmentsSummary, renderAttachments, type FileFetcher } from "./attachments";
import { button, element, timeElement } from "./dom";
import { contentParts } from "./mentions";
import type { TimelineEntry } from "./room";

/** The picker's few reactions: one click each, no emoji keyboard needed. */
export const PickerReactions = ["👍", "❤️", "😂", "🎉", "😮", "😢"] as const;

/** What the line of one message needs beyond the message itself. */
export interface MessageContext {
  ownUserId: string;
  /** User id → name of the people the page knows in the room (for "@name" highlights). */
  known: ReadonlyMap<string, string>;
  /** The message a reply answers, when the page holds it (newer than the reply's own copy of it). */
  target(id: string): ChatMessage | undefined;
  /** The reaction picker is open on this message. */
  pickerOpen: boolean;
  /** Delete was pressed once: the line asks to confirm. */
  confirmingDelete: boolean;
  /** The user is an owner or moderator of the room: they may delete anyone's message. */
  canModerate: boolean;
  /** The user is no longer a member: the messages stay readable, with no actions. */
  readOnly: boolean;
  /** Fetches a file with the user's token, when its signed link has expired. */
  fetchFile: FileFetcher;
}

export function renderEntry(entry: TimelineEntry, context: MessageContext): HTMLLIElement {
  if (entry.kind === "system") {
    const line = element("li", "system");
    line.append(element("span", "system-text", entry.text), " ", timeElement(entry.at));
    return line;
  }
  return renderMessage(entry.message, context);
}

function renderMessage(message: ChatMessage, context: MessageContext): HTMLLIElement {
  const own = message.senderId === context.ownUserId;
  const deleted = message.deletedAt !== null;
  const mentionsMe = !deleted && message.mentions.includes(context.ownUserId);
  const item = element("li", ["message", own ? "own" : "", deleted ? "deleted" : "", mentionsMe ? "mentions-me" : ""].filter((c) => c !== "").join(" "));
  item.dataset["id"] = message.id;
  item.dataset["sequence"] = String(message.sequence);
  // Focus can rest on the message itself when the control that had it goes (a deleted message has none).
  item.tabIndex = -1;

  const meta = element("div", "meta");
  meta.append(element("span", "sender", own ? `${message.senderName} (you)` : message.senderName), " ", timeElement(message.sentAt));
  if (message.editedAt !== null && !deleted) {
    const edited = element("span", "edited", "edited");
    edited.title = `Edited ${timeElement(message.editedAt).title}`;
    meta.append(" ", edited);
  }
  if (mentionsMe) {
    meta.append(" ", element("span", "mention-badge", "mentions you"));
  }
  item.append(meta);

  if (message.replyTo !== null && !deleted) {
    item.append(renderQuote(message.replyTo, context.target(message.replyTo.id)));
  }
  if (deleted) {
    // A deleted message's files are gone with it (the tombstone lists none): nothing of them is shown either way.
    item.append(element("p", "content deleted-text", "message deleted"));
    return item;
  }
  // A message may be files alone: then it has no text line.
  if (message.content.trim() !== "" || message.attachments.length === 0) {
    item.append(renderContent(message, context));
  }
  if (message.attachments.length > 0) {
    item.append(renderAttachments(message.attachments, context.fetchFile));
  }
  if (message.reactions.length > 0) {
    item.append(renderReactions(message.reactions, context.ownUserId));
  }
  if (context.readOnly) {
    return item;
  }
  item.append(renderActions(own, context));
  if (context.pickerOpen) {
    item.append(renderPicker(message.reactions, context.ownUserId));
  }
  return item;
}

function renderContent(message: ChatMessage, context: MessageContext): HTMLParagraphElement {
  const content = element("p", "content");
  for (const part of contentParts(message.content, message.mentions, context.known)) {
    content.append(part.mention === undefined ? part.text : element("span", part.mention === context.ownUserId ? "mention me" : "mention", part.text));
  }
  return content;
}

/** The answered message as it is now: the page's own copy when it has one, else the reply's reference. */
function renderQuote(ref: MessageRef, target: ChatMessage | undefined): HTMLQuoteElement {
  const quote = element("blockquote", "reply-quote");
  quote.dataset["replyTo"] = ref.id;
  const gone = target !== undefined ? target.deletedAt !== null : ref.preview === "";
  const preview = target !== undefined ? replyPreview(target) : ref.preview;
  quote.append(element("span", "quote-sender", target?.senderName ?? ref.senderName), " ");
  quote.append(gone ? element("span", "quote-preview gone", "deleted message") : element("span", "quote-preview", preview));
  return quote;
}

/** A message as a reply's quote or bar shows it: the start of its text, or its files when it has no text. */
export function replyPreview(message: ChatMessage): string {
  return message.content.trim() === "" ? attachmentsSummary(message.attachments) : message.content.slice(0, Limits.replyPreview);
}

function isMine(reaction: Reaction, ownUserId: string): boolean {
  return reaction.userIds.includes(ownUserId);
}

function renderReactions(reactions: readonly Reaction[], ownUserId: string): HTMLDivElement {
  const row = element("div", "reactions");
  for (const reaction of reactions) {
    const mine = isMine(reaction, ownUserId);
    const people = `${reaction.count} ${reaction.count === 1 ? "person" : "people"}`;
    const chip = button(mine ? "reaction mine" : "reaction", "", `${reaction.reaction} ${people}${mine ? ", you included: remove yours" : ": add yours"}`);
    chip.dataset["action"] = "toggle-reaction";
    chip.dataset["reaction"] = reaction.reaction;
    chip.setAttribute("aria-pressed", String(mine));
    chip.append(element("span", "reaction-value", reaction.reaction), " ", element("span", "reaction-count", String(reaction.count)));
    row.append(chip);
  }
  return row;
}

function renderActions(own: boolean, context: MessageContext): HTMLDivElement {
  const actions = element("div", "actions");
  const action = (name: string, text: string, label?: string): HTMLButtonElement => {
    const created = button(`action ${name}`, text, label);
    created.dataset["action"] = name;
    return created;
  };
  const react = action("react", "React", "Add a reaction");
  react.setAttribute("aria-expanded", String(context.pickerOpen));
  actions.append(action("reply", "Reply"), react);
  if ((own || context.canModerate) && context.confirmingDelete) {
    actions.append(element("span", "confirm-text", "Delete for everyone?"), action("confirm-delete", "Delete"), action("cancel-delete", "Keep"));
  } else if (own) {
    actions.append(action("edit", "Edit"), action("delete", "Delete"));
  } else if (context.canModerate) {
    // Owners and moderators may delete anyone's message in their room (not edit it).
    actions.append(action("delete", "Delete", "Delete this message (as a moderator)"));
  }
  return actions;
}

function renderPicker(reactions: readonly Reaction[], ownUserId: string): HTMLDivElement {
  const picker = element("div", "picker");
  picker.setAttribute("role", "group");
  picker.setAttribute("aria-label", "Reactions");
  for (const value of PickerReactions) {
    const mine = reactions.some((r) => r.reaction === value && isMine(r, ownUserId));
    const choice = button(mine ? "pick mine" : "pick", value, mine ? `Remove ${value}` : `React with ${value}`);
    choice.dataset["action"] = "pick-reaction";
    choice.dataset["reaction"] = value;
    choice.setAttribute("aria-pressed", String(mine));
    picker.append(choice);
  }
  return picker;
}
