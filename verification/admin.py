"""The Django admin for reviewers: a pending queue, the documents inline, approve/reject.

Every decision goes through ``services.verification_review``, exactly as the staff API does, so
the conditional update, the reviewer, the timestamps and the user's event are the same.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from config.errors import ApiError
from verification import services
from verification.models import PendingVerification, Verification, VerificationDocumentLink, VerificationStatus

_READONLY_FIELDS = (
    "verification_id",
    "user",
    "account_gender",
    "status",
    "school_name",
    "department",
    "major_category",
    "grade",
    "student_id",
    "gender",
    "badge_visible",
    "department_visible",
    "submitted_at",
    "reviewed_at",
    "reviewed_by",
    "admin_note",
    "verified_at",
)


class DocumentInline(admin.TabularInline):
    model = VerificationDocumentLink
    fields = ("position", "preview", "content_type", "size")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "document"
    verbose_name_plural = "documents"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document").order_by("position")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Documents are evidence: shown, never edited or swapped here.
        return False

    @admin.display(description="document")
    def preview(self, link) -> str:
        # Served by the authenticated download view (the admin session of staff is accepted there).
        url = reverse(services.DOCUMENT_URL_NAME, kwargs={"document_id": link.document_id})
        if link.document.is_image:
            return format_html(
                '<a href="{}" target="_blank" rel="noopener noreferrer">'
                '<img src="{}" alt="document {}" style="max-width:360px;max-height:280px"></a>',
                url,
                url,
                link.position + 1,
            )
        return format_html('<a href="{}" rel="noopener noreferrer">PDF {}</a>', url, link.position + 1)

    @admin.display(description="type")
    def content_type(self, link) -> str:
        return link.document.content_type

    @admin.display(description="bytes")
    def size(self, link) -> int:
        return link.document.size


class ReviewForm(forms.ModelForm):
    decision = forms.ChoiceField(
        choices=[("", "— no decision —"), ("approve", "Approve"), ("reject", "Reject")], required=False
    )
    review_note = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Note to the user"
    )

    class Meta:
        model = Verification
        fields: list[str] = []


def _review(modeladmin, request, verification_ids, *, approved: bool, admin_note: str) -> None:
    decided = refused = 0
    for verification_id in verification_ids:
        try:
            services.verification_review(
                reviewer=request.user, verification_id=verification_id, approved=approved, admin_note=admin_note
            )
            decided += 1
        except ApiError as error:
            refused += 1
            modeladmin.message_user(request, f"{verification_id}: {error.message}", level=messages.WARNING)
    if decided:
        verb = "approved" if approved else "rejected"
        modeladmin.message_user(request, f"{decided} verification(s) {verb}.", level=messages.SUCCESS)


class _VerificationAdminBase(admin.ModelAdmin):
    form = ReviewForm
    inlines = [DocumentInline]
    readonly_fields = (*_READONLY_FIELDS, "document_count")
    fieldsets = (
        ("Applicant", {"fields": ("verification_id", "user", "account_gender", "status", "submitted_at")}),
        (
            "Claimed",
            {"fields": ("school_name", "department", "major_category", "grade", "student_id", "gender")},
        ),
        ("Display", {"fields": ("badge_visible", "department_visible")}),
        ("Decision", {"fields": ("reviewed_at", "reviewed_by", "admin_note", "verified_at")}),
        ("Review", {"fields": ("decision", "review_note")}),
    )
    list_display = (
        "submitted_at",
        "user",
        "school_name",
        "department",
        "grade",
        "gender",
        "account_gender",
        "document_count",
        "status",
    )
    list_select_related = ("user",)
    search_fields = ("user__username", "school_name", "department", "student_id")
    actions = ["approve_selected", "reject_selected"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user", "reviewed_by")
            .annotate(document_total=Count("document_links"))
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="account gender")
    def account_gender(self, verification) -> str:
        return verification.user.gender or "-"

    @admin.display(description="documents")
    def document_count(self, verification) -> int:
        return verification.document_total

    @admin.action(description="Approve selected verifications", permissions=["change"])
    def approve_selected(self, request, queryset):
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        _review(self, request, ids, approved=True, admin_note="")

    @admin.action(description="Reject selected verifications", permissions=["change"])
    def reject_selected(self, request, queryset):
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        _review(self, request, ids, approved=False, admin_note="")

    def save_model(self, request, obj, form, change):
        # Nothing is edited directly: the only change is a decision, made by the service.
        decision = form.cleaned_data.get("decision")
        if decision:
            _review(
                self,
                request,
                [obj.pk],
                approved=decision == "approve",
                admin_note=form.cleaned_data.get("review_note", ""),
            )

    def save_related(self, request, form, formsets, change):
        # Nothing related is editable; the admin's change message still reads these.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save_and_continue": False}
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(PendingVerification)
class PendingVerificationAdmin(_VerificationAdminBase):
    list_display = tuple(field for field in _VerificationAdminBase.list_display if field != "status")
    ordering = ("submitted_at", "verification_id")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=VerificationStatus.PENDING)


@admin.register(Verification)
class VerificationAdmin(_VerificationAdminBase):
    list_filter = ("status", "gender")
    ordering = ("-submitted_at",)
    date_hierarchy = "submitted_at"
