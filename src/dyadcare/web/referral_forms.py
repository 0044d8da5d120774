"""Forms of the referral pages: making a referral (need, service, consent, how to send), a
status update (staff's own or taken by phone), resending. The referral services hold the
rules; their messages come back at these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dyadcare.referrals import sharing, workflow

DATE = forms.DateInput(attrs={"type": "date"})


def _lang() -> str:
    return (get_language() or "en")[:2]


def need_choices() -> list[tuple[str, str]]:
    return [(n.key, workflow.label(n.label, _lang())) for n in workflow.needs().values()]


class SearchForm(forms.Form):
    need = forms.ChoiceField(label=_("Need"))
    text = forms.CharField(
        label=_("Words in the service's name or description"), required=False, max_length=100
    )
    language = forms.ChoiceField(
        label=_("Language spoken"), required=False, choices=[("", "—"), ("en", "English"), ("es", "Español")]
    )
    zip_code = forms.CharField(label=_("ZIP code"), required=False, max_length=10)
    child_age_months = forms.IntegerField(
        label=_("Child's age (months)"), required=False, min_value=0, max_value=216
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=1000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = need_choices()  # type: ignore[attr-defined]


class ReferralForm(forms.Form):
    """The referral itself: for whom, why, the service (typed when not from the directory),
    the caregiver's consent and how to send."""

    need = forms.ChoiceField(label=_("Need"))
    reason = forms.CharField(
        label=_("Why you are referring"),
        required=False,
        max_length=400,
        help_text=_("Needed when the referral comes from your judgement. Stays in the clinic."),
    )
    service_name = forms.CharField(label=_("Service name"), max_length=300)
    organization_name = forms.CharField(label=_("Organization"), max_length=300, required=False)
    service_phone = forms.CharField(label=_("Phone"), max_length=60, required=False)
    service_email = forms.EmailField(label=_("Email for referrals"), required=False)
    service_address = forms.CharField(label=_("Address"), max_length=400, required=False)
    service_website = forms.CharField(label=_("Website"), max_length=500, required=False)
    service_hours = forms.CharField(label=_("Hours"), max_length=400, required=False)
    caregiver = forms.ChoiceField(label=_("Caregiver who agreed"))
    method = forms.ChoiceField(
        label=_("How they agreed"), choices=[("verbal", _("Verbal")), ("written", _("Written (signed)"))]
    )
    consented_on = forms.DateField(label=_("When they agreed"), widget=DATE)
    shares = forms.MultipleChoiceField(
        label=_("What may be shared with the organization"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(key, label) for key, label in sharing.ITEMS.items()],
    )
    channel = forms.ChoiceField(
        label=_("How to send"),
        choices=[("email", _("Email the organization a link")), ("print", _("Print it or phone it"))],
    )

    def __init__(self, *args: Any, caregivers: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("shares", list(sharing.DEFAULT_ITEMS))
        kwargs["initial"].setdefault("consented_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = need_choices()  # type: ignore[attr-defined]
        self.fields["caregiver"].choices = caregivers  # type: ignore[attr-defined]


class UpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    outcome = forms.ChoiceField(label=_("Outcome or reason"), required=False)
    note = forms.CharField(
        label=_("What they said"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    caller = forms.CharField(
        label=_("Who called"),
        required=False,
        max_length=200,
        help_text=_("Fill in for an update taken by phone (the organization or the family)."),
    )

    def __init__(self, *args: Any, moves: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = _lang()
        flow = workflow.workflow()
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (code, workflow.label(flow.statuses[code].label, language)) for code in moves
        ]
        self.fields["outcome"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (o.code, workflow.label(o.label, language)) for o in flow.outcomes.values()
        ]


class SendForm(forms.Form):
    channel = forms.ChoiceField(
        choices=[("email", _("Email the organization a new link")), ("print", _("Printed or phoned"))]
    )


class SummarySendForm(forms.Form):
    channel = forms.ChoiceField(choices=[("sms", _("Text message")), ("email", _("Email"))])
