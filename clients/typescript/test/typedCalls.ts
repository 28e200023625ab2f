// Typed calls against a real server: the generated proxy's arguments and answers, times as Dates over both protocols,
// stable error codes, idempotent sends, and changes handed on in order.
import assert from "node:assert/strict";
import {
  ChatErrorCodes,
  ChatLimits,
  ChatRules,
  RoomEventTypes,
  errorCode,
  type RoomEvent,
} from "../dist/index.js";
import { eventually, startClient, unique, withTimeout, type TestContext } from "./harness.js";

export async function typedCalls({ url, protocol }: TestContext): Promise<void> {
  const room = unique("typed");
  const alice = await startClient(url, protocol, unique("alice"));
  const bob = await startClient(url, protocol, unique("bob"));
  try {
    const joined = await withTimeout(alice.client.joinRoom(room), "alice joins");
    assert.equal(joined.room, room);
    assert.equal(joined.members[0]?.userId, alice.session.userId, "the caller is listed first");
    assert.equal(typeof joined.lastEventSequence, "number");

    const seen: RoomEvent[] = [];
    bob.client.listen({ change: (event) => seen.push(event) });
    const bobJoined = await withTimeout(bob.client.joinRoom(room), "bob joins");
    const start = bobJoined.lastEventSequence;

    const sent = await withTimeout(alice.client.sendMessage(room, "hello, typed world"), "alice sends");
    assert.equal(sent.content, "hello, typed world");
    assert.equal(sent.sequence, 1);
    assert.ok(sent.sentAt instanceof Date, `sentAt is a Date over ${protocol}`);
    assert.ok(Math.abs(sent.sentAt.getTime() - Date.now()) < 60_000, "sentAt is the same instant");
    assert.ok(sent.clientMessageId, "a clientMessageId is made for every send");

    // The same clientMessageId again is the same message: a retried send is stored once.
    const again = await withTimeout(
      alice.client.sendMessage(room, "hello, typed world", { clientMessageId: sent.clientMessageId }),
      "alice sends again",
    );
    assert.equal(again.id, sent.id);

    const edited = await withTimeout(alice.client.hub.EditMessage(room, sent.id, "hello, edited"), "alice edits");
    assert.ok(edited.editedAt instanceof Date);
    const reacted = await withTimeout(bob.client.hub.AddReaction(room, sent.id, "🎉"), "bob reacts");
    assert.deepEqual(reacted.reactions.map((r) => [r.reaction, r.count]), [["🎉", 1]]);

    await eventually(() => seen.length >= 3, "bob sees the message, the edit and the reaction");
    assert.deepEqual(seen.map((e) => e.eventSequence), [start + 1, start + 2, start + 3]);
    assert.deepEqual(seen.map((e) => e.type), [RoomEventTypes.MessagePosted, RoomEventTypes.MessageEdited, RoomEventTypes.ReactionAdded]);
    assert.ok(seen.every((e) => e.at instanceof Date));
    assert.equal(seen[1]!.message?.content, "hello, edited");
    assert.equal(seen[2]!.reaction, "🎉");

    const page = await withTimeout(bob.client.hub.GetEventsSince(room, start, ChatLimits.MaxEventsSincePage), "events since");
    assert.deepEqual(page.events.map((e) => e.eventSequence), seen.map((e) => e.eventSequence));
    assert.ok(page.events[0]!.message!.sentAt instanceof Date);
    const history = await withTimeout(bob.client.hub.GetHistory(room, null, 10), "history");
    assert.equal(history[0]!.content, "hello, edited");
    const rooms = await withTimeout(alice.client.hub.ListRooms(), "list rooms");
    assert.ok(rooms.some((r) => r.room === room && r.lastSequence === 1));

    // Refusals carry the contract's codes; the connection carries on.
    await assert.rejects(alice.client.hub.JoinRoom("not a room!"), (error) => errorCode(error) === ChatErrorCodes.InvalidRoomName);
    await assert.rejects(alice.client.hub.SendMessage(unique("elsewhere"), "hi", null), (error) => errorCode(error) === ChatErrorCodes.NotAMember);
    await assert.rejects(
      alice.client.sendMessage(room, "x".repeat(ChatLimits.MaxMessageLength + 1)),
      (error) => errorCode(error) === ChatErrorCodes.MessageTooLong,
    );
    await assert.rejects(alice.client.hub.GetHistory(room, null, 0), (error) => errorCode(error) === ChatErrorCodes.InvalidLimit);
    assert.ok(ChatRules.RoomNamePattern.test(room));
    assert.ok(!ChatRules.RoomNamePattern.test("-starts-with-a-dash"));
    assert.ok(ChatRules.UserNamePattern.test("Zoë.k"));
    assert.equal(alice.client.connection.state, "connected");
  } finally {
    await alice.client.stop();
    await bob.client.stop();
  }
  console.log(`typescript typed calls (${protocol}): ok`);
}
