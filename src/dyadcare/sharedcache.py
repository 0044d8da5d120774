"""The site's cache (settings.CACHES): Django's database cache, one table every process of the
site reads and writes, so an entry one worker drops is gone for all. Django's ``set_many``
writes each entry with three or four statements; this one writes them all with three (count, delete,
insert), so filling the network home's counts for every clinic stays a fixed number of
queries (tests/web/test_flat_pages.py)."""

from __future__ import annotations

import base64
import pickle
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now as tz_now


class SharedCache(DatabaseCache):
    def set_many(
        self, data: Mapping[str, Any], timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        if not data:
            return []
        seconds = self.get_backend_timeout(timeout)
        tz = UTC if settings.USE_TZ else None
        expires = (
            datetime.max.replace(tzinfo=tz) if seconds is None else datetime.fromtimestamp(seconds, tz=tz)
        )
        entries = {self.make_and_validate_key(key, version=version): value for key, value in data.items()}
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        name = connection.ops.quote_name
        table, key_column = name(self._table), name("cache_key")  # type: ignore[attr-defined]
        columns = f"{key_column}, {name('value')}, {name('expires')}"
        stamp = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        rows = [
            (key, base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1"), stamp)
            for key, value in entries.items()
        ]
        marks = ", ".join(["%s"] * len(rows))
        try:
            with transaction.atomic(using=db), connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - quoted names, bound values
                count = cursor.fetchone()[0]
                if count > self._max_entries:
                    self._cull(db, cursor, tz_now().replace(microsecond=0), count)  # type: ignore[attr-defined]
                sql = f"DELETE FROM {table} WHERE {key_column} IN ({marks})"  # noqa: S608 - as above
                cursor.execute(sql, list(entries))
                values = ", ".join(["(%s, %s, %s)"] * len(rows))
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {values}",  # noqa: S608 - as above
                    [part for row in rows for part in row],
                )
        except DatabaseError:  # another process wrote one of these keys meanwhile: as Django's own
            return list(data)
        return []
