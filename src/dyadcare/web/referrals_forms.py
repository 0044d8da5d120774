"""Forms of the community resource directory pages."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from dyadcare.families.choices import LANGUAGE_CHOICES
from dyadcare.referrals.selectors import need_choices


class DirectorySearchForm(forms.Form):
    need = forms.ChoiceField(label=_("Need"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any")), *LANGUAGE_CHOICES]
    )
    age_months = forms.IntegerField(
        label=_("Child's age (months)"), required=False, min_value=0, max_value=240
    )
    zip_code = forms.CharField(
        label=_("Family's ZIP code"),
        required=False,
        max_length=10,
        validators=[RegexValidator(r"^\d{5}(-\d{4})?$", _("Enter a 5-digit ZIP code."))],
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    text = forms.CharField(label=_("Words in the name or description"), required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: object, language: str = "en", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["need"].choices = [("", _("Any need")), *need_choices(language)]  # type: ignore[attr-defined]


class DirectoryNoteForm(forms.Form):
    text = forms.CharField(
        label=_("The clinic's note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What worked, whom to ask, what families said. "
            "Leave empty to remove the note. No family's details here."
        ),
    )
