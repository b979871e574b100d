"""Forms and the one page template behind every moderator action in the Django admin.

Each form only validates; the admin view that receives it calls the service
(``report_resolve``, ``user_sanction``, ``gem_admin_adjust``), so the admin never writes a
model around the rules the API enforces.
"""

from django import forms
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from moderation.models import NOTE_MAX_LENGTH, ModerationActionType, ResolveAction

# gems keeps at most this much of an adjustment note on its ledger row.
GEM_NOTE_MAX_LENGTH = 500
ACTION_FORM_TEMPLATE = "admin/moderation/action_form.html"


class ReportResolveForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=ResolveAction.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea)


class UserSanctionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (value, label)
            for value, label in ModerationActionType.choices
            if value != ModerationActionType.DISMISS
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea)


class GemAdjustForm(forms.Form):
    amount = forms.IntegerField(
        label=_("Amount"),
        min_value=-1_000_000,
        max_value=1_000_000,
        help_text=_("Positive adds gems, negative removes them. The balance cannot go below zero."),
    )
    note = forms.CharField(label=_("Reason"), max_length=GEM_NOTE_MAX_LENGTH)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("The amount cannot be zero."))
        return amount


def render_action_form(model_admin, request, *, obj, form, title: str, summary=(), submit_label: str):
    """The admin page for one moderator action on ``obj`` (breadcrumbs, a summary, the form)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": obj,
        "title": title,
        "form": form,
        "summary": summary,
        "submit_label": submit_label,
    }
    return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)
