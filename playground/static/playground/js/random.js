// Random 1:1 matching (CONTRACT §3): settings, the queue, the offer with its countdown, the decision.
//
//   GET /api/match/random/        joins the queue; answers a pending match or {status: "waiting"}.
//                                 Each call is also a heartbeat: a waiting client calls it again
//                                 at least every minute, and listens for match.found on /ws/events/.
//   POST /api/match/decision/     accept | reject -> "waiting" (partner undecided) | "matched" | "next"
//   POST /api/match/cancel/       leaves the queue
//   events: match.found, match.matched, match.next (see docs/websockets.md)

import { $, describeError, setText, show } from "./ui.js";

const HEARTBEAT_SECONDS = 30;

export class RandomMatch {
  // onMatched(matchId) is called once per match, when both accepted.
  constructor(api, { onMatched }) {
    this.api = api;
    this.onMatched = onMatched;
    this.searching = false;
    this.offer = null; // the pending match body
    this.announced = new Set(); // match ids already handed to onMatched
    this.heartbeat = null;
    this.countdown = null;
  }

  // --- settings and gems ---------------------------------------------------------------
  async loadSettings() {
    const settings = await this.api.get("/api/match/settings/");
    const form = $("settings-form");
    form.preferred_gender.value = settings.preferred_gender;
    [form.age_min.value, form.age_max.value] = settings.age_range;
    form.radius_km.value = settings.radius_km ?? "";
  }

  async saveSettings(form) {
    const radius = form.radius_km.value;
    const body = {
      preferred_gender: form.preferred_gender.value,
      age_range: [Number(form.age_min.value), Number(form.age_max.value)],
      radius_km: radius === "" ? null : Number(radius),
    };
    const answer = await this.api.post("/api/match/settings/", body);
    setText("settings-status", answer.message);
  }

  async loadBalance() {
    const { gems } = await this.api.get("/api/gem/balance/");
    setText("gem-balance", gems);
  }

  async charge(paymentToken) {
    const { new_balance } = await this.api.post("/api/gem/charge/", { payment_token: paymentToken });
    setText("gem-balance", new_balance);
  }

  // --- the queue -------------------------------------------------------------------------
  async find() {
    this.searching = true;
    this.#status("searching…");
    try {
      const answer = await this.api.get("/api/match/random/", { lat: $("lat").value, lng: $("lng").value });
      this.#handleAnswer(answer);
    } catch (error) {
      this.#stop();
      this.#status(describeError(error));
    }
  }

  async stop() {
    this.#stop();
    await this.api.post("/api/match/cancel/");
    this.#status("idle");
  }

  #stop() {
    this.searching = false;
    clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.#hideOffer();
  }

  #handleAnswer(answer) {
    if (answer.status === "pending") {
      this.#showOffer(answer);
      return;
    }
    this.#status("waiting for someone compatible…");
    // Still queued: keep our place with a heartbeat until match.found arrives.
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => {
        if (this.searching && !this.offer) this.find();
      }, HEARTBEAT_SECONDS * 1000);
    }
  }

  // --- the offer -------------------------------------------------------------------------
  #showOffer(offer) {
    if (this.offer?.match_id === offer.match_id) return; // the same match, seen twice
    this.offer = offer;
    const partner = offer.matched_user;
    $("partner-photo").src = partner.profile_image ?? "";
    setText("partner-name", partner.username);
    setText("partner-age", partner.age);
    setText("partner-gender", partner.gender);
    setText("partner-rating", partner.rating ?? "no ratings yet");
    $("accept").disabled = $("reject").disabled = false;
    show("offer");
    this.#status(`match ${offer.match_id}: decide`);

    // The deadline is the server's expires_at; show_time_sec is the full window.
    const deadline = offer.expires_at ? Date.parse(offer.expires_at) : Date.now() + offer.show_time_sec * 1000;
    $("countdown-bar").max = offer.show_time_sec;
    clearInterval(this.countdown);
    const tick = () => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      setText("countdown", left);
      $("countdown-bar").value = left;
      if (left === 0) {
        clearInterval(this.countdown);
        // The server treats the match as expired now; asking again moves us on.
        if (this.offer?.match_id === offer.match_id) {
          this.#hideOffer();
          if (this.searching) this.find();
        }
      }
    };
    tick();
    this.countdown = setInterval(tick, 250);
  }

  #hideOffer() {
    clearInterval(this.countdown);
    this.offer = null;
    show("offer", false);
  }

  async decide(decision) {
    const matchId = this.offer?.match_id;
    if (!matchId) return;
    $("accept").disabled = $("reject").disabled = true;
    try {
      const { status } = await this.api.post("/api/match/decision/", { match_id: matchId, decision });
      if (status === "matched") this.#matched(matchId);
      else if (status === "waiting") this.#status(`match ${matchId}: accepted, waiting for the partner…`);
      else this.#next(matchId, decision === "reject" ? "rejected" : "over");
    } catch (error) {
      this.#status(describeError(error));
      $("accept").disabled = $("reject").disabled = false;
    }
  }

  #matched(matchId) {
    if (this.announced.has(matchId)) return;
    this.announced.add(matchId);
    this.#stop();
    this.#status(`match ${matchId}: matched`);
    this.onMatched(matchId);
    this.loadBalance(); // a filtered match has just been paid for
  }

  #next(matchId, reason) {
    if (this.offer?.match_id === matchId) this.#hideOffer();
    this.#status(`match ${matchId} ended (${reason}); looking again…`);
    if (this.searching) this.find();
  }

  // --- /ws/events/ -------------------------------------------------------------------------
  onEvent(event) {
    const data = event.data;
    if (event.type === "match.found" && this.searching) this.#showOffer(data);
    else if (event.type === "match.matched") this.#matched(data.match_id);
    else if (event.type === "match.next") this.#next(data.match_id, data.reason);
  }

  #status(text) {
    setText("match-status", text);
  }
}
