import { errorCode } from "@chat/client";

// Hub errors arrive as "code: sentence" (Chat.Shared ChatErrorCodes); the code is stable, so it picks the words.
const Words: Record<string, string> = {
  invalid_room_name: "That room name is not valid: use 1–64 characters of a–z, 0–9, _ and -, starting with a letter or digit.",
  not_a_member: "Join the room before writing in it.",
  empty_message: "Write something before sending.",
  message_too_long: "That message is too long: at most 4000 characters.",
  rate_limited: "You are sending too fast. Wait a moment, then send again.",
  invalid_limit: "The page asked for too many messages at once.",
  too_many_rooms: "You are in too many rooms. Leave one before joining another.",
  forbidden: "You are not allowed to do that in this room.",
  not_found: "That message is gone: it was deleted, or is not in this room.",
  room_exists: "A room of that name exists already: choose another name.",
  invalid_request: "The page sent something the server does not accept. Reload the page and try again.",
  edit_window_expired: "That message is too old to edit now.",
  invalid_reaction: "That reaction is not allowed: use one emoji.",
  too_many_reactions: "That message has as many different reactions as it can take. Add one of those instead.",
  banned: "You are banned from this room.",
  muted: "You are muted in this room for now.",
  slow_mode: "This room is in slow mode. Wait a moment, then send again.",
  invalid_attachment: "That attachment cannot be sent.",
  invalid_query:
    "That search cannot be read: use words, \"a phrase\" in closing quotes, or the start of a word and * (at least 2 letters or digits before it); at most 16 terms.",
  unavailable: "The server could not store that right now. Nothing was changed: try again in a moment.",
};

const NotConnected = "You are not connected right now. Nothing was lost: try again once the connection is back.";


/** What a code means where it was met: the same code says different things about a message and about a member. */
export type ErrorWords = Partial<Record<string, string>>;

/** Words for people about a failed hub call; `words` overrides the general ones for the call that failed. */
export function describeError(error: unknown, words: ErrorWords = {}): string {
  const code = errorCode(error);
  if (code !== undefined) {
    if (code === "slow_mode" && words[code] === undefined) {
      return slowModeWords(error);
    }
    return words[code] ?? Words[code]!;
  }
  const message = error instanceof Error ? error.message : String(error);
  // The SignalR client's own errors when the connection is down or dropped mid-call.
  if (/connection|Connected' State|Invocation canceled/i.test(message)) {
    return NotConnected;
  }
  return `Something went wrong: ${message}`;
}

// The sentence of slow_mode ends "wait N s": the one number worth passing on, since it tells the user how long to wait.
function slowModeWords(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const seconds = /wait (\d+) ?s/.exec(message)?.[1];
  return seconds === undefined
    ? Words["slow_mode"]!
    : `This room is in slow mode: wait ${seconds} ${seconds === "1" ? "second" : "seconds"}, then send again.`;
}
