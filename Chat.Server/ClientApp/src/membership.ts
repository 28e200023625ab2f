import { ChatLimits, type MemberRoles, type RoomInfo } from "@chat/client";
import { formatDateTime } from "./dom";

/** Why the user is no longer in a room: told once, in that room and in words. */
export type Removal =
  | { kind: "removed"; actorName: string }
  | { kind: "banned"; actorName: string; until: Date | null; reason: string | null }
  /** Found out after a reconnect or on joining again: the page did not see who did it. */
  | { kind: "gone" }
  | { kind: "banned-now" };

/** `where`: "this room" in the room itself, the room's name elsewhere. */
export function removalText(removal: Removal, where: string): string {
  switch (removal.kind) {
    case "removed":
      return `You were removed from ${where} by ${removal.actorName}.`;
    case "banned": {
      const until = removal.until === null ? " for good" : ` until ${formatDateTime(removal.until)}`;
      const reason = removal.reason !== null && removal.reason !== "" ? ` Reason: ${removal.reason}` : "";
      return `You were banned from ${where}${until} by ${removal.actorName}.${reason}`;
    }
    case "gone":
      return `You are no longer a member of ${where}.`;
    case "banned-now":
      return `You are banned from ${where}.`;
  }
}

const Rank: Record<MemberRoles, number> = { owner: 3, moderator: 2, member: 1 };

/** Owners and moderators moderate; they act only on people of a lower rank (the server decides; this hides what it refuses). */
export function canModerate(role: MemberRoles | undefined): boolean {
  return role === "owner" || role === "moderator";
}

export function outranks(actor: MemberRoles | undefined, target: MemberRoles): boolean {
  return actor !== undefined && Rank[actor] > Rank[target];
}

/**
 * How people see a room: a direct room by the other person's name (its own name is the server's "dm-" + hex), any
 * other room by its title, or its name when it has none.
 */
export function roomDisplayName(name: string, info: RoomInfo | undefined, ownUserId: string): string {
  if (info?.kind === "direct" || (info === undefined && name.startsWith(ChatLimits.DirectRoomPrefix))) {
    return info?.members?.find((m) => m.userId !== ownUserId)?.userName ?? "Direct conversation";
  }
  const title = info?.title?.trim() ?? "";
  return title !== "" ? title : name;
}
