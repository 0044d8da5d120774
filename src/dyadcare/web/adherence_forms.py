"""Forms of visit adherence: moving or cancelling a visit, the outreach list's filters, an
outreach attempt, a caregiver's reminder choice, a clinic's reminder settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dyadcare.adherence.models import OutreachAttempt, ReminderChoice
from dyadcare.web.forms import ClinicDateField

REASON_HELP = _("Kept with the visit's history: the family asked, the clinician is away, …")


class RescheduleForm(forms.Form):
    day = ClinicDateField(label=_("New date"))
    at = forms.TimeField(label=_("New time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=REASON_HELP)

    def when(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.cleaned_data["day"], self.cleaned_data["at"]))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300, help_text=REASON_HELP)


class OutreachFilterForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why"),
        required=False,
        choices=[
            ("", _("Overdue or missed")),
            ("overdue", _("Overdue for a touchpoint")),
            ("missed", _("Missed a visit")),
        ],
    )
    contact = forms.ChoiceField(
        label=_("Outreach"),
        required=False,
        choices=[
            ("", _("Any")),
            ("none", _("Not tried yet")),
            ("tried", _("Tried, not booked")),
        ],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)


class AttemptForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=OutreachAttempt.Reason.choices)
    kind = forms.ChoiceField(label=_("How"), choices=OutreachAttempt.Kind.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OutreachAttempt.Outcome.choices)
    book_day = ClinicDateField(label=_("Visit booked for (date)"), required=False)
    book_at = forms.TimeField(
        label=_("Visit booked for (time)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the family said, a better time to call, a barrier (transport, work, child care)."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at = data.get("book_day"), data.get("book_at")
        if bool(day) != bool(at):
            self.add_error("book_day", _("Give both the date and the time of the visit booked."))
        return data

    def booked_for(self) -> datetime | None:
        day, at = self.cleaned_data.get("book_day"), self.cleaned_data.get("book_at")
        return timezone.make_aware(datetime.combine(day, at)) if day and at else None


class ReminderChoiceForm(forms.Form):
    opted_out = forms.TypedChoiceField(
        label=_("Visit reminders"),
        choices=[("0", _("Send reminders")), ("1", _("No reminders (opted out)"))],
        coerce=lambda v: v == "1",
    )
    how = forms.ChoiceField(label=_("How the family told us"), choices=ReminderChoice.How.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReminderSettingsForm(forms.Form):
    days = forms.CharField(
        label=_("Days before the visit"),
        max_length=40,
        help_text=_("One or more numbers of days, separated by commas, for example 2, 1."),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours end"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    enabled = forms.BooleanField(label=_("Send visit reminders"), required=False)

    def clean_days(self) -> list[int]:
        raw = [p.strip() for p in self.cleaned_data["days"].split(",") if p.strip()]
        try:
            days = sorted({int(p) for p in raw}, reverse=True)
        except ValueError as exc:
            raise forms.ValidationError(_("Use whole numbers of days, for example 2, 1.")) from exc
        if not days or any(d < 1 or d > 14 for d in days) or len(days) > 4:
            raise forms.ValidationError(_("Choose one to four days, each from 1 to 14."))
        return days
