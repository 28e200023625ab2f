/** A random id (a UUID where the platform makes them): for ids two devices of one user must never share. */
export function randomId(): string {
  if (typeof globalThis.crypto?.randomUUID === "function") {
    return globalThis.crypto.randomUUID();
  }
  // randomUUID needs a secure context in browsers; a page served over plain http on a LAN has only getRandomValues.
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
