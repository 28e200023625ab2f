// The wire contract of /hubs/chat (Chat.Shared), as a JS client sees it through the MessagePack protocol:
// maps with camelCase keys, times as Date (the MessagePack timestamp extension).

/** A stored message as it is now: after every edit, delete and reaction that `eventSequence` covers. */
export interface ChatMessage {
  id: string;
  room: string;
  sequence: number;
  senderId: string;
  senderName: string;
  /** Empty once deleted. */
  content: string;
  sentAt: Date;
  clientMessageId: string | null;
  /** The room change that last touched the message: a copy with a higher one is newer. */
  eventSequence: number;
  editedAt: Date | null;
  /** Set once deleted: the message is then a tombstone. */
  deletedAt: Date | null;
  replyTo: MessageRef | null;
  /** User ids the sender mentioned on purpose. */
  mentions: string[];
  reactions: Reaction[];
  attachments: Attachment[];
}

/** The message a reply answers, as it is now. */
export interface MessageRef {
  id: string;
  sequence: number;
  senderName: string;
  /** Its first 100 characters; empty once it is deleted. */
  preview: string;
}

export interface Reaction {
  reaction: string;
  count: number;
  /** The first users (at most 10) who reacted with it. */
  userIds: string[];
}

export interface Attachment {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  url: string;
}

export interface UserPresence {
  userId: string;
  userName: string;
  status: PresenceStatus;
}

export type PresenceStatus = "online" | "offline";

export interface JoinResult {
  room: string;
  members: UserPresence[];
  recentMessages: ChatMessage[];
  lastSequence: number;
  /** Read before the recent messages: some of them may be newer than it. */
  lastEventSequence: number;
  memberCount: number;
}

export interface RoomSummary {
  room: string;
  memberCount: number;
  lastSequence: number;
  lastEventSequence: number;
}

export interface RoomMemberEvent {
  room: string;
  userId: string;
  userName: string;
  at: Date;
}

export interface TypingNotice {
  room: string;
  userId: string;
  userName: string;
  isTyping: boolean;
}

export interface PresenceChange {
  userId: string;
  userName: string;
  status: PresenceStatus;
  at: Date;
}

// The page applies every change by the message copy it carries, so the one type it names is the one it makes up:
// MessageReceived is the change "message.posted".
export const MessagePosted = "message.posted";

/** One change of a room (RoomChanged, GetEventsSince). Only the parts its type needs are set. */
export interface RoomEvent {
  room: string;
  eventSequence: number;
  type: string;
  at: Date;
  actorId: string;
  actorName: string;
  /** The message the change is about, as it is now (a tombstone once deleted). */
  message?: ChatMessage | null;
  messageId?: string | null;
  reaction?: string | null;
}

export interface EventsPage {
  room: string;
  events: RoomEvent[];
  lastEventSequence: number;
  /** Too many changes are missing to replay: reload the room instead. */
  resetRequired: boolean;
}

export interface PostMessageRequest {
  content: string;
  clientMessageId: string;
  replyToId: string | null;
  mentions: string[];
}

export interface GuestToken {
  accessToken: string;
  expiresAt: string;
  userId: string;
  userName: string;
}

export const Routes = {
  hub: "/hubs/chat",
  guestToken: "/api/auth/token",
} as const;

// Page sizes the page asks for (the hub allows GetHistory ≤ 200, GetEventsSince ≤ 500).
export const Limits = {
  historyPage: 50,
  eventsSincePage: 500,
  /** MessageRef.preview is at most this long. */
  replyPreview: 100,
} as const;
