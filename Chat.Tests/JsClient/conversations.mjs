// A SignalR JS client written from the product specification alone (contract v2, section 3) holds a private
// conversation that nobody else can read: alice makes a private room with bob, they talk, carol is refused everything
// and sees nothing of it; then alice and bob open their direct room from either side and talk there.
// Usage: node conversations.mjs <baseUrl> <json|messagepack>
import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { expectCode, recorder, signIn } from "./harness.mjs";

const [baseUrl, protocolName] = process.argv.slice(2);
const suffix = Math.random().toString(36).slice(2, 8);

async function connect(userName) {
  const { token, connection } = await signIn(baseUrl, protocolName, userName);
  const events = {
    messages: recorder(connection, "MessageReceived"),
    changes: recorder(connection, "RoomChanged"),
  };
  await connection.start();
  // The server answers a connection's calls once it has welcomed it: after this, others may name this user.
  await connection.invoke("ListMyRooms");
  return { connection, token, events, invoke: (...args) => connection.invoke(...args) };
}

const alice = await connect(`alice-${suffix}`);
const bob = await connect(`bob-${suffix}`);
const carol = await connect(`carol-${suffix}`);
const ids = [alice.token.userId, bob.token.userId].sort();

// Alice makes a private room with bob in it: she is its owner, and bob hears of it without having joined.
const room = `team-${protocolName}-${suffix}`;
const info = await alice.invoke("CreateRoom", { room, kind: "private", title: "Team", memberIds: [bob.token.userId] });
assert.equal(info.room, room);
assert.equal(info.kind, "private");
assert.equal(info.title, "Team");
assert.equal(info.memberCount, 2);
assert.equal(Number(info.lastEventSequence), 2);
assert.equal(info.members ?? null, null, "members are listed in direct rooms only");
const bobAdded = await bob.events.changes.next(e => e.room === room && e.type === "member.added" && e.member.userId === bob.token.userId);
assert.equal(bobAdded.actorId, alice.token.userId);
assert.equal(bobAdded.member.role, "member");
const members = await bob.invoke("GetMembers", room, null, 10);
assert.deepEqual(members.map(m => m.userId), ids, "members are ordered by user id");
assert.equal(members.find(m => m.userId === alice.token.userId).role, "owner");

// They talk.
await alice.invoke("JoinRoom", room);
assert.equal(Number((await bob.invoke("JoinRoom", room)).lastEventSequence), 2);
const hello = await alice.invoke("SendMessage", room, "just the team", null);
assert.equal((await bob.events.messages.next(m => m.id === hello.id)).content, "just the team");
const reply = await bob.invoke("PostMessage", room, { content: "agreed", replyToId: hello.id });
assert.equal((await alice.events.messages.next(m => m.id === reply.id)).replyTo.id, hello.id);

// Carol is refused every way in, and sees nothing of the room.
await expectCode(carol.invoke("JoinRoom", room), "forbidden", "JoinRoom");
await expectCode(carol.invoke("GetHistory", room, null, 50), "forbidden", "GetHistory");
await expectCode(carol.invoke("GetEventsSince", room, 0, 100), "forbidden", "GetEventsSince");
await expectCode(carol.invoke("GetMessagesSince", room, 0, 100), "forbidden", "GetMessagesSince");
await expectCode(carol.invoke("GetMembers", room, null, 10), "forbidden", "GetMembers");
await expectCode(carol.invoke("GetPresence", room), "forbidden", "GetPresence");
await expectCode(carol.invoke("SendMessage", room, "let me in", null), "forbidden", "SendMessage");
assert.ok(!(await carol.invoke("ListRooms")).some(r => r.room === room), "ListRooms hides the private room from carol");
assert.deepEqual(await carol.invoke("ListMyRooms"), []);
assert.ok((await bob.invoke("ListRooms")).some(r => r.room === room), "bob, a member, sees it");

// Both find the room in their list of rooms, with their role and the newest message.
const aliceRooms = await alice.invoke("ListMyRooms");
const mine = aliceRooms.find(r => r.room.room === room);
assert.equal(mine.role, "owner");
assert.equal(mine.lastMessage.id, reply.id);
assert.equal((await bob.invoke("ListMyRooms")).find(r => r.room.room === room).role, "member");

// A member replays the room's log: who was added, then what was said.
const page = await bob.invoke("GetEventsSince", room, 0, 100);
assert.deepEqual(page.events.map(e => e.type), ["member.added", "member.added", "message.posted", "message.posted"]);
assert.deepEqual(page.events.map(e => Number(e.eventSequence)), [1, 2, 3, 4]);

// A direct room: the same room from either side, named by the server, with both members listed.
const direct = await alice.invoke("OpenDirect", bob.token.userId);
assert.equal(direct.kind, "direct");
assert.match(direct.room, /^dm-[0-9a-f]{40}$/);
assert.deepEqual(direct.members.map(m => m.userId).sort(), ids);
assert.ok(direct.members.every(m => m.role === "member"));
const fromBob = await bob.invoke("OpenDirect", alice.token.userId);
assert.equal(fromBob.room, direct.room);
assert.equal(Number(fromBob.lastEventSequence), 2, "opening it again changes nothing");
await alice.invoke("JoinRoom", direct.room);
await bob.invoke("JoinRoom", direct.room);
const whisper = await bob.invoke("SendMessage", direct.room, "just us two", null);
assert.equal((await alice.events.messages.next(m => m.id === whisper.id)).content, "just us two");
await expectCode(carol.invoke("JoinRoom", direct.room), "forbidden", "JoinRoom (direct)");
await expectCode(carol.invoke("GetHistory", direct.room, null, 50), "forbidden", "GetHistory (direct)");
await expectCode(carol.invoke("GetEventsSince", direct.room, 0, 100), "forbidden", "GetEventsSince (direct)");
await expectCode(carol.invoke("OpenDirect", carol.token.userId), "invalid_request", "OpenDirect (oneself)");
assert.ok(!(await carol.invoke("ListRooms")).some(r => r.room === direct.room), "ListRooms hides the direct room from carol");
assert.ok((await alice.invoke("ListMyRooms")).some(r => r.room.room === direct.room && r.room.kind === "direct"));

// Nothing of either room ever reached carol, and her connection still works.
assert.equal(carol.events.messages.items.length, 0);
assert.equal(carol.events.changes.items.length, 0);
assert.equal(carol.connection.state, signalR.HubConnectionState.Connected);

await Promise.all([alice.connection.stop(), bob.connection.stop(), carol.connection.stop()]);
console.log(`js conversations (${protocolName}): ok`);
