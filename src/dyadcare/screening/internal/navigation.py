"""Where a family is in a session's questionnaires: pure Python over the session's list of
instruments and its saved answers, so the family pages, a kiosk and a future API move through
a session the same way."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

SECONDS_PER_QUESTION = 15

StepKind = Literal["intro", "question", "review"]


@dataclass(frozen=True)
class Step:
    """One screen: an instrument's introduction, one question, or the review."""

    kind: StepKind
    instrument_id: str = ""
    number: int = 0  # the question's number in its instrument (1-based)
    part: int = 0  # the instrument's place in the session (1-based)
    position: int = 0  # the question's place among all questions (1-based)


REVIEW = Step("review")


class Questionnaire:
    """The steps of a session: each instrument's introduction, then its questions, then the
    review. ``entries`` is the session's instruments in the order asked; ``answers`` maps an
    instrument id to one saved answer (or None) per question."""

    def __init__(self, entries: Sequence[Mapping[str, Any]], answers: Mapping[str, Sequence[Any]]) -> None:
        self.instrument_ids = [str(entry["id"]) for entry in entries]
        self.answers = answers

    @cached_property
    def steps(self) -> list[Step]:
        steps: list[Step] = []
        position = 0
        for part, ident in enumerate(self.instrument_ids, start=1):
            steps.append(Step("intro", ident, 0, part, position + 1))
            for number in range(1, len(self.answers.get(ident, [])) + 1):
                position += 1
                steps.append(Step("question", ident, number, part, position))
        steps.append(REVIEW)
        return steps

    @property
    def question_count(self) -> int:
        return sum(len(self.answers.get(ident, [])) for ident in self.instrument_ids)

    @property
    def minutes(self) -> int:
        """About how long the whole session takes (one figure, used on every page and message)."""
        return max(2, math.ceil(self.question_count * SECONDS_PER_QUESTION / 60))

    def answer(self, instrument_id: str, number: int) -> Any:
        saved = self.answers.get(instrument_id, [])
        return saved[number - 1] if 1 <= number <= len(saved) else None

    def intro(self, instrument_id: str) -> Step | None:
        return next((s for s in self.steps if s.kind == "intro" and s.instrument_id == instrument_id), None)

    def question(self, instrument_id: str, number: int) -> Step | None:
        return next(
            (
                s
                for s in self.steps
                if s.kind == "question" and s.instrument_id == instrument_id and s.number == number
            ),
            None,
        )

    def neighbours(self, step: Step) -> tuple[Step | None, Step | None]:
        index = self.steps.index(step)
        before = self.steps[index - 1] if index > 0 else None
        after = self.steps[index + 1] if index + 1 < len(self.steps) else None
        return before, after

    def _answered(self, step: Step) -> bool:
        return step.kind == "question" and self.answer(step.instrument_id, step.number) is not None

    def _untouched(self, instrument_id: str) -> bool:
        return all(a is None for a in self.answers.get(instrument_id, []))

    def resume(self) -> Step:
        """Where a reopened link continues: the first unanswered question after the last answer
        given (skipped questions wait on the review page), at its instrument's introduction
        when that instrument is untouched; the review when nothing is left."""
        steps = self.steps
        answered = [i for i, step in enumerate(steps) if self._answered(step)]
        for index in range(answered[-1] + 1 if answered else 0, len(steps)):
            step = steps[index]
            if step.kind == "intro":
                return step
            if step.kind == "question" and not self._answered(step):
                first_of_untouched = step.number == 1 and self._untouched(step.instrument_id)
                return steps[index - 1] if first_of_untouched else step
        return REVIEW

    def after_answer(self, step: Step, action: str, *, to_review: bool) -> Step:
        """The next screen once a question's answer is saved: back, the review the family came
        from, or the next screen."""
        before, after = self.neighbours(step)
        if action == "back":
            return before or step
        if to_review:
            return REVIEW
        return after or REVIEW
