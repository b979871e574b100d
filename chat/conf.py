"""Chat settings, read from Django settings with the contract's defaults."""

from datetime import timedelta

from django.conf import settings

# CONTRACT §7: text messages carry 1-2,000 characters.
MESSAGE_MAX_CHARS = 2000
MESSAGES_PAGE_DEFAULT = 50
MESSAGES_PAGE_MAX = 100
# Images attached to one message.
ATTACHMENTS_PER_MESSAGE_MAX = getattr(settings, "CHAT_ATTACHMENTS_PER_MESSAGE_MAX", 5)
ATTACHMENT_MAX_BYTES = getattr(settings, "CHAT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_SIDE = getattr(settings, "CHAT_ATTACHMENT_MAX_SIDE", 8192)
# Images uploaded but never sent in a message are deleted after this long (chat.tasks).
ATTACHMENT_UNSENT_TTL = timedelta(hours=getattr(settings, "CHAT_ATTACHMENT_UNSENT_TTL_HOURS", 24))
# A typist's socket forwards at most one typing event per this many seconds for an unchanged state.
TYPING_MIN_INTERVAL_SECONDS = getattr(settings, "CHAT_TYPING_MIN_INTERVAL_SECONDS", 2.0)
ROOM_NAME_PREFIX = "과팅 매칭"
