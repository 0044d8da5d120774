"""What the family's pages show around a question, in the family's language: the section and
stem printed above it, whom it is about, the review's rows, the date-of-birth fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.instruments.engine import AnswerItem, InputError, Instrument, form_model
from dyadcare.screening.family import FamilyLink


@dataclass(frozen=True)
class Context:
    """What surrounds a question: its section heading and the instrument's stem."""

    section: str = ""
    stem: str = ""


def contexts(instrument: Instrument, language: str) -> dict[str, Context]:
    """Each question's section and stem, from the instrument's form (by the item's link id)."""
    found: dict[str, Context] = {}

    def walk(items: Any, section: str, stem: str) -> None:
        for item in items:
            if item.hidden:
                continue
            if item.type == "display":
                stem = item.text
            elif item.type == "group":
                walk(item.children, item.text or section, stem)
            else:
                found[item.link_id] = Context(section=section, stem=stem)
                walk(item.children, section, stem)

    try:
        walk(form_model(instrument.questionnaire, language).items, "", "")
    except InputError:
        return {}
    return found


def about(link: FamilyLink, instrument: Instrument) -> str:
    if instrument.respondent == "caregiver-self":
        return _("These questions are about you.")
    return _("These questions are about %(name)s.") % {"name": link.session.child.given_name}


def common(link: FamilyLink, token: str, path: str) -> dict[str, Any]:
    """What every page of an open link shows: the language switch, progress, the clinic."""
    session = link.session
    other = "en" if session.language == "es" else "es"
    return {
        "switch_to": other if other in link.languages else "",
        "session": session,
        "clinic": session.clinic,
        "token": token,
        "kiosk": link.kiosk,
        "language_next": path,
        "parts": len(session.instruments),
        "total": link.questionnaire.question_count,
    }


def options(item: AnswerItem, chosen: Any, language: str) -> list[dict[str, Any]]:
    selected = set(chosen) if isinstance(chosen, list) else ({chosen} if chosen is not None else set())
    return [
        {
            "position": option.position,
            "label": option.label(language),
            "exclusive": option.exclusive,
            "checked": option.position in selected,
        }
        for option in item.options
    ]


def multi_hint(item: AnswerItem, label: str) -> str:
    """ "Choose all that apply." under a multi-select question, unless the question says so."""
    hint = _("Choose all that apply.") if item.kind == "multi" else ""
    return "" if hint and hint.rstrip(".").lower() in label.lower() else hint


def answer_text(item: AnswerItem, value: Any, language: str) -> str:
    if value is None:
        return ""
    if item.kind == "multi" and isinstance(value, list):
        return ", ".join(item.options[p].label(language) for p in value if 0 <= p < len(item.options))
    if item.kind == "choice" and isinstance(value, int) and 0 <= value < len(item.options):
        return item.options[value].label(language)
    return str(value)


def date_fields(language: str) -> list[str]:
    return ["day", "month", "year"] if language == "es" else ["month", "day", "year"]


def parse_birth_date(data: Mapping[str, str]) -> tuple[date | None, str, set[str]]:
    """The date of birth typed in three fields, or why it cannot be read and which fields."""
    raw = {key: (data.get(key) or "").strip() for key in ("day", "month", "year")}
    missing = {key for key, value in raw.items() if not value}
    if missing:
        return None, _("Enter the day, month and year your child was born."), missing
    wrong = {key for key, value in raw.items() if not value.isdigit()}
    if wrong:
        return None, _("Use numbers for the day and the year, for example 15 and 2025."), wrong
    every = {"day", "month", "year"}
    try:
        year = int(raw["year"])
        if year < 1900:
            raise ValueError
        born = date(year, int(raw["month"]), int(raw["day"]))
    except ValueError:
        return None, _("This date does not exist. Check the day, month and year."), every
    if born > timezone.localdate():
        return None, _("The date of birth cannot be in the future."), every
    return born, "", set()
