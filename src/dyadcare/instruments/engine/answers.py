"""Checking answers: the one validator, for typed values and for the strings a form sends.

An answer is given per answer item, in the instrument's printed order:

- a single-choice item: the 0-based position of the chosen option;
- a multi-select item: a list of positions (kept sorted, without repeats; an empty list is
  no answer);
- a score-entry (numeric) item: a finite number within the item's range;
- ``None``: unanswered.

:func:`check_answer` checks one typed value (JSON, as ``dyadcare score --answers`` gives it,
or stored answers) and :func:`parse_answers` a whole ``--answers`` list. :func:`answer_from_form`
reads the strings an HTML form sends for one item and applies the same checks, and one more
that only a form needs: an exclusive option ("None of the above") is chosen alone.

A problem with one answer raises :class:`AnswerError`, an :class:`InputError` with a one-line
English message and a machine-readable ``code`` that a web layer translates.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from dyadcare.instruments.engine.errors import InputError
from dyadcare.instruments.engine.plain import plain

if TYPE_CHECKING:
    from dyadcare.instruments.engine.definition import AnswerItem, Instrument

Answer = int | float | list[int] | None
AnswerProblem = Literal["choose-option", "enter-number", "exclusive"]


class AnswerError(InputError):
    """An answer that does not fit its item (number ``item``). ``code`` says why:

    - ``"choose-option"``: not an option's position (not an integer, or no such option), or
      not a list of them for a multi-select item;
    - ``"enter-number"``: a score-entry item needs a finite number within its range;
    - ``"exclusive"``: the exclusive option at position ``option`` was chosen with others.
    """

    def __init__(self, code: AnswerProblem, message: str, *, item: int, option: int | None = None) -> None:
        super().__init__(message)
        self.code: AnswerProblem = code
        self.item = item
        self.option = option


# Typed answers -------------------------------------------------------------------------------


def parse_answers(instrument: Instrument, raw: str | Sequence[Any]) -> list[Answer]:
    """Check ``--answers`` (JSON text or a list) against the instrument; raise InputError."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InputError("--answers is not valid JSON") from None
    if not isinstance(raw, list):
        raise InputError("--answers must be a JSON list with one entry per item")
    if len(raw) != len(instrument.items):
        raise InputError(
            f"{instrument.id} has {len(instrument.items)} items; --answers has {len(raw)} entries"
        )
    return [check_answer(item, value) for item, value in zip(instrument.items, raw, strict=True)]


def check_answer(item: AnswerItem, value: Any) -> Answer:
    """``value`` as the answer to ``item`` (a multi-select answer sorted, without repeats, an
    empty one None), or raise :class:`AnswerError`."""
    if value is None:
        return None
    if item.kind == "choice":
        return _position(item, value)
    if item.kind == "multi":
        if not isinstance(value, list):
            raise AnswerError(
                "choose-option",
                f"item {item.number} is multi-select: give a list of positions",
                item=item.number,
            )
        positions = sorted({_position(item, v) for v in value})
        return positions or None
    return _number(item, value)


def _position(item: AnswerItem, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(
            "choose-option",
            f"item {item.number}: a 0-based option position is needed, not {json.dumps(value)}",
            item=item.number,
        )
    if not 0 <= value < len(item.options):
        raise AnswerError(
            "choose-option",
            f"item {item.number}: position {value} is out of range 0-{len(item.options) - 1}",
            item=item.number,
        )
    return value


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large to be a float
        return False


def _number(item: AnswerItem, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
        raise AnswerError("enter-number", f"item {item.number}: a number is needed", item=item.number)
    assert item.minimum is not None and item.maximum is not None
    if not item.minimum <= value <= item.maximum:
        raise AnswerError(
            "enter-number",
            f"item {item.number}: {value} is out of range {plain(item.minimum)}-{plain(item.maximum)}",
            item=item.number,
        )
    return value


# Answers sent by a form ----------------------------------------------------------------------


def answer_from_form(item: AnswerItem, values: Sequence[str]) -> Answer:
    """The answer to ``item`` from the strings a form sent for it (every value of its field,
    as ``request.POST.getlist`` gives them), or raise :class:`AnswerError`.

    - single choice: no string, or one holding an option's position; blank is no answer;
    - multi-select: each string a position; repeats dropped, sorted; none is no answer; an
      exclusive option cannot be chosen with others;
    - score entry: no string, or one holding a number (a decimal comma is accepted), finite
      and within range; blank is no answer; a whole number comes back as an int.
    """
    if isinstance(values, str):
        raise TypeError("values must be a sequence of strings, not one string")
    if item.kind == "multi":
        answer = check_answer(item, [_form_position(item, value) for value in values])
        assert answer is None or isinstance(answer, list)
        _check_exclusive(item, answer or [])
        return answer
    if len(values) > 1:
        raise AnswerError(
            "enter-number" if item.kind == "numeric" else "choose-option",
            f"item {item.number} takes one answer, not {len(values)}",
            item=item.number,
        )
    text = values[0].strip() if values else ""
    if not text:
        return None
    if item.kind == "numeric":
        return check_answer(item, _form_number(item, text))
    return check_answer(item, _form_position(item, text))


def _form_position(item: AnswerItem, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise AnswerError(
            "choose-option",
            f"item {item.number}: a 0-based option position is needed, not {json.dumps(text)}",
            item=item.number,
        ) from None


def _form_number(item: AnswerItem, text: str) -> int | float:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        number = math.nan  # not a number: refused below, as are inf and nan
    if not math.isfinite(number):
        raise AnswerError("enter-number", f"item {item.number}: a number is needed", item=item.number)
    return int(number) if number.is_integer() else number


def _check_exclusive(item: AnswerItem, positions: list[int]) -> None:
    exclusive = [p for p in positions if item.options[p].exclusive]
    if exclusive and len(positions) > 1:
        option = item.options[exclusive[0]]
        raise AnswerError(
            "exclusive",
            f'item {item.number}: "{option.display}" cannot be chosen with other answers',
            item=item.number,
            option=option.position,
        )
