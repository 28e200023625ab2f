// A SignalR JS client written from the product specification alone (contract v2, section 4) keeps two devices of one
// user in agreement on what is unread: alice writes to bob (mentioning him once), bob's laptop marks the room read, and
// his phone hears ReadStateChanged and lists the room as read; bob is notified of the mention on both devices.
// Usage: node readstate.mjs <baseUrl> <json|messagepack>
import assert from "node:assert/strict";
import { expectCode, recorder, signIn } from "./harness.mjs";

const [baseUrl, protocolName] = process.argv.slice(2);
const suffix = Math.random().toString(36).slice(2, 8);

async function connect(userName) {
  const { token, connection } = await signIn(baseUrl, protocolName, userName);
  const events = {
    messages: recorder(connection, "MessageReceived"),
    readStates: recorder(connection, "ReadStateChanged"),
    receipts: recorder(connection, "ReadReceiptChanged"),
    notifications: recorder(connection, "NotificationReceived"),
  };
  await connection.start();
  // The server answers a connection's calls once it has welcomed it: after this, others may name this user.
  await connection.invoke("ListMyRooms");
  return { connection, token, events, invoke: (...args) => connection.invoke(...args) };
}

/** MessagePack may hand 64-bit integers over as BigInt: compare read states as plain numbers. */
const plain = state => ({
  room: state.room,
  lastReadSequence: Number(state.lastReadSequence),
  unreadCount: Number(state.unreadCount),
  mentionCount: Number(state.mentionCount),
});

const listed = async (device, room) => {
  const mine = (await device.invoke("ListMyRooms")).find(r => r.room.room === room);
  assert.ok(mine, `${room} is in ListMyRooms`);
  return plain({ ...mine, room });
};

const alice = await connect(`alice-${suffix}`);
const laptop = await connect(`bob-${suffix}`);
const phone = await connect(`bob-${suffix}`);
const bobId = laptop.token.userId;

// Alice makes a private room with bob and writes three messages, one of them mentioning bob.
const room = `reads-${protocolName}-${suffix}`;
await alice.invoke("CreateRoom", { room, kind: "private", memberIds: [bobId] });
await alice.invoke("JoinRoom", room);
await laptop.invoke("JoinRoom", room);
await alice.invoke("SendMessage", room, "one", null);
const mention = await alice.invoke("PostMessage", room, { content: "two, bob?", mentions: [bobId] });
const three = await alice.invoke("SendMessage", room, "three", null);
assert.deepEqual(await listed(phone, room), { room, lastReadSequence: 0, unreadCount: 3, mentionCount: 1 });

// Bob is notified of the mention on every device, and finds it stored.
for (const device of [laptop, phone]) {
  const notification = await device.events.notifications.next(n => n.messageId === mention.id);
  assert.equal(notification.kind, "mention");
  assert.equal(notification.room, room);
  assert.equal(Number(notification.sequence), Number(mention.sequence));
  assert.equal(notification.fromUserId, alice.token.userId);
  assert.equal(notification.preview, "two, bob?");
}
const stored = await phone.invoke("GetNotifications", null, 10);
assert.ok(stored.some(n => n.messageId === mention.id && n.kind === "mention"), "GetNotifications has the mention");

// The laptop reads up to the second message, then to the last; the pointer never moves back.
assert.deepEqual(plain(await laptop.invoke("MarkRead", room, 2)), { room, lastReadSequence: 2, unreadCount: 1, mentionCount: 0 });
assert.deepEqual(plain(await laptop.invoke("MarkRead", room, 1)), { room, lastReadSequence: 2, unreadCount: 1, mentionCount: 0 });
const read = plain(await laptop.invoke("MarkRead", room, Number(three.sequence)));
assert.deepEqual(read, { room, lastReadSequence: 3, unreadCount: 0, mentionCount: 0 });

// The phone, which joined nothing, clears its badge at once, and the server's list agrees.
assert.deepEqual(plain(await phone.events.readStates.next(s => Number(s.lastReadSequence) === 3)), read);
assert.deepEqual(phone.events.readStates.items.map(s => Number(s.lastReadSequence)), [2, 3], "only moves are announced");
assert.deepEqual(await listed(phone, room), read);

// Alice, in the room, sees that bob has read it.
const receipt = await alice.events.receipts.next(r => r.userId === bobId && Number(r.lastReadSequence) === 3);
assert.equal(receipt.room, room);
const receipts = await alice.invoke("GetReadReceipts", room);
assert.equal(Number(receipts.find(r => r.userId === bobId).lastReadSequence), 3);
assert.equal(alice.events.readStates.items.length, 0, "alice hears nothing of bob's read state but the receipt");

await expectCode(laptop.invoke("MarkRead", room, -1), "invalid_request", "MarkRead (negative)");
await expectCode(laptop.invoke("GetNotifications", null, 0), "invalid_limit", "GetNotifications (limit 0)");
await expectCode(laptop.invoke("GetNotifications", null, 101), "invalid_limit", "GetNotifications (limit 101)");

await Promise.all([alice.connection.stop(), laptop.connection.stop(), phone.connection.stop()]);
console.log(`js read state (${protocolName}): ok`);
