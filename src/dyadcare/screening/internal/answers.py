"""Answers as people give them (form values, one list of strings per question), read with the
engine's one validator and refused with a reason in the reader's language; a paper form
entered by staff, checked with who filled it in and its language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dyadcare.families.models import Caregiver, CareRelationship
from dyadcare.instruments import engine
from dyadcare.instruments.engine import AnswerItem, Instrument
from dyadcare.instruments.engine.plain import plain
from dyadcare.touchpoints.models import Visit


class AnswerRefused(Exception):
    """The answer sent cannot be saved; ``message`` says why, in the page's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _refusal(error: engine.AnswerError, item: AnswerItem, language: str) -> str:
    if error.code == "enter-number":
        if item.minimum is not None and item.maximum is not None:
            return _("Enter a number from %(min)s to %(max)s.") % {
                "min": plain(item.minimum),
                "max": plain(item.maximum),
            }
        return _("Enter a number.")
    if error.code == "exclusive" and error.option is not None:
        return _("“%(none)s” cannot be chosen with other answers.") % {
            "none": item.options[error.option].label(language)
        }
    return _("Choose one of the answers shown.")


def read_answer(item: AnswerItem, values: Sequence[str], *, language: str) -> Any:
    """The answer given as form values (None when none was chosen), or AnswerRefused."""
    try:
        return engine.answer_from_form(item, [v.strip() for v in values])
    except engine.AnswerError as error:
        raise AnswerRefused(_refusal(error, item, language)) from None


def read_answers(instrument: Instrument, entered: Mapping[int, Sequence[str]], *, language: str) -> list[Any]:
    """Every item's answer from what staff entered (item number → form values; a missing item
    is unanswered), checked together; a ValidationError gives each item's problem under the
    item's field name (``item-3``), naming the item."""
    answers: list[Any] = []
    problems: dict[str, list[str]] = {}
    for item in instrument.items:
        try:
            answers.append(read_answer(item, entered.get(item.number, []), language=language))
        except AnswerRefused as refused:
            problems[f"item-{item.number}"] = [
                _("%(item)s: %(problem)s") % {"item": item.label(language), "problem": refused.message}
            ]
    if problems:
        raise ValidationError(problems)
    try:
        return engine.parse_answers(instrument, answers)
    except engine.InputError as exc:
        raise ValidationError(str(exc)) from exc


def paper_answers(
    instrument: Instrument,
    visit: Visit,
    entered: Mapping[int, Sequence[str]],
    answered_in: str,
    caregiver: Caregiver | None,
    language: str,
) -> list[Any]:
    """The paper form's answers, checked with who filled it in and its language: every
    problem at once, under its field's name."""
    errors: dict[str, list[str]] = {}
    if answered_in not in instrument.languages:
        errors["answered_in"] = [_("Say which language the form was answered in.")]
    answers: list[Any] = []
    try:
        check_respondent(instrument, visit, caregiver)
    except ValidationError as exc:
        _merge(errors, exc)
    try:
        answers = read_answers(instrument, entered, language=language)
    except ValidationError as exc:
        _merge(errors, exc)
    if not errors and all(a is None for a in answers):
        errors["__all__"] = [_("Enter at least one answer from the form.")]
    if errors:
        raise ValidationError(errors)
    return answers


def _merge(errors: dict[str, list[str]], exc: ValidationError) -> None:
    found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, problems in found.items():
        errors.setdefault(field, []).extend(problems)


def check_respondent(instrument: Instrument, visit: Visit, caregiver: Caregiver | None) -> None:
    if caregiver is None:
        if instrument.respondent == "caregiver-self":
            raise ValidationError({"caregiver": [_("Say which caregiver filled in the form.")]})
        return
    if not CareRelationship.objects.filter(child_id=visit.child_id, caregiver=caregiver).exists():
        raise ValidationError({"caregiver": [_("This person is not recorded as the child's caregiver.")]})
