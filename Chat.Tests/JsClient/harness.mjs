// What every spec-written JS client script shares: signing in, connecting over the chosen protocol, recording
// callbacks to wait on, and checking a refusal's code. Written from the specification, like the scripts.
import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";

export const timeoutMs = 15000;

export async function login(baseUrl, userName) {
  const response = await fetch(`${baseUrl}/api/auth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ userName }),
  });
  assert.equal(response.status, 200);
  const token = await response.json();
  for (const field of ["accessToken", "expiresAt", "userId", "userName"]) assert.ok(token[field], `token.${field}`);
  return token;
}

/** Every call of `method` on the connection, and a way to wait (with a timeout) for one that matches. */
export function recorder(connection, method) {
  const items = [];
  const waiters = [];
  connection.on(method, item => {
    items.push(item);
    for (const w of [...waiters]) if (w.predicate(item)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(item); }
  });
  return {
    items,
    next(predicate = () => true) {
      const found = items.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        setTimeout(() => reject(new Error(`timed out waiting for ${method}`)), timeoutMs);
      });
    },
  };
}

/** Signs in and builds (does not start) a hub connection over `protocolName` ("json" or "messagepack"). */
export async function signIn(baseUrl, protocolName, userName) {
  const token = await login(baseUrl, userName);
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${baseUrl}/hubs/chat`, { accessTokenFactory: () => token.accessToken })
    .withHubProtocol(protocolName === "messagepack" ? new MessagePackHubProtocol() : new signalR.JsonHubProtocol())
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  return { token, connection };
}

export async function expectCode(promise, code, what = "") {
  await assert.rejects(promise, error => {
    assert.ok(error.message.startsWith(`${code}: `), `${what ? what + ": " : ""}expected "${code}: …", got "${error.message}"`);
    return true;
  });
}
