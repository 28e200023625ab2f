import { Routes, type GuestToken } from "./contracts";

// Renew a little before expiry, so a reconnect never presents a token that dies on the way.
const RenewBeforeExpiryMs = 60_000;

/** Thrown when the server refuses a user name (400 with problem details). */
export class LoginRejected extends Error {}

async function requestGuestToken(userName: string): Promise<GuestToken> {
  const response = await fetch(Routes.guestToken, {
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
  return (await response.json()) as GuestToken;
}

/** A signed-in guest: hands SignalR a valid token for every (re)connect, fetching a fresh one when it runs out. */
export class GuestSession {
  private stale = false;

  private constructor(private token: GuestToken) {}

  static async signIn(userName: string): Promise<GuestSession> {
    return new GuestSession(await requestGuestToken(userName));
  }

  get userId(): string {
    return this.token.userId;
  }

  get userName(): string {
    return this.token.userName;
  }

  /**
   * The next connect asks for a new token: after a connection loss the server may be one that no longer accepts the
   * old one (restarted with another signing key), and a refused token would make every retry fail alike.
   */
  markStale(): void {
    this.stale = true;
  }

  async accessToken(): Promise<string> {
    if (this.stale || Date.parse(this.token.expiresAt) - Date.now() < RenewBeforeExpiryMs) {
      this.token = await requestGuestToken(this.token.userName);
      this.stale = false;
    }
    return this.token.accessToken;
  }
}
