"""Forms of the visit's screening page: adding an instrument, recording a screen given
elsewhere. Their choices come from the screening domain's selectors; the services check
everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dyadcare.screening.models import DoneElsewhere


def _blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Nothing chosen until staff choose (no pre-selected clinical fact)."""
    return [("", "—"), *choices]


class AddInstrumentForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Instrument"))
    reason = forms.CharField(
        label=_("Why"),
        max_length=300,
        help_text=_("For example: positive PHQ-2; the mother describes worry most days."),
    )

    prefix = "add"

    def __init__(self, *args: Any, instruments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = _blank(instruments)  # type: ignore[attr-defined]


class DoneElsewhereForm(forms.Form):
    prefix = "elsewhere"
    category = forms.ChoiceField(label=_("Screening"))
    instrument = forms.ChoiceField(label=_("Instrument used"))
    done_on = forms.DateField(label=_("Date given"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(
        label=_("Where"), max_length=120, help_text=_("For example: the obstetrician's postpartum visit.")
    )
    outcome = forms.ChoiceField(label=_("Result"), choices=_blank(list(DoneElsewhere.Outcome.choices)))
    reason = forms.CharField(
        label=_("How you know"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the obstetrician's note of 3 March, seen in the shared record."),
    )

    def __init__(
        self,
        *args: Any,
        categories: list[tuple[str, str]],
        instruments: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _blank(categories)  # type: ignore[attr-defined]
        self.fields["instrument"].choices = _blank(instruments)  # type: ignore[attr-defined]


class WorklistForm(forms.Form):
    """The alerts worklist's filters (a GET form). A bad value is reported at its field and
    the page answers 400; nothing else is read from the address."""

    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("open", _("Open")), ("closed", _("Acknowledged")), ("all", _("All"))],
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", _("Safety alerts and follow-ups")),
            ("alert", _("Safety alerts")),
            ("follow_up", _("Follow-ups")),
        ],
    )
    since = forms.DateField(
        label=_("Raised from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Raised until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    category = forms.ChoiceField(label=_("Screening category"), required=False)
    child = forms.UUIDField(label=_("Child"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [("", _("Every category")), *categories]
        if not categories:
            del self.fields["category"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data
