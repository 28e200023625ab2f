import { ChatLimits } from "@chat/client";

// The page's own choices of page sizes; every number of the contract comes from ChatLimits (generated from Chat.Shared).
export const Limits = {
  historyPage: 50,
  eventsSincePage: ChatLimits.MaxEventsSincePage,
  replyPreview: ChatLimits.MaxReplyPreviewLength,
  /** GetMembers pages of the members panel of a big room and of the settings dialog, one per "Show more". */
  membersPanelPage: 50,
  maxPresenceListed: ChatLimits.MaxPresenceListed,
  maxRoomTitle: ChatLimits.MaxRoomTitleLength,
  maxRoomTopic: ChatLimits.MaxRoomTopicLength,
  maxSlowModeSeconds: ChatLimits.MaxSlowModeSeconds,
  maxBanReason: ChatLimits.MaxBanReasonLength,
  notificationsPage: 20,
  searchPage: ChatLimits.DefaultSearchPage,
  /** The hub's largest GetHistory page: how far back the page reaches at once to show a message it has not loaded. */
  maxHistoryPage: ChatLimits.MaxHistoryPage,
  maxAttachmentsPerMessage: ChatLimits.MaxAttachmentsPerMessage,
  /** The server's default Attachments:MaxBytes (it may be set otherwise: the server's 413 is what counts). */
  defaultAttachmentMaxBytes: ChatLimits.DefaultAttachmentMaxBytes,
} as const;

/** The only attachment types shown inline; the server serves everything else as a download, and so does the page. */
export const InlineImageTypes: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** A guest's user id: the server derives it from the name, so the page can name people it has never seen. */
export function guestUserId(userName: string): string {
  return `guest:${userName.trim().toLowerCase()}`;
}
