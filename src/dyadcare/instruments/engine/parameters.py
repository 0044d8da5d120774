"""The values a clinic may change in an instrument, and how each kind is checked.

Three kinds: a ``number`` (a cut-off, within its declared minimum and maximum), ``weights``
(one 0-or-1 weight per answer option of the items it names) and ``blocks`` (named groups of
items, a subscale's membership, no item in two groups).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from dyadcare.instruments.engine.errors import DefinitionError
from dyadcare.instruments.engine.plain import plain_text

if TYPE_CHECKING:
    from dyadcare.instruments.engine.definition import Confidence, Instrument


@dataclass(frozen=True)
class Parameter:
    """A value a clinic may change: a cut-off, option weights, the items of a subscale."""

    name: str
    kind: Literal["number", "weights", "blocks"]
    default: Any
    confidence: Confidence
    source: str
    label: Mapping[str, str]
    note: Mapping[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    items: tuple[int, ...] = ()  # for "weights": the items whose option weights it sets

    def check(self, value: Any, instrument: Instrument) -> Any:
        """Return ``value`` in canonical form, or raise DefinitionError."""
        if self.kind == "number":
            return self._check_number(value)
        if self.kind == "weights":
            return self._check_weights(value, instrument)
        return self._check_blocks(value, instrument)

    def _check_number(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DefinitionError(f"{self.name}: a number is needed")
        if self.minimum is not None and value < self.minimum:
            raise DefinitionError(f"{self.name}: at least {plain_text(self.minimum)}")
        if self.maximum is not None and value > self.maximum:
            raise DefinitionError(f"{self.name}: at most {plain_text(self.maximum)}")
        return value

    def _check_weights(self, value: Any, instrument: Instrument) -> list[int]:
        sizes = {len(instrument.item(n).options) for n in self.items}
        if not isinstance(value, list) or len(sizes) != 1 or len(value) != sizes.pop():
            raise DefinitionError(f"{self.name}: one weight per answer option is needed")
        if any(isinstance(v, bool) or v not in (0, 1) for v in value):
            raise DefinitionError(f"{self.name}: each weight is 0 or 1")
        return [int(v) for v in value]

    def _check_blocks(self, value: Any, instrument: Instrument) -> dict[str, list[int]]:
        if not isinstance(value, dict) or not value:
            raise DefinitionError(f"{self.name}: name each block and list its items")
        seen: set[int] = set()
        blocks: dict[str, list[int]] = {}
        for name, items in value.items():
            if not isinstance(name, str) or not name or not isinstance(items, list) or not items:
                raise DefinitionError(f"{self.name}: name each block and list its items")
            self._check_block_items(items, seen, len(instrument.items))
            blocks[name] = list(items)
        return blocks

    def _check_block_items(self, items: list[Any], seen: set[int], count: int) -> None:
        """Each item of a block exists and is in no earlier block (``seen`` collects them)."""
        for n in items:
            if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= count:
                raise DefinitionError(f"{self.name}: item {n} does not exist")
            if n in seen:
                raise DefinitionError(f"{self.name}: item {n} is in two blocks")
            seen.add(n)
