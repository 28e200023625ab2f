// Chat.Client's recovery scenario, for this package: a sender streams 500 messages (16 sends in flight) and edits every
// fifth while every connection is cut twice; the receiver ends with every change exactly once, in order, and each
// message as the store holds it.
import assert from "node:assert/strict";
import { ChatLimits, RoomEventTypes, type ChatMessage, type RoomEvent } from "../dist/index.js";
import { eventually, startClient, TcpRelay, unique, withTimeout, type TestContext } from "./harness.js";

const MessageCount = 500;
const EditEvery = 5;

export async function recovery({ url, protocol }: TestContext): Promise<void> {
  const relay = await TcpRelay.start(url);
  const room = unique("exchange");
  // The receiver comes back a second after each cut, the sender at once: what is sent meanwhile reaches the receiver
  // only by recovery.
  const receiver = await startClient(relay.url, protocol, unique("receiver"), () => 1_000);
  const sender = await startClient(relay.url, protocol, unique("sender"), () => 50);
  const states: string[] = [];
  let acknowledged = 0;
  let acknowledgedWhenCut = 0;
  const sentWhileAway: number[] = [];
  receiver.client.connection.onStateChanged((state) => {
    states.push(state);
    if (state === "reconnecting") {
      acknowledgedWhenCut = acknowledged;
    } else if (state === "connected" && states.includes("reconnecting")) {
      sentWhileAway.push(acknowledged - acknowledgedWhenCut);
    }
  });
  const delivered: RoomEvent[] = [];
  receiver.client.listen({ change: (event) => delivered.push(event) });
  try {
    const start = (await withTimeout(receiver.client.joinRoom(room), "receiver joins")).lastEventSequence;
    await withTimeout(sender.client.joinRoom(room), "sender joins");

    let next = 0;
    const work = async (): Promise<void> => {
      for (let i = next++; i < MessageCount; i = next++) {
        const message = await sender.client.sendMessage(room, `message ${i}`);
        acknowledged++;
        if (i % EditEvery === 0) {
          await sender.client.hub.EditMessage(room, message.id, `message ${i}, edited`);
        }
      }
    };
    const sending = Promise.all(Array.from({ length: 16 }, work));
    for (const after of [150, 330]) {
      await eventually(() => acknowledged >= after, `${after} sends acknowledged`);
      await eventually(() => receiver.client.connection.state === "connected", "the receiver is connected before the cut");
      assert.ok(relay.drop() > 0, "the relay had connections to cut");
    }
    await withTimeout(sending, "every send and edit acknowledged", 120_000);

    const edits = MessageCount / EditEvery;
    await eventually(() => delivered.length >= MessageCount + edits, "every change delivered", 120_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a duplicate would show up in this time
    assert.deepEqual(
      delivered.map((e) => e.eventSequence),
      Array.from({ length: MessageCount + edits }, (_, i) => start + i + 1),
      "every change exactly once, in order",
    );
    const posted = delivered.filter((e) => e.type === RoomEventTypes.MessagePosted).map((e) => e.message!);
    assert.deepEqual(posted.map((m) => m.sequence), Array.from({ length: MessageCount }, (_, i) => i + 1), "every message once, in order");
    assert.equal(delivered.filter((e) => e.type === RoomEventTypes.MessageEdited).length, edits);

    // The newest copy of each message the receiver holds is what the store holds.
    const newest = new Map<string, ChatMessage>();
    for (const event of delivered) {
      const message = event.message!;
      if ((newest.get(message.id)?.eventSequence ?? 0) < message.eventSequence) {
        newest.set(message.id, message);
      }
    }
    const stored = await withTimeout(receiver.client.hub.GetMessagesSince(room, 0, ChatLimits.MaxMessagesSincePage), "stored messages");
    assert.equal(stored.length, MessageCount);
    for (const message of stored) {
      const held = newest.get(message.id);
      assert.equal(held?.content, message.content, `message ${message.sequence} as stored`);
      assert.equal(held?.eventSequence, message.eventSequence);
    }
    assert.equal(new Set(stored.map((m) => m.content.replace(", edited", ""))).size, MessageCount, "each send stored once");
    assert.ok(states.filter((s) => s === "reconnecting").length >= 2, `both cuts reached the receiver: ${states.join(", ")}`);
    assert.ok(sentWhileAway.some((count) => count > 0), `messages were sent while the receiver was away: ${sentWhileAway.join(", ")}`);
    assert.equal(receiver.client.connection.state, "connected");
    assert.ok(receiver.tokensAsked() >= 3, `the token factory is asked again on every reconnect: ${receiver.tokensAsked()}`);
  } finally {
    await receiver.client.stop();
    await sender.client.stop();
    await relay.close();
  }
  console.log(`typescript recovery (${protocol}): ok`);
}
