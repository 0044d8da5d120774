"""Forms for staff pages. Validation is the models' own (``Model.clean`` and field
validators, run by the ModelForm); the forms only turn text into values."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dyadcare.families.choices import (
    RACE_ETHNICITY_WITH_DECLINED,
    Relationship,
)
from dyadcare.families.models import Caregiver, Child
from dyadcare.families.rules import GestationalAge, RuleError, parse_gestational_age
from dyadcare.tenancy import auditactions


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


# The days a clinic's pages can be asked about: nothing in dyadcare is older than this, and a
# date decades ahead is a typo (it would also overflow time-zone arithmetic near year 9999).
EARLIEST_DAY = date(2000, 1, 1)
YEARS_AHEAD = 10


def latest_day() -> date:
    today = timezone.localdate()
    return today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28))


def day_in_range(day: date) -> bool:
    return EARLIEST_DAY <= day <= latest_day()


class ClinicDateField(forms.DateField):
    """A date a clinic's page can use: from 2000 to ten years ahead."""

    widget = DateInput

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not day_in_range(value):
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": EARLIEST_DAY.isoformat(), "last": latest_day().isoformat()}
            )


class GestationalAgeField(forms.Field):
    """Weeks+days as clinicians write it ("33+2"), stored as days (233)."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "text", "placeholder": "38+4", "autocomplete": "off", "maxlength": "6"}
        )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return str(GestationalAge(*divmod(value, 7)))
        return value

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return parse_gestational_age(text).total_days
        except RuleError:
            raise forms.ValidationError(
                _("Write weeks+days between 22+0 and 44+6, for example 38+4."), code="ga_format"
            ) from None


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class ChildForm(forms.ModelForm[Child]):
    gestational_age_days = GestationalAgeField(
        label=_("Gestational age at birth"),
        required=False,
        help_text=_("Weeks+days, for example 38+4. Leave empty if unknown."),
    )
    race_ethnicity = forms.MultipleChoiceField(
        label=_("Race and ethnicity"),
        choices=RACE_ETHNICITY_WITH_DECLINED,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose all that apply, as the family describes the child."),
    )

    class Meta:
        model = Child
        fields = [
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "gestational_age_days",
            "mrn",
            "medi_cal_id",
            "preferred_language",
            "race_ethnicity",
            "race_ethnicity_detail",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "sex": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["given_name"].widget.attrs["autocomplete"] = "off"
        self.fields["family_name"].widget.attrs["autocomplete"] = "off"


class CaregiverForm(forms.ModelForm[Caregiver]):
    class Meta:
        model = Caregiver
        fields = [
            "given_name",
            "family_name",
            "preferred_language",
            "phone",
            "consent_sms",
            "email",
            "consent_email",
            "date_of_birth",
            "medi_cal_id",
        ]
        widgets = {"date_of_birth": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["email"].widget.attrs.update({"autocomplete": "off"})


class RelationshipForm(forms.Form):
    relationship = forms.ChoiceField(label=_("Relationship to the child"), choices=Relationship.choices)
    is_primary = forms.BooleanField(label=_("Primary caregiver"), required=False)
    legal_guardian = forms.BooleanField(label=_("Legal guardian"), required=False, initial=True)
    lives_with_child = forms.BooleanField(label=_("Lives with the child"), required=False, initial=True)


class AuditFilterForm(forms.Form):
    who = forms.CharField(label=_("Staff member"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=lambda: [("", _("Any action")), *auditactions.choices()],
    )
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    since = ClinicDateField(label=_("From"), required=False)
    until = ClinicDateField(label=_("To"), required=False)


class VisitForm(forms.Form):
    day = ClinicDateField(label=_("Date"))
    at = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    touchpoint = forms.ChoiceField(
        label=_("Well-child touchpoint"),
        required=False,
        help_text=_("Leave on 'Work it out' to use the touchpoint whose window holds the date."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from dyadcare.touchpoints.models import TOUCHPOINT_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].choices = [  # type: ignore[attr-defined]
            ("auto", _("Work it out from the date")),
            *TOUCHPOINT_CHOICES,
            ("", _("Not a well-child touchpoint")),
        ]
        self.fields["touchpoint"].initial = "auto"


class AppointmentImportForm(forms.Form):
    file = forms.FileField(
        label=_("Appointments file (CSV)"),
        help_text=_("Columns: date, time, mrn, and optionally touchpoint and clinician (username)."),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 2_000_000:
            raise forms.ValidationError(_("The file is larger than 2 MB; split it."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return str(raw.decode(encoding))
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("The file is not a text (CSV) file."))


class ScheduleRuleForm(forms.Form):
    category = forms.SlugField(label=_("Category"), max_length=40)
    label = forms.CharField(label=_("Name (for a new category)"), required=False, max_length=80)
    touchpoint = forms.ChoiceField(label=_("Touchpoint"))
    instruments = forms.CharField(
        label=_("Instruments"),
        required=False,
        help_text=_("Instrument ids separated by commas, for example epds, phq9. Empty: no instrument."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from dyadcare.touchpoints.models import TOUCHPOINT_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].choices = [  # type: ignore[attr-defined]
            ("*", _("Every touchpoint where it is due")),
            *TOUCHPOINT_CHOICES,
        ]

    def instrument_list(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data.get("instruments", "").split(",") if part.strip()]
