// A SignalR JS client written from the product specification alone (contract v2, section 5) searches: every word must
// match, phrases and prefixes work, newest first, pages by cursor, snippets mark the matches in escaped HTML, and
// someone else's private room is never found.
// Usage: node search.mjs <baseUrl> <json|messagepack>
import assert from "node:assert/strict";
import { expectCode, signIn } from "./harness.mjs";

const [baseUrl, protocolName] = process.argv.slice(2);
const suffix = Math.random().toString(36).slice(2, 8);
// A word no other test writes, so searches across all rooms find only this script's messages.
const tag = `js${suffix}${protocolName.length}`;

async function connect(userName) {
  const { token, connection } = await signIn(baseUrl, protocolName, userName);
  await connection.start();
  await connection.invoke("ListMyRooms");
  return { token, connection, invoke: (...args) => connection.invoke(...args) };
}

const ids = result => result.hits.map(hit => hit.message.id);

const alice = await connect(`alice-${suffix}`);
const bob = await connect(`bob-${suffix}`);
const lobby = `search-${protocolName}-${suffix}`;
const secret = `secret-${protocolName}-${suffix}`;
await alice.invoke("JoinRoom", lobby);
await alice.invoke("CreateRoom", { room: secret, kind: "private" });
await alice.invoke("JoinRoom", secret);

const first = await alice.invoke("SendMessage", lobby, `${tag} the quick brown fox`, null);
const second = await alice.invoke("SendMessage", lobby, `${tag} brown <b>bread</b> & butter`, null);
const third = await alice.invoke("SendMessage", lobby, `${tag} jumping foxes`, null);
const hidden = await alice.invoke("SendMessage", secret, `${tag} brown secret`, null);

// Every word must match; newest first; a phrase; a prefix.
assert.deepEqual(ids(await alice.invoke("SearchMessages", { query: `${tag} brown`, limit: 50 })), [hidden.id, second.id, first.id]);
assert.deepEqual(ids(await alice.invoke("SearchMessages", { query: `${tag} "quick brown"`, limit: 50 })), [first.id]);
assert.deepEqual(ids(await alice.invoke("SearchMessages", { query: `${tag} fox*`, limit: 50 })), [third.id, first.id]);

// Bob never finds alice's private room, and may not search it by name.
assert.deepEqual(ids(await bob.invoke("SearchMessages", { query: `${tag} brown`, limit: 50 })), [second.id, first.id]);
await expectCode(bob.invoke("SearchMessages", { query: tag, room: secret, limit: 10 }), "forbidden", "SearchMessages (private room of others)");

// Pages by cursor, each hit once, newest first.
const seen = [];
let cursor = null;
do {
  const page = await alice.invoke("SearchMessages", { query: tag, room: lobby, limit: 2, cursor });
  assert.ok(page.hits.length <= 2);
  seen.push(...ids(page));
  cursor = page.nextCursor ?? null;
} while (cursor);
assert.deepEqual(seen, [third.id, second.id, first.id]);

// The hit carries the message as stored; the snippet is escaped HTML with the matches marked.
const hit = (await alice.invoke("SearchMessages", { query: `${tag} butter`, limit: 5 })).hits[0];
assert.equal(hit.message.id, second.id);
assert.equal(hit.message.content, `${tag} brown <b>bread</b> & butter`);
assert.ok(hit.snippet.includes("<mark>butter</mark>"), hit.snippet);
assert.ok(hit.snippet.includes("&amp;"), hit.snippet);
assert.ok(!hit.snippet.replaceAll("<mark>", "").replaceAll("</mark>", "").match(/[<>]/), hit.snippet);

// Time filters: after the second message only the third (and the secret one) remain.
const after = await alice.invoke("SearchMessages", { query: tag, room: lobby, after: new Date(second.sentAt), limit: 10 });
assert.deepEqual(ids(after), [third.id]);

await expectCode(alice.invoke("SearchMessages", { query: "\"open", limit: 10 }), "invalid_query", "SearchMessages (unclosed quote)");
await expectCode(alice.invoke("SearchMessages", { query: "a*", limit: 10 }), "invalid_query", "SearchMessages (short prefix)");
await expectCode(alice.invoke("SearchMessages", { query: tag, limit: 51 }), "invalid_limit", "SearchMessages (limit 51)");
await expectCode(alice.invoke("SearchMessages", { query: tag, limit: 10, cursor: "nope" }), "invalid_request", "SearchMessages (bad cursor)");

await Promise.all([alice.connection.stop(), bob.connection.stop()]);
console.log(`js search (${protocolName}): ok`);
