"""Choice lists for family records, built from the data file with English and Spanish labels."""

from __future__ import annotations

from django.db import models
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dyadcare.families.rules import coded_choices, demographics


def _bilingual(english: str, spanish: str) -> str:
    language = (get_language() or "en").split("-")[0]
    return spanish if language == "es" else english


bilingual_label = lazy(_bilingual, str)


def _choices(section: str) -> list[tuple[str, str]]:
    return [(code, bilingual_label(en, es)) for code, en, es in coded_choices(section)]


LANGUAGE_CHOICES = _choices("languages")
RACE_ETHNICITY_CHOICES = _choices("race_ethnicity")
_declined = demographics().race_ethnicity_declined
RACE_ETHNICITY_DECLINED = _declined.code
RACE_ETHNICITY_WITH_DECLINED = [
    *RACE_ETHNICITY_CHOICES,
    (_declined.code, bilingual_label(_declined.label, _declined.label_es)),
]


class Sex(models.TextChoices):
    """Sex recorded at birth, as US Core's birth sex (F, M, UNK)."""

    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "UNK", _("Unknown")


class Relationship(models.TextChoices):
    """A caregiver's relationship to a child (a subset of HL7 v3 RoleCode family members)."""

    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    PARENT = "parent", _("Parent")
    STEPPARENT = "stepparent", _("Stepparent")
    GRANDMOTHER = "grandmother", _("Grandmother")
    GRANDFATHER = "grandfather", _("Grandfather")
    AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
    SIBLING = "sibling", _("Older sibling")
    FOSTER_PARENT = "foster_parent", _("Foster parent")
    GUARDIAN = "guardian", _("Legal guardian")
    OTHER = "other", _("Other")
