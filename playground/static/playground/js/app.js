// The playground's wiring: sign in/up, the tabs, /ws/events/, and the three features.
// Read the feature modules for the API usage: random.js (matching), call.js (WebRTC), chat.js.

import { ApiClient } from "./api.js";
import { Call } from "./call.js";
import { Chat } from "./chat.js";
import { RandomMatch } from "./random.js";
import { JsonSocket } from "./socket.js";
import { $, describeError, el, formValues, generatedAvatar, setText, show } from "./ui.js";

const api = new ApiClient({ onSanctioned: (error) => showBanner(describeError(error)) });
let events = null; // the /ws/events/ socket
let call = null; // the current Call, if any
let lastCallId = null; // the call to rate

function log(text) {
  const line = el("li", {}, `${new Date().toLocaleTimeString()} ${text}`);
  $("event-log").prepend(line);
}

function showBanner(text) {
  setText("banner", text);
  show("banner", Boolean(text));
}

// Without catching, a failed request would vanish into the console: show it next to the action.
function guarded(errorTarget, action) {
  return async (event) => {
    event?.preventDefault?.();
    setText(errorTarget, "");
    try {
      await action(event);
    } catch (error) {
      setText(errorTarget, describeError(error));
    }
  };
}

// --- features --------------------------------------------------------------------------------
const random = new RandomMatch(api, {
  onMatched: (matchId) => startCall(matchId),
});
const chat = new Chat(api, { log });

async function startCall(matchId) {
  call = new Call(api, {
    log,
    onEnded: ({ callId, reason }) => {
      log(`call ${callId}: ${reason}`);
      lastCallId = callId;
      show("call-panel", false);
      setText("rating-status", `call ${callId}`);
      show("rating-panel");
      loadHistory();
    },
  });
  try {
    await call.start(matchId);
  } catch (error) {
    setText("match-status", `call: ${describeError(error)}`);
  }
}

async function loadHistory() {
  const calls = await api.get("/api/history/recent/");
  $("history").replaceChildren(
    ...calls.map((item) =>
      el(
        "li",
        {},
        `#${item.call_id} with ${item.username} · ${new Date(item.call_time).toLocaleString()}`,
        item.duration_seconds !== null ? ` · ${item.duration_seconds}s` : " · open",
        item.my_rating !== null ? ` · rated ${item.my_rating}` : "",
      ),
    ),
  );
}

// --- /ws/events/ ----------------------------------------------------------------------------
function onEvent(event) {
  log(`${event.type} ${JSON.stringify(event.data)}`);
  if (event.type.startsWith("match.")) random.onEvent(event);
  else if (event.type === "call.ended") call?.onCallEndedEvent(event.data);
  else if (event.type === "proposal.matched") chat.loadRooms();
  else if (event.type === "account.suspended") {
    const until = event.data.banned ? "for good" : `until ${event.data.until}`;
    showBanner(`Your account was ${event.data.banned ? "banned" : "suspended"} ${until}.`);
  } else if (event.type === "moderation.warned") showBanner(`You received a warning (${event.data.warning_count}).`);
}

// --- signing in and out -------------------------------------------------------------------
async function signedIn() {
  const profile = await api.get("/api/user/profile/");
  setText("whoami", `${profile.username} (${profile.gender}, ${profile.age})`);
  show("whoami");
  show("logout");
  show("auth-view", false);
  show("app-view");
  events = new JsonSocket("/ws/events/", {
    api,
    onFrame: onEvent,
    onStatus: (status, code) => {
      setText("events-status", status);
      if (code !== null) log(`/ws/events/ ${status}`);
    },
  });
  await events.open();
  await Promise.allSettled([random.loadSettings(), random.loadBalance(), loadHistory(), chat.loadRooms()]);
}

$("login-form").addEventListener(
  "submit",
  guarded("auth-error", async (event) => {
    const { username, password } = formValues(event.target);
    await api.login(username, password);
    await signedIn();
  }),
);

$("signup-form").addEventListener(
  "submit",
  guarded("auth-error", async (event) => {
    const form = new FormData(event.target);
    if (!form.get("profile_image")?.size) {
      form.set("profile_image", await generatedAvatar(form.get("username")), "avatar.png");
    }
    await api.signup(form);
    await api.login(form.get("username"), form.get("password"));
    await signedIn();
  }),
);

$("logout").addEventListener("click", async () => {
  events?.close();
  chat.close();
  try {
    await api.logout();
  } finally {
    window.location.reload(); // nothing is kept: the tokens were only in memory
  }
});

// --- tabs ------------------------------------------------------------------------------------
for (const button of document.querySelectorAll(".tabs button")) {
  button.addEventListener("click", () => {
    for (const other of document.querySelectorAll(".tabs button")) {
      other.classList.toggle("active", other === button);
      show(`tab-${other.dataset.tab}`, other === button);
    }
  });
}

// --- random call ------------------------------------------------------------------------------
$("settings-form").addEventListener("submit", guarded("settings-status", (event) => random.saveSettings(event.target)));
$("charge-form").addEventListener(
  "submit",
  guarded("settings-status", (event) => random.charge(event.target.payment_token.value)),
);
$("find-match").addEventListener("click", () => random.find());
$("stop-match").addEventListener("click", guarded("match-status", () => random.stop()));
$("accept").addEventListener("click", () => random.decide("accept"));
$("reject").addEventListener("click", () => random.decide("reject"));
$("hang-up").addEventListener("click", guarded("call-signaling", () => call?.hangUp()));
$("history-refresh").addEventListener("click", () => loadHistory());
$("rating-form").addEventListener(
  "submit",
  guarded("rating-status", async (event) => {
    const { rating, comment } = formValues(event.target);
    const answer = await api.post("/api/history/rate/", { call_id: lastCallId, rating: Number(rating), comment });
    setText("rating-status", answer.message);
    await loadHistory();
  }),
);

// --- group chat --------------------------------------------------------------------------------
$("rooms-refresh").addEventListener("click", guarded("chat-error", () => chat.loadRooms()));
$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  chat.send($("composer-text").value);
  $("composer-text").value = "";
});
$("composer-text").addEventListener("input", (event) => chat.onInput(event.target.value));

// For QA in the browser console and the end-to-end tests: the live call's RTCPeerConnection.
// Tokens are deliberately not exposed here.
window.playground = Object.freeze({
  peerConnection: () => call?.peerConnection ?? null,
});
