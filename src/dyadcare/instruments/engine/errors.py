"""The one error the engine raises for bad input."""

from __future__ import annotations


class InputError(ValueError):
    """Invalid input: an unknown instrument, the wrong number of answers, a position out of
    range, malformed JSON or FHIR. The message is one line, fit to show a person."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class DefinitionError(ValueError):
    """A library data file (or a clinic override) breaks the instrument format."""
