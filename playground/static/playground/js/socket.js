// One JSON WebSocket of the API (docs/websockets.md): ?token=<access>, {"type": ...} frames,
// a ping every PING_SECONDS (the server closes idle sockets with 4408 after 10 minutes),
// and the close codes a mobile client must handle:
//
//   4401 token missing/expired -> refresh the token over REST, reconnect
//   4403 not allowed (not a member, call ended, account suspended/banned) -> stay closed
//   4400 malformed frame (a client bug), 4429 too many frames -> stay closed
//   4408 idle, 1006 network drop -> reconnect after a pause
//   1000 normal close (a call that ended) -> stay closed

const PING_SECONDS = 50;
const RECONNECT_SECONDS = 3;
const RECONNECT_CODES = new Set([1001, 1006, 1011, 1012, 1013, 4408]);

export function socketUrl(path, token) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}?token=${encodeURIComponent(token)}`;
}

export class JsonSocket {
  // api: the ApiClient (token and refresh); onFrame(frame); onStatus(text, closeCode).
  constructor(path, { api, onFrame, onStatus = () => {}, reconnect = true }) {
    this.path = path;
    this.api = api;
    this.onFrame = onFrame;
    this.onStatus = onStatus;
    this.reconnect = reconnect;
    this.ws = null;
    this.closeCode = null;
    this.stopped = false;
    this.pingTimer = null;
  }

  // Resolves once the socket is open (the server joined us to our groups before accepting),
  // or when it closes first.
  open() {
    this.stopped = false;
    this.onStatus("connecting", null);
    const ws = new WebSocket(socketUrl(this.path, this.api.accessToken));
    this.ws = ws;
    return new Promise((resolve) => {
      ws.addEventListener("open", () => {
        this.closeCode = null;
        this.onStatus("open", null);
        this.pingTimer = setInterval(() => this.send({ type: "ping" }), PING_SECONDS * 1000);
        resolve(true);
      });
      ws.addEventListener("message", (event) => {
        let frame;
        try {
          frame = JSON.parse(event.data);
        } catch {
          return;
        }
        if (frame.type !== "pong") this.onFrame(frame);
      });
      ws.addEventListener("close", (event) => {
        clearInterval(this.pingTimer);
        this.closeCode = event.code;
        this.onStatus(`closed (${event.code})`, event.code);
        resolve(false);
        if (ws === this.ws) this.#afterClose(event.code);
      });
    });
  }

  send(frame) {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  get isOpen() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  close() {
    this.stopped = true;
    clearInterval(this.pingTimer);
    this.ws?.close(1000);
  }

  async #afterClose(code) {
    if (this.stopped || !this.reconnect) return;
    if (code === 4401) {
      try {
        await this.api.refresh();
      } catch {
        return; // signed out: nothing to reconnect with
      }
      this.open();
    } else if (RECONNECT_CODES.has(code)) {
      setTimeout(() => {
        if (!this.stopped && this.api.signedIn) this.open();
      }, RECONNECT_SECONDS * 1000);
    }
  }
}
