// RoomChangeLog alone: what it hands on, drops and holds back.
import assert from "node:assert/strict";
import { RoomChangeLog, type RoomEvent } from "../dist/index.js";

function change(eventSequence: number): RoomEvent {
  return {
    room: "r", eventSequence, type: "message.edited", at: new Date(), actorId: "a", actorName: "a",
    message: null, messageId: null, reaction: null, member: null, roomInfo: null,
  };
}

const sequences = (events: RoomEvent[]) => events.map((e) => e.eventSequence);

export function changeLog(): void {
  const log = new RoomChangeLog();
  assert.deepEqual(log.offer(change(6)), [], "held until the starting point is known");
  assert.deepEqual(sequences(log.startAt(4)), [], "6 waits for 5");
  assert.ok(log.hasGap);
  assert.deepEqual(sequences(log.offer(change(5))), [5, 6], "the missing one releases those held");
  assert.ok(!log.hasGap);
  assert.deepEqual(log.offer(change(6)), [], "a duplicate is dropped");
  assert.deepEqual(log.offer(change(3)), [], "an older one is dropped");
  assert.deepEqual(sequences(log.startAt(5)), [], "a snapshot never moves back");
  assert.equal(log.eventsUpTo, 6);
  assert.deepEqual(sequences(log.offer(change(9))), []);
  assert.deepEqual(sequences(log.startAt(8)), [9], "a reload's snapshot skips what it covers");
  console.log("typescript change log: ok");
}
