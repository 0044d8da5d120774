"""Pages of a list that can grow with the clinic, without counting all of it: the count stops
at ``CAP`` rows (a bounded read, whatever the clinic's size), the pages go as far as the cap,
and the template says "more than N" and asks for a search to narrow the list. Here, below
every domain, so a domain's list (the alerts worklist) pages with it as the web's do."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator

CAP = 1000


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator of a query set whose ``count`` reads at most ``cap + 1`` rows; ``capped``
    says it stopped there."""

    cap = CAP

    @cached_property
    def _counted(self) -> int:
        rows: Any = self.object_list[: self.cap + 1]
        return int(rows.count())

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap
