import type { ChatConnection } from "./connection.js";
import { errorCode } from "./errors.js";
import { randomId } from "./ids.js";
import {
  CallEndReasons,
  ChatErrorCodes,
  ChatLimits,
  type CallAnswer,
  type CallEnd,
  type IceCandidate,
  type IceCandidates,
  type IceServer,
  type IncomingCall,
} from "./generated/contract.js";

/** A reason a client may end a call with (`CallEndReasons.ByClient`). */
export type ClientCallEndReason = (typeof CallEndReasons.ByClient)[number];

/** What {@link CallSignaling} tells; every member is optional. */
export interface CallSignalingListener {
  /** Someone calls: every connection of the callee rings. Answer with `answer`, refuse with `end(callId, "declined")`. */
  offered?(call: IncomingCall): void;
  /** The callee took this connection's call: set `sdp` as the remote description. */
  answered?(answer: CallAnswer): void;
  /** The other party's ICE candidates, in the order sent. They may come before the remote description is set: hold them until then. */
  candidates?(candidates: IceCandidates): void;
  /**
   * A call of this connection is over: the server said so (the other side ended it, nobody answered, another device
   * answered), or this connection was lost (`disconnected`: a call belongs to the connection that placed or took it).
   * Not told for a call this side ended with `end`.
   */
  ended?(end: CallEnd): void;
  /** Candidates of a call could not be sent (a refusal other than `rate_limited`, or the call is over): they are dropped. */
  candidatesFailed?(callId: string, error: unknown): void;
}

/** An ICE candidate as the browser gives it (`RTCIceCandidate.toJSON()`); fields the server does not take are left out. */
export interface LocalIceCandidate {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

export interface CallSignalingOptions {
  /** How long local candidates are gathered into one send (default 25 ms): a browser finds several at once. */
  candidateBatchMs?: number;
}

interface TrackedCall {
  /** Local candidates may go once the server knows this connection's part in the call: placed, or answered. */
  open: boolean;
  outbox: IceCandidate[];
  timer: ReturnType<typeof setTimeout> | undefined;
  sending: Promise<void> | undefined;
}

/**
 * The signaling of one-to-one WebRTC calls, typed, over the hub's call methods (`StartCall`, `AnswerCall`,
 * `SendIceCandidates`, `EndCall`, `GetIceServers`) and callbacks. It keeps the order the server needs — local ICE
 * candidates wait until the call is placed or answered, are sent in batches of at most
 * {@link ChatLimits.MaxIceCandidatesPerSend}, and are sent again after `rate_limited` — and tells `ended` for the calls a
 * lost connection ended. The media (`RTCPeerConnection`, `getUserMedia`) stays the app's.
 *
 * A call belongs to the connection that placed or took it, so the call methods run once on the connection as it is:
 * never again on the next connection, where the call no longer exists.
 */
export class CallSignaling {
  private readonly calls = new Map<string, TrackedCall>();
  private readonly listeners = new Set<CallSignalingListener>();
  private readonly batchMs: number;

  constructor(private readonly connection: ChatConnection, options: CallSignalingOptions = {}) {
    this.batchMs = options.candidateBatchMs ?? 25;
    connection.on("CallOffered", (call) => {
      this.track(call.callId, false);
      this.emit((l) => l.offered?.(call));
    });
    connection.on("CallAnswered", (answer) => this.emit((l) => l.answered?.(answer)));
    connection.on("IceCandidatesReceived", (candidates) => this.emit((l) => l.candidates?.(candidates)));
    connection.on("CallEnded", (end) => {
      this.forget(end.callId);
      this.emit((l) => l.ended?.(end));
    });
    connection.onStateChanged((state) => {
      if (state !== "connected") {
        this.connectionLost();
      }
    });
  }

  /** Adds a listener; returns what removes it. */
  listen(listener: CallSignalingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The STUN/TURN servers for `new RTCPeerConnection({ iceServers })`: ask before each call (TURN credentials expire). */
  iceServers(): Promise<IceServer[]> {
    return this.connection.hub.GetIceServers();
  }

  /**
   * Rings the other member of the direct room `room` with the SDP offer; resolves once the server took the call.
   * The call is known here as soon as this is called (before it resolves): candidates given to `addIceCandidate` from
   * then on wait for the server. `callId` is made here unless given. Throws the hub's refusal (`forbidden`,
   * `invalid_request`, `too_large`, `unavailable`), or when the call was ended (`end`, a lost connection) before the
   * connection was there to place it: such a call never rings.
   */
  async start(room: string, offer: { sdp: string; video: boolean; callId?: string }): Promise<string> {
    const callId = offer.callId ?? newCallId();
    const call = this.track(callId, false);
    try {
      await this.connection.whenConnected();
      if (this.calls.get(callId) !== call) {
        // Ended (`end`, or a lost connection) while waiting for the connection: it must not ring now.
        throw new Error(`StartCall: call ${callId} was ended before it was placed.`);
      }
      await this.connection.once.StartCall(room, { callId, sdp: offer.sdp, video: offer.video });
    } catch (error) {
      this.forget(callId);
      throw error;
    }
    this.opened(callId, call);
    return callId;
  }

  /**
   * Takes a call that rings on this connection with the SDP answer. Throws `call_not_found` when it is over or another
   * device took it first; the call is then forgotten here.
   */
  async answer(callId: string, sdp: string): Promise<void> {
    const call = this.track(callId, false);
    try {
      await this.connection.once.AnswerCall(callId, sdp);
    } catch (error) {
      this.forget(callId);
      throw error;
    }
    this.opened(callId, call);
  }

  /**
   * Sends a local ICE candidate (trickle): candidates that come close together go in one `SendIceCandidates`, after
   * the call is placed or answered. An end-of-candidates marker (empty `candidate`) is not sent. Ignored for a call
   * not known here (over, or never placed through `start`).
   */
  addIceCandidate(callId: string, candidate: LocalIceCandidate): void {
    const call = this.calls.get(callId);
    if (call === undefined || !candidate.candidate) {
      return;
    }
    call.outbox.push({ candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? null, sdpMLineIndex: candidate.sdpMLineIndex ?? null });
    if (call.open) {
      this.scheduleSend(callId, call);
    }
  }

  /**
   * Ends a call of this connection — hangs up, cancels a call still ringing, or refuses one that rings here
   * (`declined`, or `busy` when already in a call). The other side hears `ended` with the reason. A call that is over
   * already (`call_not_found`), or a connection that is down (which ended the call), is not an error.
   */
  async end(callId: string, reason: ClientCallEndReason = CallEndReasons.Hangup): Promise<void> {
    this.forget(callId);
    if (!this.connection.isConnected) {
      return;
    }
    try {
      await this.connection.once.EndCall(callId, reason);
    } catch (error) {
      if (errorCode(error) !== ChatErrorCodes.CallNotFound && this.connection.isConnected) {
        throw error;
      }
    }
  }

  private track(callId: string, open: boolean): TrackedCall {
    let call = this.calls.get(callId);
    if (call === undefined) {
      call = { open, outbox: [], timer: undefined, sending: undefined };
      this.calls.set(callId, call);
    }
    return call;
  }

  private opened(callId: string, call: TrackedCall): void {
    if (this.calls.get(callId) !== call) {
      return; // ended meanwhile
    }
    call.open = true;
    if (call.outbox.length > 0) {
      this.scheduleSend(callId, call);
    }
  }

  private forget(callId: string): void {
    const call = this.calls.get(callId);
    if (call !== undefined) {
      clearTimeout(call.timer);
      this.calls.delete(callId);
    }
  }

  private connectionLost(): void {
    const ended = [...this.calls.keys()];
    for (const callId of ended) {
      this.forget(callId);
    }
    for (const callId of ended) {
      this.emit((l) => l.ended?.({ callId, reason: CallEndReasons.Disconnected }));
    }
  }

  private scheduleSend(callId: string, call: TrackedCall): void {
    if (call.timer === undefined && call.sending === undefined) {
      call.timer = setTimeout(() => {
        call.timer = undefined;
        call.sending = this.sendAll(callId, call).finally(() => {
          call.sending = undefined;
          if (call.outbox.length > 0 && this.calls.get(callId) === call) {
            this.scheduleSend(callId, call);
          }
        });
      }, this.batchMs);
    }
  }

  /** Sends the outbox in order, at most {@link ChatLimits.MaxIceCandidatesPerSend} a time, one send at a time. */
  private async sendAll(callId: string, call: TrackedCall): Promise<void> {
    while (call.outbox.length > 0 && this.calls.get(callId) === call) {
      const batch = call.outbox.slice(0, ChatLimits.MaxIceCandidatesPerSend);
      try {
        await this.connection.once.SendIceCandidates(callId, batch);
        call.outbox.splice(0, batch.length);
      } catch (error) {
        if (errorCode(error) === ChatErrorCodes.RateLimited) {
          // The server's budget refills at IceCandidatesPerSecond: wait until this batch fits.
          await delay((batch.length / ChatLimits.IceCandidatesPerSecond) * 1_000);
          continue;
        }
        call.outbox.length = 0;
        if (this.calls.get(callId) === call) {
          this.emit((l) => l.candidatesFailed?.(callId, error));
        }
        return;
      }
    }
  }

  private emit(call: (listener: CallSignalingListener) => void): void {
    for (const listener of this.listeners) {
      call(listener);
    }
  }
}

/** A fresh call id: random, and within `ChatRules.CallIdPattern`. */
export function newCallId(): string {
  return randomId();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
