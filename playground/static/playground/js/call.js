// A 1:1 WebRTC call (docs/calls.md). The server never carries media: it hands out ICE servers and
// relays the SDP offer/answer and ICE candidates between the two browsers.
//
//   1. POST /api/call/start/ {match_id} -> {call_session_id, call_id, ice_servers} (both sides call it)
//   2. camera + microphone, then WS /ws/call/<call_session_id>/?token=
//   3. peer.joined {should_offer}: exactly one side (the caller) makes the offer, on every
//      peer.joined (the peer may have reconnected): a fresh RTCPeerConnection each time
//   4. offer -> answer; ice_candidate frames both ways, applied once the remote description is set
//   5. hangup frame, then POST /api/call/end/; the peer gets hangup and call.ended (socket closes 1000)

import { JsonSocket } from "./socket.js";
import { $, setText, show } from "./ui.js";

export class Call {
  // onEnded({callId}) runs once when the call is over (either side, or the server).
  constructor(api, { onEnded, log }) {
    this.api = api;
    this.onEnded = onEnded;
    this.log = log;
    this.pc = null;
    this.socket = null;
    this.localStream = null;
    this.pendingCandidates = [];
    this.frames = Promise.resolve(); // signaling frames are handled one at a time, in order
    this.statsTimer = null;
    this.ended = false;
  }

  async start(matchId) {
    const started = await this.api.post("/api/call/start/", { match_id: matchId });
    this.callId = started.call_id;
    this.sessionId = started.call_session_id;
    this.iceServers = started.ice_servers; // passed unchanged to RTCPeerConnection
    show("call-panel");
    show("rating-panel", false);

    this.localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    $("local-video").srcObject = this.localStream;

    this.socket = new JsonSocket(`/ws/call/${this.sessionId}/`, {
      api: this.api,
      onFrame: (frame) => {
        this.frames = this.frames.then(() => this.#onFrame(frame)).catch((error) => this.log(`call: ${error}`));
      },
      onStatus: (status) => setText("call-socket", status),
    });
    await this.socket.open();
    this.statsTimer = setInterval(() => this.#showStats(), 1000);
  }

  // The live RTCPeerConnection (the end-to-end tests read its getStats()).
  get peerConnection() {
    return this.pc;
  }

  async #onFrame(frame) {
    switch (frame.type) {
      case "peer.joined":
        setText("call-signaling", `peer joined (${frame.should_offer ? "I offer" : "they offer"})`);
        if (frame.should_offer) await this.#offer();
        break;
      case "peer.left":
        setText("call-signaling", "peer left; waiting for them to come back");
        break;
      case "offer":
        await this.#answer(frame.sdp);
        break;
      case "answer":
        await this.pc?.setRemoteDescription({ type: "answer", sdp: frame.sdp });
        await this.#applyPendingCandidates();
        break;
      case "ice_candidate":
        await this.#addCandidate(frame.candidate);
        break;
      case "hangup":
        this.#finish("the partner hung up");
        break;
      case "call.ended":
        this.#finish(`call ended (${frame.reason})`);
        break;
      case "error":
        this.log(`call socket error ${frame.code}: ${frame.message}`);
        break;
      default:
        break;
    }
  }

  #newPeerConnection() {
    this.pc?.close();
    this.pendingCandidates = [];
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    for (const track of this.localStream.getTracks()) pc.addTrack(track, this.localStream);
    pc.addEventListener("track", (event) => {
      $("remote-video").srcObject = event.streams[0];
    });
    pc.addEventListener("icecandidate", (event) => {
      // null marks the end of gathering; the API spells it as an empty candidate string.
      const candidate = event.candidate ? event.candidate.toJSON() : { candidate: "" };
      this.socket.send({ type: "ice_candidate", candidate });
    });
    const states = () => {
      setText("call-ice", pc.iceConnectionState);
      setText("call-connection", pc.connectionState);
    };
    pc.addEventListener("iceconnectionstatechange", states);
    pc.addEventListener("connectionstatechange", states);
    states();
    this.pc = pc;
    return pc;
  }

  async #offer() {
    const pc = this.#newPeerConnection();
    await pc.setLocalDescription(await pc.createOffer());
    this.socket.send({ type: "offer", sdp: pc.localDescription.sdp });
    setText("call-signaling", "offer sent");
  }

  async #answer(sdp) {
    const pc = this.#newPeerConnection();
    await pc.setRemoteDescription({ type: "offer", sdp });
    await this.#applyPendingCandidates();
    await pc.setLocalDescription(await pc.createAnswer());
    this.socket.send({ type: "answer", sdp: pc.localDescription.sdp });
    setText("call-signaling", "answer sent");
  }

  async #addCandidate(candidate) {
    if (!this.pc || !this.pc.remoteDescription) {
      this.pendingCandidates.push(candidate); // too early: keep it until the description is set
      return;
    }
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      this.log(`ignored an ICE candidate: ${error}`);
    }
  }

  async #applyPendingCandidates() {
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of pending) await this.#addCandidate(candidate);
  }

  async hangUp() {
    this.socket?.send({ type: "hangup" }); // the peer stops at once
    try {
      await this.api.post("/api/call/end/", { call_session_id: this.sessionId });
    } finally {
      this.#finish("you hung up");
    }
  }

  // The peer (or the server) ended the call while our call socket was down.
  onCallEndedEvent(data) {
    if (data.call_session_id === this.sessionId) this.#finish(`call ended (${data.reason})`);
  }

  async #showStats() {
    if (!this.pc) return;
    const { bytes, packets } = await receivedTotals(this.pc);
    setText("call-received", `${bytes} bytes, ${packets} packets`);
  }

  #finish(reason) {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.statsTimer);
    setText("call-signaling", reason);
    this.socket?.close();
    this.pc?.close();
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    $("local-video").srcObject = null;
    $("remote-video").srcObject = null;
    this.onEnded({ callId: this.callId, reason });
  }
}

// Sum of what arrived over the inbound RTP streams (audio and video).
export async function receivedTotals(pc) {
  let bytes = 0;
  let packets = 0;
  const report = await pc.getStats();
  report.forEach((stat) => {
    if (stat.type === "inbound-rtp") {
      bytes += stat.bytesReceived ?? 0;
      packets += stat.packetsReceived ?? 0;
    }
  });
  return { bytes, packets };
}
