"""Forms of the care pages: they parse and show errors at each field; the care services hold
the rules (the same messages come back at the same fields)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dyadcare.care.models import Goal, ServiceEntry
from dyadcare.care.rules import goal_templates, needs, service_types, text_in
from dyadcare.instruments.describe import sensitivity
from dyadcare.screening.labels import LABELS


def _label_choices() -> list[tuple[str, str]]:
    """The sensitivity labels by the plain words the result badges use, with their codes."""
    return [(code, f"{sensitivity(code).name} ({code})") for code in LABELS]


DATE = forms.DateInput(attrs={"type": "date"})


def _lang() -> str:
    return (get_language() or "en")[:2]


class TierForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("Tier"), coerce=int)
    reason = forms.CharField(label=_("Why this tier"), max_length=300)
    suggestion = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, levels: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = levels  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    language = forms.ChoiceField(
        label=_("The family's language"), choices=[("en", "English"), ("es", "Español")]
    )
    priorities = forms.CharField(
        label=_("The family's priorities, in their words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_review_on = forms.DateField(label=_("Next review"), widget=DATE)


class GoalForm(forms.Form):
    template = forms.ChoiceField(label=_("Goal from the list"), required=False)
    text = forms.CharField(label=_("Or the goal in the family's words"), required=False, max_length=400)
    steps = forms.CharField(label=_("Steps"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    need = forms.ChoiceField(label=_("Need"), required=False)
    owner = forms.ChoiceField(label=_("Owner"))
    review_on = forms.DateField(label=_("Review date"), widget=DATE)

    def __init__(self, *args: Any, staff: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (t.key, text_in(t.text, _lang())) for t in goal_templates()
        ]
        self.fields["owner"].choices = staff  # type: ignore[attr-defined]
        self.fields["need"].choices = [  # type: ignore[attr-defined]
            ("", _("The goal's own (from the list)")),
            *needs(_lang()),
            ("judgement", _("Staff judgement")),
        ]


class GoalCloseForm(forms.Form):
    goal = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[(k, v) for k, v in Goal.Outcome.choices if k != Goal.Outcome.ACTIVE]
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    owner = forms.ChoiceField(label=_("Owner"))
    due_on = forms.DateField(label=_("Due"), widget=DATE)
    goal = forms.ChoiceField(label=_("For the goal"), required=False)
    flag = forms.ChoiceField(label=_("For the alert"), required=False)
    visit = forms.ChoiceField(label=_("For the visit"), required=False)

    def __init__(
        self, *args: Any, staff: list[tuple[str, str]], goals: list[Goal], flags: Sequence[Any] = (),
        visits: Sequence[Any] = (), **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        # An alert is named by its kind and day only: its reason follows the result's labels.
        self.fields["flag"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(f.pk), f"{_('Safety alert') if f.severity == 'alert' else _('Follow-up')} · "
             f"{formats.date_format(timezone.localtime(f.raised_at).date())}")
            for f in flags
        ]  # fmt: skip
        self.fields["visit"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(v.pk), formats.date_format(timezone.localtime(v.scheduled_for), "DATETIME_FORMAT"))
            for v in visits
        ]
        self.fields["owner"].choices = staff  # type: ignore[attr-defined]
        self.fields["goal"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(g.pk), getattr(g, "shown_text", g.text)) for g in goals
        ]


class TaskUpdateForm(forms.Form):
    task = forms.UUIDField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[("done", _("Done")), ("cancelled", _("Cancelled")), ("reassign", _("Reassign"))]
    )
    note = forms.CharField(label=_("What was done, or why"), required=False, max_length=300)
    owner = forms.ChoiceField(label=_("New owner"), required=False)

    def __init__(self, *args: Any, staff: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *staff]  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    sensitivity = forms.MultipleChoiceField(
        label=_("Sensitive content"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=_label_choices,
        help_text=_("Only staff who may see screening results with these labels will read the note."),
    )
    caregiver = forms.ChoiceField(label=_("About the caregiver"), required=False)

    def __init__(self, *args: Any, caregivers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caregiver"].choices = [("", "—"), *caregivers]  # type: ignore[attr-defined]


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"))
    delivered_on = forms.DateField(label=_("Date"), widget=DATE)
    minutes = forms.IntegerField(label=_("Minutes"), required=False, min_value=1, max_value=600)
    place = forms.ChoiceField(label=_("Place"), choices=ServiceEntry.Place.choices)
    delivered_by = forms.ChoiceField(label=_("Delivered by"))
    child_present = forms.BooleanField(label=_("Child present"), required=False, initial=True)
    caregiver_ids = forms.MultipleChoiceField(
        label=_("Caregivers who took part"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args: Any, staff: list[tuple[str, str]], caregivers: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_type"].choices = [  # type: ignore[attr-defined]
            (t.key, text_in(t.label, _lang())) for t in service_types()
        ]
        self.fields["delivered_by"].choices = staff  # type: ignore[attr-defined]
        self.fields["caregiver_ids"].choices = caregivers  # type: ignore[attr-defined]


class ServiceUpdateForm(forms.Form):
    entry = forms.UUIDField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("change", _("Correct")), ("void", _("Void"))])
    minutes = forms.IntegerField(label=_("Minutes"), required=False, min_value=1, max_value=600)
    reason = forms.CharField(label=_("Why"), max_length=200)
