// A SignalR JS client written from the product specification alone: log in, join, chat, typing, presence,
// history paging, every error code with the connection still usable, and (contract v2) replies, mentions, edits,
// deletes and reactions that a client which was away recovers from the room's change log.
// Usage: node contract.mjs <baseUrl> <json|messagepack>
import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { expectCode, recorder, signIn } from "./harness.mjs";

const [baseUrl, protocolName] = process.argv.slice(2);
const suffix = Math.random().toString(36).slice(2, 8);
const room = `js-${protocolName}-${suffix}`;

async function connect(userName) {
  const { token, connection } = await signIn(baseUrl, protocolName, userName);
  const events = {
    messages: recorder(connection, "MessageReceived"),
    changes: recorder(connection, "RoomChanged"),
    joined: recorder(connection, "UserJoined"),
    left: recorder(connection, "UserLeft"),
    typing: recorder(connection, "TypingChanged"),
    presence: recorder(connection, "PresenceChanged"),
  };
  await connection.start();
  return { connection, token, events };
}

const asTime = value => (value instanceof Date ? value : new Date(value)).getTime();

// Negotiate without a token is refused.
const anonymous = await fetch(`${baseUrl}/hubs/chat/negotiate?negotiateVersion=1`, { method: "POST" });
assert.equal(anonymous.status, 401);
const badName = await fetch(`${baseUrl}/api/auth/token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ userName: "no spaces" }) });
assert.equal(badName.status, 400);

const alice = await connect(`alice-${suffix}`);
const bob = await connect(`bob-${suffix}`);

// Join: members include the caller; the others hear UserJoined.
const aliceJoin = await alice.connection.invoke("JoinRoom", room);
assert.equal(aliceJoin.room, room);
assert.deepEqual(aliceJoin.members.map(m => m.userId), [alice.token.userId]);
assert.equal(aliceJoin.lastSequence, 0);
const bobJoin = await bob.connection.invoke("JoinRoom", room.toUpperCase());
assert.equal(bobJoin.room, room);
assert.equal(bobJoin.members.length, 2);
const joined = await alice.events.joined.next(e => e.room === room);
assert.equal(joined.userId, bob.token.userId);

// Typing reaches the other user, and ends when the typist sends.
await alice.connection.invoke("SetTyping", room, true);
const typing = await bob.events.typing.next(t => t.isTyping);
assert.deepEqual({ ...typing }, { room, userId: alice.token.userId, userName: alice.token.userName, isTyping: true });

// Chat: the ack is the stored message; everyone in the room receives it once.
const sent = await alice.connection.invoke("SendMessage", room, "  hello from js  ", "js-1");
assert.equal(sent.content, "hello from js");
assert.equal(sent.sequence, 1);
assert.equal(sent.clientMessageId, "js-1");
const received = await bob.events.messages.next(m => m.id === sent.id);
assert.equal(asTime(received.sentAt), asTime(sent.sentAt), "the same instant whatever the protocol");
assert.ok(!Number.isNaN(asTime(received.sentAt)));
await bob.events.typing.next(t => !t.isTyping && t.userId === alice.token.userId);
const retry = await alice.connection.invoke("SendMessage", room, "hello from js", "js-1");
assert.equal(retry.id, sent.id, "a retry with the same clientMessageId returns the stored message");

// History paging and recovery.
for (let i = 2; i <= 6; i++) await bob.connection.invoke("SendMessage", room, `m${i}`, null);
const newest = await alice.connection.invoke("GetHistory", room, null, 3);
assert.deepEqual(newest.map(m => Number(m.sequence)), [4, 5, 6]);
const older = await alice.connection.invoke("GetHistory", room, newest[0].sequence, 3);
assert.deepEqual(older.map(m => Number(m.sequence)), [1, 2, 3]);
const since = await alice.connection.invoke("GetMessagesSince", room, 4, 500);
assert.deepEqual(since.map(m => Number(m.sequence)), [5, 6]);
const rooms = await alice.connection.invoke("ListRooms");
const summary = rooms.find(r => r.room === room);
assert.equal(summary.memberCount, 2);
assert.equal(Number(summary.lastSequence), 6);
const presence = await alice.connection.invoke("GetPresence", room);
assert.deepEqual(presence.map(p => p.status), ["online", "online"]);

// Every error code, each followed by a successful call on the same connection.
const carol = await connect(`carol-${suffix}`);
await expectCode(carol.connection.invoke("JoinRoom", "not a room"), "invalid_room_name");
await expectCode(carol.connection.invoke("SendMessage", room, "hi", null), "not_a_member");
await carol.connection.invoke("JoinRoom", room);
await expectCode(carol.connection.invoke("SendMessage", room, "   ", null), "empty_message");
await expectCode(carol.connection.invoke("SendMessage", room, "x".repeat(4001), null), "message_too_long");
await expectCode(carol.connection.invoke("GetHistory", room, null, 0), "invalid_limit");
for (let i = 0; i < 99; i++) await carol.connection.invoke("JoinRoom", `${room}-${i}`);
await expectCode(carol.connection.invoke("JoinRoom", `${room}-extra`), "too_many_rooms");
const flood = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => carol.connection.invoke("SendMessage", room, `flood ${i}`, null)));
const limited = flood.filter(r => r.status === "rejected");
assert.ok(limited.length > 0, "a burst beyond 20 is rate limited");
for (const r of limited) assert.ok(r.reason.message.startsWith("rate_limited: "), r.reason.message);
assert.equal(carol.connection.state, signalR.HubConnectionState.Connected);
assert.equal((await carol.connection.invoke("GetHistory", room, null, 1)).length, 1);

// Leaving and disconnecting are announced.
await bob.connection.invoke("LeaveRoom", room);
assert.equal((await alice.events.left.next(e => e.room === room)).userId, bob.token.userId);
await carol.connection.stop();
const offline = await alice.events.presence.next(p => p.userId === carol.token.userId);
assert.equal(offline.status, "offline");

// Contract v2: the message lifecycle, in a room of its own with users who have their whole send burst left.
const lifeRoom = `${room}-life`;
const dave = await connect(`dave-${suffix}`);
const erin = await connect(`erin-${suffix}`);
const frank = await connect(`frank-${suffix}`);
const daveJoin = await dave.connection.invoke("JoinRoom", lifeRoom);
assert.equal(Number(daveJoin.lastEventSequence), 0);
assert.equal(daveJoin.memberCount, 1);
await erin.connection.invoke("JoinRoom", lifeRoom);
assert.equal((await frank.connection.invoke("JoinRoom", lifeRoom)).memberCount, 3);
const question = await dave.connection.invoke("SendMessage", lifeRoom, "what's for lunch?", null);
assert.equal(Number(question.eventSequence), 1);
assert.deepEqual([question.mentions, question.reactions, question.attachments], [[], [], []]);
assert.equal(question.replyTo ?? null, null);
assert.equal(question.editedAt ?? null, null);
assert.equal(question.deletedAt ?? null, null);

// Frank hears the first message, notes how far the room's log went, and goes away for everything that follows.
const frankSaw = await frank.events.messages.next(m => m.id === question.id);
let frankLast = Number(frankSaw.eventSequence);
await frank.connection.stop();

// A reply with mentions (deduplicated); a retry with the same clientMessageId is the same message.
const replyRequest = { content: "pizza", clientMessageId: "js-reply", replyToId: question.id, mentions: [dave.token.userId, dave.token.userId] };
const reply = await erin.connection.invoke("PostMessage", lifeRoom, replyRequest);
assert.deepEqual({ ...reply.replyTo, sequence: Number(reply.replyTo.sequence) },
  { id: question.id, sequence: 1, senderName: dave.token.userName, preview: "what's for lunch?" });
assert.deepEqual(reply.mentions, [dave.token.userId]);
assert.equal(Number(reply.sequence), 2);
assert.equal(Number(reply.eventSequence), 2);
assert.equal((await dave.events.messages.next(m => m.id === reply.id)).content, "pizza");
assert.equal((await erin.connection.invoke("PostMessage", lifeRoom, replyRequest)).id, reply.id);

// An edit reaches everyone as RoomChanged; the same edit again changes nothing.
const edited = await dave.connection.invoke("EditMessage", lifeRoom, question.id, "what's for dinner?");
assert.equal(edited.content, "what's for dinner?");
assert.ok(!Number.isNaN(asTime(edited.editedAt)));
assert.equal(Number(edited.eventSequence), 3);
const editEvent = await erin.events.changes.next(e => e.type === "message.edited");
assert.equal(Number(editEvent.eventSequence), 3);
assert.equal(editEvent.messageId, question.id);
assert.equal(editEvent.actorId, dave.token.userId);
assert.equal(editEvent.message.content, "what's for dinner?");
assert.equal(Number((await dave.connection.invoke("EditMessage", lifeRoom, question.id, "what's for dinner?")).eventSequence), 3);

// Reactions: counts and who reacted; adding one already there is harmless.
await dave.connection.invoke("AddReaction", lifeRoom, reply.id, "👍");
const liked = await erin.connection.invoke("AddReaction", lifeRoom, reply.id, "👍");
assert.deepEqual(liked.reactions, [{ reaction: "👍", count: 2, userIds: [dave.token.userId, erin.token.userId] }]);
assert.equal(Number((await erin.connection.invoke("AddReaction", lifeRoom, reply.id, "👍")).eventSequence), 5);
const unliked = await erin.connection.invoke("RemoveReaction", lifeRoom, reply.id, "👍");
assert.deepEqual(unliked.reactions, [{ reaction: "👍", count: 1, userIds: [dave.token.userId] }]);
const reactionEvent = await dave.events.changes.next(e => e.type === "reaction.removed");
assert.equal(reactionEvent.reaction, "👍");
assert.equal(Number(reactionEvent.eventSequence), 6);

// The new error codes, each leaving the connection usable.
await expectCode(erin.connection.invoke("EditMessage", lifeRoom, question.id, "mine now"), "forbidden");
await expectCode(erin.connection.invoke("DeleteMessage", lifeRoom, "no-such-message"), "not_found");
await expectCode(erin.connection.invoke("AddReaction", lifeRoom, reply.id, "thumbs up"), "invalid_reaction");
await expectCode(erin.connection.invoke("GetEventsSince", lifeRoom, 0, 0), "invalid_limit");
await expectCode(erin.connection.invoke("PostMessage", lifeRoom, { content: "x", clientMessageId: "c".repeat(129) }), "invalid_request");

// A delete leaves a tombstone everywhere; deleting again changes nothing.
const secret = "please forget this";
const doomed = await erin.connection.invoke("SendMessage", lifeRoom, secret, null);
await erin.connection.invoke("DeleteMessage", lifeRoom, doomed.id);
const deleteEvent = await dave.events.changes.next(e => e.type === "message.deleted");
assert.equal(Number(deleteEvent.eventSequence), 8);
assert.equal(deleteEvent.message.content, "");
assert.ok(!Number.isNaN(asTime(deleteEvent.message.deletedAt)));
assert.deepEqual([deleteEvent.message.mentions, deleteEvent.message.reactions], [[], []]);
await erin.connection.invoke("DeleteMessage", lifeRoom, doomed.id);
const farewell = await dave.connection.invoke("SendMessage", lifeRoom, "see you", null);
assert.equal(Number(farewell.eventSequence), 9, "no-op changes and refused calls took no number");

// Frank comes back and replays what he missed, two changes a page: each change once, in order, nothing missing.
await frank.connection.start();
const frankRejoin = await frank.connection.invoke("JoinRoom", lifeRoom);
assert.equal(Number(frankRejoin.lastEventSequence), 9);
const recovered = [];
for (;;) {
  const page = await frank.connection.invoke("GetEventsSince", lifeRoom, frankLast, 2);
  assert.equal(page.resetRequired, false);
  assert.equal(Number(page.lastEventSequence), 9);
  if (page.events.length === 0) break;
  for (const event of page.events) {
    assert.equal(Number(event.eventSequence), frankLast + 1, "in order, each change once");
    frankLast = Number(event.eventSequence);
    recovered.push(event);
  }
}
assert.deepEqual(recovered.map(e => e.type), [
  "message.posted", "message.edited", "reaction.added", "reaction.added", "reaction.removed",
  "message.posted", "message.deleted", "message.posted",
]);
assert.ok(!JSON.stringify(recovered).includes(secret), "no trace of deleted text in any event");

// Keeping each message's newest copy (by eventSequence) leaves Frank with the room as it is now.
const local = new Map([[frankSaw.id, frankSaw]]);
for (const event of recovered) {
  const held = local.get(event.messageId);
  if (!held || Number(held.eventSequence) < Number(event.message.eventSequence)) local.set(event.messageId, event.message);
}
const shape = m => ({
  id: m.id, sequence: Number(m.sequence), content: m.content, eventSequence: Number(m.eventSequence),
  editedAt: m.editedAt == null ? null : asTime(m.editedAt), deletedAt: m.deletedAt == null ? null : asTime(m.deletedAt),
  replyTo: m.replyTo == null ? null : { ...m.replyTo, sequence: Number(m.replyTo.sequence) },
  mentions: m.mentions, reactions: m.reactions,
});
const now = await dave.connection.invoke("GetHistory", lifeRoom, null, 50);
assert.deepEqual([...local.values()].sort((a, b) => Number(a.sequence) - Number(b.sequence)).map(shape), now.map(shape));
await Promise.all([dave.connection.stop(), erin.connection.stop(), frank.connection.stop()]);

await Promise.all([alice.connection.stop(), bob.connection.stop()]);
console.log(`js contract (${protocolName}): ok`);
