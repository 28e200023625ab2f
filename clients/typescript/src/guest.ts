import { ChatRoutes, type GuestTokenResponse } from "./generated/contract.js";
import { normalize } from "./wire.js";

// Renew a little before expiry, so a reconnect never presents a token that dies on the way.
const RenewBeforeExpiryMs = 60_000;

/** The server refused the user name (400 with problem details). */
export class LoginRejected extends Error {}

/** Asks the server for a guest token (POST /api/auth/token). */
export async function requestGuestToken(url: string, userName: string): Promise<GuestTokenResponse> {
  const response = await fetch(`${url.replace(/\/$/, "")}${ChatRoutes.GuestToken}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ userName }),
  });
  if (response.status === 400) {
    const problem = (await response.json()) as { errors?: Record<string, string[]> };
    throw new LoginRejected(problem.errors?.["userName"]?.[0] ?? "That user name is not allowed.");
  }
  if (!response.ok) {
    throw new Error(`Sign-in failed (HTTP ${response.status}).`);
  }
  return normalize((await response.json()) as GuestTokenResponse, "GuestTokenResponse");
}

/**
 * A signed-in guest: hands the connection a valid token for every (re)connect, fetching a fresh one when it runs out,
 * and after a connection loss (the server may be one that no longer accepts the old one). Pass `accessToken` as the
 * client's `accessTokenFactory` and `markStale` as its `connectionLost`.
 */
export class GuestSession {
  private stale = false;

  private constructor(private readonly url: string, private token: GuestTokenResponse) {}

  static async signIn(url: string, userName: string): Promise<GuestSession> {
    return new GuestSession(url, await requestGuestToken(url, userName));
  }

  get userId(): string {
    return this.token.userId;
  }

  get userName(): string {
    return this.token.userName;
  }

  /** The next connect asks for a new token. */
  markStale(): void {
    this.stale = true;
  }

  async accessToken(): Promise<string> {
    if (this.stale || this.token.expiresAt.getTime() - Date.now() < RenewBeforeExpiryMs) {
      this.token = await requestGuestToken(this.url, this.token.userName);
      this.stale = false;
    }
    return this.token.accessToken;
  }
}
