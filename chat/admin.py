"""Read-only views of rooms and messages for moderators: browsing never changes a conversation."""

from django.contrib import admin

from chat.models import ChatAttachment, ChatMember, ChatRoom, Message


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChatMemberInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ChatMember
    fields = ("display_name", "group", "user", "joined_at", "left_at", "last_read_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(ChatRoom)
class ChatRoomAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("room_name", "id", "display_mode", "is_active", "created_at", "closed_at")
    list_filter = ("display_mode", "is_active")
    search_fields = ("id", "proposal_id", "members__user__username")
    readonly_fields = (
        "id", "proposal_id", "room_name", "display_mode", "is_active", "created_at", "closed_at",
        "group_a_department", "group_a_grade", "group_b_department", "group_b_grade",
    )
    inlines = [ChatMemberInline]
    date_hierarchy = "created_at"


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("message_id", "room", "sender_name", "message_type", "short_content", "created_at")
    list_filter = ("message_type",)
    search_fields = ("message_id", "room__id", "content", "sender__user__username")
    list_select_related = ("room", "sender", "sender__user")
    readonly_fields = ("message_id", "room", "sender", "message_type", "content", "created_at")
    fields = readonly_fields
    date_hierarchy = "created_at"

    @admin.display(description="sender")
    def sender_name(self, message: Message) -> str:
        if message.sender is None:
            return "system"
        return f"{message.sender.display_name} ({message.sender.user.username})"

    @admin.display(description="content")
    def short_content(self, message: Message) -> str:
        return message.content if len(message.content) <= 80 else message.content[:77] + "..."


@admin.register(ChatAttachment)
class ChatAttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "room", "uploader", "message", "content_type", "width", "height", "size", "created_at")
    list_select_related = ("room", "uploader", "message")
    readonly_fields = ("id", "room", "uploader", "message", "content_type", "width", "height", "size", "created_at")
    fields = readonly_fields
