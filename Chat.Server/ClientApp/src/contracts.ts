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

/**
 * How busy a large room is: past the server's Rooms:LargeRoomThreshold users online it sends this (at most once a
 * second, when a figure changed) instead of UserJoined, UserLeft, PresenceChanged and TypingChanged in that room.
 */
export interface RoomActivity {
  room: string;
  /** Users online in the room now. */
  memberCount: number;
  /** Of them, how many are typing (the user too, when they are). */
  typingCount: number;
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
  /** The member added, removed or updated (member.*), as they are after the change. */
  member?: RoomMember | null;
  /** The room as it is after a room.updated. */
  roomInfo?: RoomInfo | null;
}

/** The change types the page acts on beyond messages (Chat.Shared RoomEventTypes). */
export const RoomEventTypes = {
  memberAdded: "member.added",
  memberRemoved: "member.removed",
  memberUpdated: "member.updated",
  roomUpdated: "room.updated",
} as const;

export type RoomKind = "public" | "private" | "direct";

export type MemberRole = "owner" | "moderator" | "member";

/** A lasting member of a room (GetMembers, AddMember, member.* events). */
export interface RoomMember {
  room: string;
  userId: string;
  userName: string;
  role: MemberRole;
  joinedAt: Date;
  /** Until when the member may not post, edit, react or type; null (or past) when they may. */
  mutedUntil: Date | null;
  /** Set in the member.removed or member.updated of a ban; false again in the member.updated of an unban. */
  banned: boolean;
  /** When the ban ends; null with banned means for good. */
  bannedUntil: Date | null;
  banReason: string | null;
}

/** A room's settings and counters (CreateRoom, OpenDirect, UpdateRoom, ListMyRooms, room.updated). */
export interface RoomInfo {
  room: string;
  kind: RoomKind;
  title: string | null;
  topic: string | null;
  /** Lasting members. */
  memberCount: number;
  /** Seconds a plain member waits between posts (0: off). */
  slowModeSeconds: number;
  lastSequence: number;
  lastEventSequence: number;
  createdAt: Date;
  /** Both members, for direct rooms only. */
  members: RoomMember[] | null;
}

export interface CreateRoomRequest {
  room: string;
  kind: "public" | "private";
  title: string | null;
  topic: string | null;
  memberIds: string[];
}

/** An absent (null) field stays as it is; an empty text clears it. */
export interface UpdateRoomRequest {
  title: string | null;
  topic: string | null;
  slowModeSeconds: number | null;
}

/** One of the user's rooms (ListMyRooms), newest activity first. */
export interface MyRoom {
  room: RoomInfo;
  role: MemberRole;
  lastReadSequence: number;
  unreadCount: number;
  mentionCount: number;
  lastMessage: ChatMessage | null;
}

/** The user's read state in a room: MarkRead's answer and ReadStateChanged. */
export interface ReadState {
  room: string;
  /** Every message up to this sequence is read; it only moves forward. */
  lastReadSequence: number;
  /** Others' messages after the pointer that are not deleted. */
  unreadCount: number;
  /** Those of them that mention the user. */
  mentionCount: number;
}

/** How far one member has read ("seen by"): GetReadReceipts and ReadReceiptChanged, in small rooms only. */
export interface ReadReceipt {
  room: string;
  userId: string;
  userName: string;
  lastReadSequence: number;
  /** When the pointer last moved. */
  at: Date;
}

/** Something that concerns the user (GetNotifications, NotificationReceived). */
export interface Notification {
  /** Opaque; a user's ids sort (ordinal) newer after older: the key for paging. */
  id: string;
  kind: NotificationKind;
  room: string;
  /** The message (every kind but "added"). */
  messageId: string | null;
  sequence: number | null;
  fromUserId: string;
  fromUserName: string;
  /** The message's first 100 characters, or for "added" the room's title (or name). */
  preview: string;
  at: Date;
}

/** The kinds of a notification; a message that is several of them to one user notifies once, as the first that applies. */
export const NotificationKinds = {
  mention: "mention",
  reply: "reply",
  direct: "direct",
  added: "added",
} as const;

export type NotificationKind = (typeof NotificationKinds)[keyof typeof NotificationKinds];

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
  /** The user's own uploads (POST /api/attachments) that no message has claimed yet; content may then be empty. */
  attachmentIds: string[];
}

/** SearchMessages' request; null fields do not narrow the search. */
export interface SearchRequest {
  /** Words that must all match, "a phrase", prefix*. */
  query: string;
  room: string | null;
  senderId: string | null;
  after: Date | null;
  before: Date | null;
  /** 1–50. */
  limit: number;
  /** The nextCursor of the previous page of the same search. */
  cursor: string | null;
}

export interface SearchHit {
  /** The message as it is now. */
  message: ChatMessage;
  /** An HTML-escaped excerpt with each matched word in <mark>…</mark>. */
  snippet: string;
}

/** A page of hits, newest first. */
export interface SearchResult {
  hits: SearchHit[];
  /** Null when there is no further page. */
  nextCursor: string | null;
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
  /** POST multipart/form-data with one `file` and a bearer token → 201 Attachment. */
  attachments: "/api/attachments",
} as const;

// Page sizes the page asks for (the hub allows GetHistory ≤ 200, GetEventsSince ≤ 500).
export const Limits = {
  historyPage: 50,
  eventsSincePage: 500,
  /** MessageRef.preview is at most this long. */
  replyPreview: 100,
  /** GetMembers pages (the hub allows 1–200). */
  membersPage: 200,
  /** GetMembers pages of the members panel of a big room, one per "Show more". */
  membersPanelPage: 50,
  /** The most users JoinRoom lists and GetPresence answers (the server counts the rest: JoinResult.memberCount). */
  maxPresenceListed: 100,
  maxRoomTitle: 100,
  maxRoomTopic: 500,
  maxSlowModeSeconds: 3600,
  maxBanReason: 200,
  /** GetNotifications pages (the hub allows 1–100). */
  notificationsPage: 20,
  /** SearchMessages pages (the hub allows 1–50). */
  searchPage: 20,
  /** The hub's largest GetHistory page: how far back the page reaches at once to show a message it has not loaded. */
  maxHistoryPage: 200,
  maxAttachmentsPerMessage: 10,
  /** The server's default Attachments:MaxBytes (it may be set otherwise: the server's 413 is what counts). */
  defaultAttachmentMaxBytes: 10 * 1024 * 1024,
} as const;

/** The only attachment types shown inline; the server serves everything else as a download, and so does the page. */
export const InlineImageTypes: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** Direct rooms are named by the server with this prefix; nobody else may create such a name. */
export const DirectRoomPrefix = "dm-";

/** A guest's user id: the server derives it from the name, so the page can name people it has never seen. */
export function guestUserId(userName: string): string {
  return `guest:${userName.trim().toLowerCase()}`;
}
