// The call signaling layer (`client.calls`) against a real server: an offer rings both of the callee's connections,
// the answer reaches the caller and stops the other ringing, candidates are held until the call is placed or taken
// and go in batches, a decline and a hang-up reach the other side, and a lost connection ends its calls here.
import assert from "node:assert/strict";
import {
  CallEndReasons,
  ChatErrorCodes,
  errorCode,
  newCallId,
  type CallAnswer,
  type CallEnd,
  type ChatClient,
  type IceCandidates,
  type IncomingCall,
} from "../dist/index.js";
import { eventually, startClient, unique, withTimeout, type TestContext } from "./harness.js";

interface Heard {
  offered: IncomingCall[];
  answered: CallAnswer[];
  candidates: IceCandidates[];
  ended: CallEnd[];
}

function hear(client: ChatClient): Heard {
  const heard: Heard = { offered: [], answered: [], candidates: [], ended: [] };
  client.calls.listen({
    offered: (call) => heard.offered.push(call),
    answered: (answer) => heard.answered.push(answer),
    candidates: (candidates) => heard.candidates.push(candidates),
    ended: (end) => heard.ended.push(end),
  });
  return heard;
}

function candidate(port: number): { candidate: string; sdpMid: string; sdpMLineIndex: number; usernameFragment: string } {
  // As RTCIceCandidate.toJSON() gives it: usernameFragment is not the server's, and is left out.
  return { candidate: `candidate:1 1 udp 2122260223 192.0.2.1 ${port} typ host`, sdpMid: "0", sdpMLineIndex: 0, usernameFragment: "abcd" };
}

export async function calls({ url, protocol }: TestContext): Promise<void> {
  const aliceName = unique("alice");
  const bobName = unique("bob");
  const alice = await startClient(url, protocol, aliceName);
  const bob = await startClient(url, protocol, bobName);
  const bobTab = await startClient(url, protocol, bobName);
  const clients = [alice, bob, bobTab];
  try {
    const room = await withTimeout(alice.client.hub.OpenDirect(bob.session.userId), "alice opens the direct room");
    const [heardAlice, heardBob, heardBobTab] = clients.map((c) => hear(c.client)) as [Heard, Heard, Heard];

    const servers = await withTimeout(alice.client.calls.iceServers(), "ice servers");
    assert.ok(Array.isArray(servers));

    // A call: the caller's candidates given before the server took the call wait for it, then go together.
    const callId = newCallId();
    const starting = alice.client.calls.start(room.room, { callId, sdp: "v=0 offer", video: true });
    for (const port of [5001, 5002, 5003]) {
      alice.client.calls.addIceCandidate(callId, candidate(port));
    }
    alice.client.calls.addIceCandidate("not-a-call-here", candidate(1));
    assert.equal(await withTimeout(starting, "alice starts a call"), callId);
    await eventually(() => heardBob.offered.length === 1 && heardBobTab.offered.length === 1, "both of bob's connections ring");
    assert.deepEqual(heardBob.offered[0], { callId, sdp: "v=0 offer", video: true, room: room.room, fromUserId: alice.session.userId, fromUserName: aliceName });
    await eventually(() => heardBob.candidates.length > 0 && heardBobTab.candidates.length > 0, "alice's candidates ring along");
    assert.deepEqual(heardBob.candidates.flatMap((c) => c.candidates.map((x) => x.candidate)), [5001, 5002, 5003].map((p) => candidate(p).candidate));
    assert.equal(heardBob.candidates.length, 1, "candidates given together go in one send");
    assert.deepEqual(heardBob.candidates[0]!.candidates[0], { candidate: candidate(5001).candidate, sdpMid: "0", sdpMLineIndex: 0 });

    // Bob's candidates before his answer wait for it; the answer wins, the other tab stops ringing.
    bob.client.calls.addIceCandidate(callId, candidate(6001));
    bob.client.calls.addIceCandidate(callId, candidate(6002));
    await withTimeout(bob.client.calls.answer(callId, "v=0 answer"), "bob answers");
    await eventually(() => heardAlice.answered.length === 1, "alice hears the answer");
    assert.deepEqual(heardAlice.answered[0], { callId, sdp: "v=0 answer" });
    await eventually(() => heardBobTab.ended.length === 1, "bob's other tab stops ringing");
    assert.deepEqual(heardBobTab.ended[0], { callId, reason: CallEndReasons.AnsweredElsewhere });
    await assert.rejects(bobTab.client.calls.answer(callId, "v=0 late"), (error) => errorCode(error) === ChatErrorCodes.CallNotFound);
    await eventually(() => heardAlice.candidates.length === 1, "bob's held candidates reach alice, together");
    assert.deepEqual(heardAlice.candidates[0]!.candidates.map((c) => c.candidate), [6001, 6002].map((p) => candidate(p).candidate));

    // Trickle after the answer goes to the answering connection only.
    alice.client.calls.addIceCandidate(callId, candidate(5004));
    await eventually(() => heardBob.candidates.length === 2, "a later candidate reaches bob");
    assert.equal(heardBob.candidates[1]!.candidates[0]!.candidate, candidate(5004).candidate);
    assert.equal(heardBobTab.candidates.length, 1, "the tab that did not answer hears no more");

    // Hang-up: the other side hears it; ending it again is no error.
    await withTimeout(bob.client.calls.end(callId), "bob hangs up");
    await eventually(() => heardAlice.ended.length === 1, "alice hears the hang-up");
    assert.deepEqual(heardAlice.ended[0], { callId, reason: CallEndReasons.Hangup });
    await withTimeout(alice.client.calls.end(callId), "alice ends a call that is over");

    // A decline reaches the caller, and stops the callee's other tab ringing.
    const declined = await withTimeout(alice.client.calls.start(room.room, { sdp: "v=0 offer 2", video: false }), "alice calls again");
    await eventually(() => heardBob.offered.length === 2 && heardBobTab.offered.length === 2, "bob rings again");
    assert.equal(heardBob.offered[1]!.video, false);
    await withTimeout(bobTab.client.calls.end(declined, CallEndReasons.Declined), "bob declines on his tab");
    await eventually(() => heardAlice.ended.length === 2 && heardBob.ended.length === 1, "alice hears the decline, bob stops ringing");
    assert.deepEqual(heardAlice.ended[1], { callId: declined, reason: CallEndReasons.Declined });

    // A call whose connection goes away is over here too.
    const lost = await withTimeout(alice.client.calls.start(room.room, { sdp: "v=0 offer 3", video: false }), "alice calls a third time");
    await withTimeout(alice.client.stop(), "alice's connection stops");
    assert.deepEqual(heardAlice.ended[2], { callId: lost, reason: CallEndReasons.Disconnected });
    await eventually(() => heardBob.ended.some((e) => e.callId === lost), "bob stops ringing: the caller left");
    assert.equal(heardBob.ended.find((e) => e.callId === lost)!.reason, CallEndReasons.Disconnected);
  } finally {
    for (const { client } of clients) {
      await client.stop();
    }
  }
  console.log(`typescript calls (${protocol}): ok`);
}
