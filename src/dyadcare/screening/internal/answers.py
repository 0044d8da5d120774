"""Answers as people give them (form values, one list of strings per question), read with the
engine's one validator and refused with a reason in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dyadcare.instruments import engine
from dyadcare.instruments.engine import AnswerItem, Instrument
from dyadcare.instruments.engine.plain import plain


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
    is unanswered), checked together; a ValidationError lists each item's problem."""
    answers, problems = [], []
    for item in instrument.items:
        try:
            answers.append(read_answer(item, entered.get(item.number, []), language=language))
        except AnswerRefused as refused:
            problems.append(
                _("%(item)s: %(problem)s") % {"item": item.label(language), "problem": refused.message}
            )
    if problems:
        raise ValidationError(problems)
    try:
        return engine.parse_answers(instrument, answers)
    except engine.InputError as exc:
        raise ValidationError(str(exc)) from exc
