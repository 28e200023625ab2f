// The wire contract of /hubs/chat (Chat.Shared), as a JS client sees it through the MessagePack protocol:
// maps with camelCase keys, times as Date (the MessagePack timestamp extension).

export interface ChatMessage {
  id: string;
  room: string;
  sequence: number;
  senderId: string;
  senderName: string;
  content: string;
  sentAt: Date;
  clientMessageId: string | null;
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
}

export interface RoomSummary {
  room: string;
  memberCount: number;
  lastSequence: number;
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

// Page sizes the page asks for (the hub allows GetHistory ≤ 200, GetMessagesSince ≤ 500).
export const Limits = {
  historyPage: 50,
  messagesSincePage: 500,
} as const;
