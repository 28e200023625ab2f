// Two server nodes share one store but no backplane: each node's clients see the other node's changes only in the
// change log, so live traffic jumps, as a lossy backplane would make it. The client must notice each hole, hold back
// what follows it, fetch the missing changes and hand everything on in order.
import assert from "node:assert/strict";
import { RoomEventTypes, type RoomEvent } from "../dist/index.js";
import { eventually, startClient, unique, withTimeout, type TestContext } from "./harness.js";

export async function liveGap({ url, protocol }: TestContext): Promise<void> {
  const [nodeA, nodeB] = url.split(",");
  assert.ok(nodeA && nodeB, "two server addresses, comma-separated");
  const room = unique("gap");
  const alice = await startClient(nodeA, protocol, unique("alice"));
  const bob = await startClient(nodeB, protocol, unique("bob"));
  const seen: RoomEvent[] = [];
  alice.client.listen({ change: (event) => seen.push(event) });
  try {
    const start = (await withTimeout(alice.client.joinRoom(room), "alice joins")).lastEventSequence;
    await withTimeout(bob.client.joinRoom(room), "bob joins");

    const bobs = await withTimeout(bob.client.sendMessage(room, "b1"), "bob sends");
    await withTimeout(alice.client.sendMessage(room, "a2"), "alice sends");
    await eventually(() => seen.length >= 2, "alice has both messages");
    await withTimeout(bob.client.hub.EditMessage(room, bobs.id, "b1, edited"), "bob edits");
    await withTimeout(bob.client.hub.AddReaction(room, bobs.id, ":tada:"), "bob reacts");
    await withTimeout(alice.client.sendMessage(room, "a5"), "alice sends again");

    await eventually(() => seen.length >= 5, "alice has every change");
    assert.deepEqual(seen.map((e) => e.eventSequence), [1, 2, 3, 4, 5].map((n) => start + n));
    assert.deepEqual(seen.map((e) => e.type), [
      RoomEventTypes.MessagePosted, RoomEventTypes.MessagePosted, RoomEventTypes.MessageEdited, RoomEventTypes.ReactionAdded,
      RoomEventTypes.MessagePosted,
    ]);
    assert.equal(seen[2]!.message?.content, "b1, edited");
    assert.equal(seen[3]!.reaction, ":tada:");
  } finally {
    await alice.client.stop();
    await bob.client.stop();
  }
  console.log(`typescript live gap (${protocol}): ok`);
}
