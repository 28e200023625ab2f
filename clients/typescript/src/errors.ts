import { ChatErrorCodes } from "./generated/contract.js";

const codes: readonly ChatErrorCodes[] = ChatErrorCodes.All;

/**
 * The stable code of a refused hub call ("code: sentence", Chat.Shared `ChatErrorCodes`), or undefined for anything
 * else (a lost connection, a bug). Match on the code, never on the sentence.
 */
export function errorCode(error: unknown): ChatErrorCodes | undefined {
  const message = error instanceof Error ? error.message : String(error);
  // The SignalR client may put its own words before the server's; the code still leads the server's part.
  return codes.find((code) => message.startsWith(`${code}:`) || message.includes(` ${code}:`));
}
