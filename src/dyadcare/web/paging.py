"""The web's lists page with tenancy's capped paginator (one class, whoever pages)."""

from __future__ import annotations

from dyadcare.tenancy.paging import CAP, CappedPaginator

__all__ = ["CAP", "CappedPaginator"]
