"""Answers as people give them (form values, one list of strings per question), read with the
engine's one validator and refused with a reason in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dyadcare.instruments import engine
from dyadcare.instruments.engine import AnswerItem, Instrument


class AnswerRefused(Exception):
    """The answer sent cannot be saved; ``message`` says why, in the page's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _AnswerError(Exception):  # TEMPORARY until engine.answer_from_form lands
    def __init__(self, code: str, option: int | None = None) -> None:
        super().__init__(code)
        self.code, self.option = code, option


def _answer_from_form(item: AnswerItem, values: Sequence[str]) -> Any:  # TEMPORARY
    import math

    if item.kind == "multi":
        try:
            chosen = sorted({int(v) for v in values})
        except ValueError:
            raise _AnswerError("choose-option") from None
        if any(not 0 <= p < len(item.options) for p in chosen):
            raise _AnswerError("choose-option")
        exclusive = [p for p in chosen if item.options[p].exclusive]
        if exclusive and len(chosen) > 1:
            raise _AnswerError("exclusive", exclusive[0])
        return chosen or None
    raw = values[-1].strip() if values else ""
    if not raw:
        return None
    if item.kind == "numeric":
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            raise _AnswerError("enter-number") from None
        if not math.isfinite(number):
            raise _AnswerError("enter-number")
        return int(number) if number.is_integer() else number
    try:
        position = int(raw)
    except ValueError:
        raise _AnswerError("choose-option") from None
    if not 0 <= position < len(item.options):
        raise _AnswerError("choose-option")
    return position


def _refusal(error: _AnswerError, item: AnswerItem, language: str) -> str:
    if error.code == "enter-number":
        return _("Enter a number.")
    if error.code == "exclusive" and error.option is not None:
        return _("“%(none)s” cannot be chosen with other answers.") % {
            "none": item.options[error.option].label(language)
        }
    return _("Choose one of the answers shown.")


def read_answer(item: AnswerItem, values: Sequence[str], *, language: str) -> Any:
    """The answer given as form values (None when none was chosen), or AnswerRefused."""
    try:
        return _answer_from_form(item, values)
    except _AnswerError as error:
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
