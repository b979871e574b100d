// A group chat room (docs/websockets.md, CONTRACT §7).
//
//   GET  /api/v1/matching/chats                 my rooms
//   GET  /api/v1/matching/chats/<room_id>       details (my_display_name, blind/open)
//   WS   /ws/matching/chats/<room_id>?token=    message, typing, read (both ways), member_left, room_closed
//   GET  /api/v1/matching/chats/<room_id>/messages   history, fetched AFTER the socket is open,
//                                                    merged by message_id (no gap, no duplicate)
//
// People appear by display name (A1.., B1..). In a blind room the other group's ids are null, so
// this client recognises its own messages by sender_name === my_display_name.

import { JsonSocket } from "./socket.js";
import { $, describeError, el, setText, show } from "./ui.js";

const TYPING_IDLE_MS = 3000; // we stop "typing" after this long without a keystroke
const TYPING_REFRESH_MS = 2500; // while typing, say so again (the server drops repeats within 2 s)
const TYPING_STALE_MS = 6000; // someone else's "typing" expires if not refreshed

export class Chat {
  constructor(api, { log }) {
    this.api = api;
    this.log = log;
    this.room = null;
    this.socket = null;
    this.messages = new Map(); // message_id -> message, in display order
    this.readBy = new Map(); // display name -> last_read_message_id
    this.typists = new Map(); // display name -> expiry timer
    this.typingSince = 0;
    this.typingIdle = null;
    this.lastReadSent = null;
  }

  async loadRooms() {
    const { chat_rooms: rooms } = await this.api.get("/api/v1/matching/chats", { is_active: "all" });
    const list = $("rooms");
    list.replaceChildren(
      ...rooms.map((room) =>
        el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              class: room.room_id === this.room?.room_id ? "active" : "",
              dataset: { roomId: room.room_id },
              onclick: () => this.open(room.room_id).catch((error) => setText("chat-error", describeError(error))),
            },
            `${room.room_name} · ${room.display_mode} · ${room.members_count} members`,
            room.unread_count ? ` · ${room.unread_count} unread` : "",
            room.is_active ? "" : " · closed",
          ),
        ),
      ),
    );
    if (!rooms.length) list.replaceChildren(el("li", { class: "hint" }, "No rooms yet: a room opens when a proposal is matched."));
  }

  async open(roomId) {
    this.close();
    setText("chat-error", "");
    show("chat-panel");
    this.room = await this.api.get(`/api/v1/matching/chats/${roomId}`);
    this.messages.clear();
    this.readBy.clear();
    this.lastReadSent = null;
    $("messages").replaceChildren();
    setText("room-name", this.room.room_name);
    setText("my-display-name", this.room.my_display_name);
    setText("room-mode", this.room.display_mode);
    for (const button of document.querySelectorAll("#rooms button")) {
      button.classList.toggle("active", button.dataset.roomId === roomId);
    }

    // Socket first, then history: whatever is sent in between arrives on the socket.
    this.socket = new JsonSocket(`/ws/matching/chats/${roomId}`, {
      api: this.api,
      onFrame: (frame) => this.#onFrame(frame),
      onStatus: (status) => setText("chat-socket", status),
    });
    await this.socket.open();
    const page = await this.api.get(`/api/v1/matching/chats/${roomId}/messages`, { limit: 50 });
    for (const message of page.messages) this.#addMessage(message);
    this.#markRead();
  }

  close() {
    this.socket?.close();
    this.socket = null;
    this.#stopTyping();
  }

  send(text) {
    const content = text.trim();
    if (!content) return;
    if (!this.socket?.send({ type: "message", message_type: "text", content })) {
      setText("chat-error", "The room socket is not open.");
      return;
    }
    this.#stopTyping();
  }

  // Called on every keystroke in the composer.
  onInput(text) {
    clearTimeout(this.typingIdle);
    if (!text) {
      this.#stopTyping();
      return;
    }
    const now = Date.now();
    if (now - this.typingSince > TYPING_REFRESH_MS) {
      this.socket?.send({ type: "typing", is_typing: true });
      this.typingSince = now;
    }
    this.typingIdle = setTimeout(() => this.#stopTyping(), TYPING_IDLE_MS);
  }

  #stopTyping() {
    clearTimeout(this.typingIdle);
    if (this.typingSince) this.socket?.send({ type: "typing", is_typing: false });
    this.typingSince = 0;
  }

  #onFrame(frame) {
    switch (frame.type) {
      case "message":
        this.#addMessage(frame);
        this.#clearTypist(frame.sender_name);
        this.#markRead();
        break;
      case "typing":
        this.#showTypist(frame.user_name, frame.is_typing);
        break;
      case "read":
        this.readBy.set(frame.user_name, frame.last_read_message_id);
        this.#renderReceipts();
        break;
      case "member_left":
        this.log(`${frame.user_name} left the room`);
        break;
      case "room_closed":
        setText("chat-error", "The room is closed: everyone of one group has left. It is read-only now.");
        break;
      case "error":
        setText("chat-error", describeError(frame));
        break;
      default:
        break;
    }
  }

  #isMine(message) {
    return message.sender_name !== null && message.sender_name === this.room.my_display_name;
  }

  #addMessage(message) {
    if (this.messages.has(message.message_id)) return; // already shown (socket and history overlap)
    this.messages.set(message.message_id, message);
    const kind = message.message_type === "system" ? "system" : this.#isMine(message) ? "mine" : "theirs";
    const item = el(
      "li",
      { class: `message ${kind}`, dataset: { messageId: message.message_id, sender: message.sender_name ?? "" } },
      message.message_type === "system"
        ? null
        : el("div", { class: "meta" }, `${message.sender_name} · ${new Date(message.created_at).toLocaleTimeString()}`),
      el("div", { class: "content" }, message.content),
    );
    for (const attachment of message.attachments ?? []) item.append(this.#image(attachment));
    item.append(el("div", { class: "receipts" }));
    $("messages").append(item);
    item.scrollIntoView({ block: "end" });
    this.#renderReceipts();
  }

  // Attachment URLs need the Bearer token, so the image is fetched and shown as a blob: URL.
  #image(attachment) {
    const image = el("img", { alt: "attachment", width: attachment.width, height: attachment.height });
    this.api
      .request("GET", attachment.url, { raw: true })
      .then((response) => response.blob())
      .then((blob) => {
        image.src = URL.createObjectURL(blob);
      })
      .catch((error) => this.log(`attachment: ${describeError(error)}`));
    return image;
  }

  // Read receipts: tell the room how far we have read, whenever something new is on screen.
  #markRead() {
    if (document.visibilityState !== "visible" || !this.messages.size) return;
    const newest = [...this.messages.keys()].at(-1);
    if (newest === this.lastReadSent) return;
    if (this.socket?.send({ type: "read", last_read_message_id: newest })) this.lastReadSent = newest;
  }

  // "Read by B1, B2" under the newest message each person has read.
  #renderReceipts() {
    const readers = new Map(); // message_id -> [names]
    for (const [name, messageId] of this.readBy) {
      if (!readers.has(messageId)) readers.set(messageId, []);
      readers.get(messageId).push(name);
    }
    for (const item of $("messages").children) {
      const names = readers.get(item.dataset.messageId);
      item.querySelector(".receipts").textContent = names ? `read by ${names.sort().join(", ")}` : "";
    }
  }

  #showTypist(name, isTyping) {
    if (!isTyping) {
      this.#clearTypist(name);
      return;
    }
    clearTimeout(this.typists.get(name));
    this.typists.set(
      name,
      setTimeout(() => this.#clearTypist(name), TYPING_STALE_MS),
    );
    this.#renderTypists();
  }

  #clearTypist(name) {
    clearTimeout(this.typists.get(name));
    this.typists.delete(name);
    this.#renderTypists();
  }

  #renderTypists() {
    const names = [...this.typists.keys()].sort();
    setText("typing", names.length ? `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…` : "");
  }
}
