import {
  CallEndReasons,
  newCallId,
  type CallEnd,
  type CallSignaling,
  type ClientCallEndReason,
  type IceCandidate,
  type IncomingCall,
} from "@chat/client";
import { byId } from "./dom";
import { describeError } from "./errors";

/** Where the call panel is; mirrored in its `data-call-state` for styles and tests. */
type Phase = "ringing" | "connecting" | "connected" | "ended";

/** The call of this tab: placed here, or answered here. */
interface Call {
  readonly callId: string;
  readonly peerName: string;
  readonly video: boolean;
  local: MediaStream | undefined;
  peer: RTCPeerConnection | undefined;
  /** The other side's candidates that came before its description: a peer connection takes them only after it. */
  early: IceCandidate[];
}

/** A call that rings on this tab and has not been taken or refused. */
interface Ringing {
  readonly offer: IncomingCall;
  early: IceCandidate[];
}

/**
 * One-to-one audio and video calls in direct conversations: the call buttons of the room header, the incoming-call
 * banner (every tab of the callee rings; the first to accept takes the call), and the call panel with both videos,
 * mute, camera and hang-up. Signaling goes through the client's `calls`; the media goes from browser to browser.
 * A tab has at most one call: an offer that comes while it is in a call, or ringing, is refused as `busy`.
 */
export class CallView {
  private readonly audioButton = byId<HTMLButtonElement>("call-button");
  private readonly videoButton = byId<HTMLButtonElement>("video-call-button");
  private readonly banner = byId<HTMLElement>("incoming-call");
  private readonly bannerText = byId<HTMLParagraphElement>("incoming-call-text");
  private readonly notice = byId<HTMLParagraphElement>("call-notice");
  private readonly panel = byId<HTMLElement>("call");
  private readonly status = byId<HTMLParagraphElement>("call-status");
  private readonly localVideo = byId<HTMLVideoElement>("local-video");
  private readonly remoteVideo = byId<HTMLVideoElement>("remote-video");
  private readonly muteButton = byId<HTMLButtonElement>("call-mute");
  private readonly cameraButton = byId<HTMLButtonElement>("call-camera");
  private readonly hangupButton = byId<HTMLButtonElement>("call-hangup");
  private readonly closeButton = byId<HTMLButtonElement>("call-close");
  private room: { name: string; peerName: string } | undefined;
  private call: Call | undefined;
  private ringing: Ringing | undefined;

  constructor(private readonly calls: CallSignaling) {
    calls.listen({
      offered: (offer) => this.offered(offer),
      answered: (answer) => void this.answered(answer.callId, answer.sdp),
      candidates: ({ callId, candidates }) => this.remoteCandidates(callId, candidates),
      ended: (end) => this.ended(end),
    });
    this.audioButton.addEventListener("click", () => void this.place(false));
    this.videoButton.addEventListener("click", () => void this.place(true));
    byId<HTMLButtonElement>("call-accept").addEventListener("click", () => void this.accept());
    byId<HTMLButtonElement>("call-decline").addEventListener("click", () => this.decline());
    this.hangupButton.addEventListener("click", () => this.call !== undefined && this.finish(this.call, "you hung up.", CallEndReasons.Hangup));
    this.muteButton.addEventListener("click", () => this.toggle("audio"));
    this.cameraButton.addEventListener("click", () => this.toggle("video"));
    this.closeButton.addEventListener("click", () => {
      this.panel.hidden = true;
    });
  }

  /** The conversation in view: `undefined` unless it is a direct one, where the call buttons show. */
  setRoom(room: { name: string; peerName: string } | undefined): void {
    this.room = room;
    this.renderButtons();
  }

  private renderButtons(): void {
    for (const [button, what] of [[this.audioButton, "Call"], [this.videoButton, "Video call"]] as const) {
      button.hidden = this.room === undefined;
      button.disabled = this.call !== undefined;
      button.title = this.room === undefined ? "" : `${what} ${this.room.peerName}`;
    }
  }

  // ---- placing a call ----

  private async place(video: boolean): Promise<void> {
    const room = this.room;
    if (room === undefined || this.call !== undefined) {
      return;
    }
    const call = this.begin(newCallId(), room.peerName, video);
    this.show("ringing", `Calling ${room.peerName}…`);
    if (!(await this.setUpMedia(call, undefined))) {
      return;
    }
    try {
      const offer = await call.peer!.createOffer();
      if (!this.isCurrent(call)) {
        return;
      }
      // Placed before the local description is set: the candidates that setting starts to find wait for the server.
      const placing = this.calls.start(room.name, { callId: call.callId, sdp: offer.sdp!, video });
      await call.peer!.setLocalDescription(offer);
      await placing;
    } catch (error) {
      this.finish(call, `the call could not be placed. ${describeError(error, { forbidden: "Calls are for direct conversations only." })}`, CallEndReasons.Hangup);
    }
  }

  private async answered(callId: string, sdp: string): Promise<void> {
    const call = this.call;
    if (call?.callId !== callId || call.peer === undefined) {
      return;
    }
    this.show("connecting", `Connecting to ${call.peerName}…`);
    try {
      await call.peer.setRemoteDescription({ type: "answer", sdp });
      this.addCandidates(call, call.early);
    } catch (error) {
      this.finish(call, `the answer could not be used. ${describeError(error)}`, CallEndReasons.Hangup);
    }
  }

  // ---- a call that rings here ----

  private offered(offer: IncomingCall): void {
    if (this.call !== undefined || this.ringing !== undefined) {
      void this.calls.end(offer.callId, CallEndReasons.Busy).catch(() => undefined);
      return;
    }
    this.ringing = { offer, early: [] };
    this.bannerText.textContent = `${offer.fromUserName} is calling you${offer.video ? " (video)" : ""}…`;
    this.notice.textContent = "";
    this.banner.hidden = false;
  }

  private decline(): void {
    const ringing = this.stopRinging();
    if (ringing !== undefined) {
      void this.calls.end(ringing.offer.callId, CallEndReasons.Declined).catch(() => undefined);
    }
  }

  private async accept(): Promise<void> {
    const ringing = this.stopRinging();
    if (ringing === undefined || this.call !== undefined) {
      return;
    }
    const { offer } = ringing;
    const call = this.begin(offer.callId, offer.fromUserName, offer.video);
    call.early = ringing.early;
    this.show("connecting", `Connecting to ${offer.fromUserName}…`);
    if (!(await this.setUpMedia(call, CallEndReasons.Declined))) {
      return;
    }
    try {
      await call.peer!.setRemoteDescription({ type: "offer", sdp: offer.sdp });
      this.addCandidates(call, call.early);
      const answer = await call.peer!.createAnswer();
      await call.peer!.setLocalDescription(answer);
      if (this.isCurrent(call)) {
        await this.calls.answer(call.callId, answer.sdp!);
      }
    } catch (error) {
      this.finish(call, describeError(error, { call_not_found: "the call was over before it could be answered." }), CallEndReasons.Declined);
    }
  }

  private stopRinging(): Ringing | undefined {
    const ringing = this.ringing;
    this.ringing = undefined;
    this.banner.hidden = true;
    return ringing;
  }

  // ---- both sides ----

  private begin(callId: string, peerName: string, video: boolean): Call {
    const call: Call = { callId, peerName, video, local: undefined, peer: undefined, early: [] };
    this.call = call;
    this.panel.dataset["connectionState"] = "new";
    this.panel.classList.toggle("video", video);
    this.muteButton.textContent = "Mute";
    this.muteButton.setAttribute("aria-pressed", "false");
    this.cameraButton.textContent = "Camera off";
    this.cameraButton.setAttribute("aria-pressed", "false");
    this.renderButtons();
    return call;
  }

  /**
   * Microphone (and camera), the ICE servers and the peer connection. False when the call is over instead: the
   * browser refused the devices (said on the panel, and the call ended with `refusal` when it rings here), or the
   * user hung up meanwhile.
   */
  private async setUpMedia(call: Call, refusal: ClientCallEndReason | undefined): Promise<boolean> {
    try {
      call.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: call.video });
    } catch (error) {
      this.finish(call, mediaRefused(error, call.video), refusal);
      return false;
    }
    if (!this.isCurrent(call)) {
      stopTracks(call.local);
      return false;
    }
    this.localVideo.srcObject = call.local;
    let iceServers: RTCIceServer[];
    try {
      iceServers = (await this.calls.iceServers()).map(({ urls, username, credential }) => ({
        urls,
        ...(username === null ? {} : { username }),
        ...(credential === null ? {} : { credential }),
      }));
    } catch (error) {
      this.finish(call, describeError(error), refusal ?? CallEndReasons.Hangup);
      return false;
    }
    if (!this.isCurrent(call)) {
      return false;
    }
    const peer = new RTCPeerConnection({ iceServers });
    call.peer = peer;
    for (const track of call.local.getTracks()) {
      peer.addTrack(track, call.local);
    }
    peer.addEventListener("icecandidate", (event) => event.candidate !== null && this.calls.addIceCandidate(call.callId, event.candidate.toJSON()));
    peer.addEventListener("track", (event) => {
      // The remote <video> plays the other side's audio too (an audio call shows no picture).
      this.remoteVideo.srcObject = event.streams[0] ?? new MediaStream([event.track]);
    });
    peer.addEventListener("connectionstatechange", () => this.connectionStateChanged(call));
    this.muteButton.hidden = false;
    this.cameraButton.hidden = !call.video;
    return true;
  }

  private remoteCandidates(callId: string, candidates: IceCandidate[]): void {
    if (this.ringing?.offer.callId === callId) {
      this.ringing.early.push(...candidates);
    } else if (this.call?.callId === callId) {
      if (this.call.peer?.remoteDescription == null) {
        this.call.early.push(...candidates);
      } else {
        this.addCandidates(this.call, candidates);
      }
    }
  }

  private addCandidates(call: Call, candidates: IceCandidate[]): void {
    call.early = [];
    for (const candidate of candidates) {
      // A candidate the browser cannot use (another network family, say) leaves the others to connect.
      call.peer?.addIceCandidate(candidate).catch(() => undefined);
    }
  }

  private connectionStateChanged(call: Call): void {
    if (!this.isCurrent(call) || call.peer === undefined) {
      return;
    }
    const state = call.peer.connectionState;
    this.panel.dataset["connectionState"] = state;
    if (state === "connected") {
      this.show("connected", `In a call with ${call.peerName}`);
    } else if (state === "disconnected") {
      this.show("connecting", `The connection to ${call.peerName} is interrupted: trying again…`);
    } else if (state === "failed") {
      this.finish(call, `no connection to ${call.peerName} could be made (a network between you may block calls).`, CallEndReasons.Hangup);
    }
  }

  private ended(end: CallEnd): void {
    if (this.ringing?.offer.callId === end.callId) {
      const from = this.ringing.offer.fromUserName;
      this.stopRinging();
      this.notice.textContent = end.reason === CallEndReasons.AnsweredElsewhere
        ? `The call from ${from} was answered on another tab or device.`
        : end.reason === CallEndReasons.Declined || end.reason === CallEndReasons.Busy
          ? `The call from ${from} was refused on another tab or device.`
          : `Missed call from ${from}.`;
    } else if (this.call?.callId === end.callId) {
      this.finish(this.call, endWords(end.reason, this.call.peerName), undefined);
    }
  }

  private toggle(kind: "audio" | "video"): void {
    const tracks = kind === "audio" ? this.call?.local?.getAudioTracks() : this.call?.local?.getVideoTracks();
    if (tracks === undefined || tracks.length === 0) {
      return;
    }
    const off = tracks[0]!.enabled;
    for (const track of tracks) {
      track.enabled = !off;
    }
    const button = kind === "audio" ? this.muteButton : this.cameraButton;
    button.setAttribute("aria-pressed", String(off));
    button.textContent = kind === "audio" ? (off ? "Unmute" : "Mute") : off ? "Camera on" : "Camera off";
  }

  /** Ends the call on this tab (telling the other side with `reason`, when given) and says why on the panel. */
  private finish(call: Call, why: string, reason: ClientCallEndReason | undefined): void {
    if (!this.isCurrent(call)) {
      return;
    }
    this.call = undefined;
    if (reason !== undefined) {
      void this.calls.end(call.callId, reason).catch(() => undefined);
    }
    call.peer?.close();
    stopTracks(call.local);
    this.localVideo.srcObject = null;
    this.remoteVideo.srcObject = null;
    // close() fires no connectionstatechange.
    this.panel.dataset["connectionState"] = "closed";
    this.show("ended", `Call ended: ${why}`);
    this.renderButtons();
  }

  /** Whether the call is still this tab's: any await may have seen it end (a hang-up, the other side's end). */
  private isCurrent(call: Call): boolean {
    return this.call === call;
  }

  private show(phase: Phase, text: string): void {
    this.panel.hidden = false;
    this.panel.dataset["callState"] = phase;
    this.status.textContent = text;
    const ended = phase === "ended";
    this.hangupButton.hidden = ended;
    this.closeButton.hidden = !ended;
    if (ended) {
      this.muteButton.hidden = true;
      this.cameraButton.hidden = true;
    }
  }
}

function endWords(reason: CallEnd["reason"], peerName: string): string {
  switch (reason) {
    case CallEndReasons.Hangup:
      return `${peerName} hung up.`;
    case CallEndReasons.Declined:
      return `${peerName} declined the call.`;
    case CallEndReasons.Busy:
      return `${peerName} is busy in another call.`;
    case CallEndReasons.Timeout:
      return `${peerName} did not answer.`;
    case CallEndReasons.AnsweredElsewhere:
      return "it was answered on another tab or device.";
    case CallEndReasons.Disconnected:
      return "the connection was lost.";
  }
}

function mediaRefused(error: unknown, video: boolean): string {
  const devices = video ? "microphone and camera" : "microphone";
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") {
    return `the browser did not allow the ${devices}. Allow ${video ? "them" : "it"} for this page, then call again.`;
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return `no ${devices} found on this device.`;
  }
  return `the ${devices} could not be started (${name || String(error)}); another app may be using ${video ? "them" : "it"}.`;
}

function stopTracks(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) {
    track.stop();
  }
}
