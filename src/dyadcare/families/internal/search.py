"""The name and MRN search on an index, whichever the database.

A search word matches a name when it starts one of the name's words ("gar jo" finds "García,
José"). Names are kept as ``search_name`` (lower-case ASCII words of letters and digits, one
space apart: ``rules.search_key``), so that is exactly a prefix match on the name's tokens:

- SQLite: the FTS5 tables of migration ``families/0004`` (``"gar"* AND "jo"*``), each word a
  prefix query, so a search reads the index, not the clinic's children;
- PostgreSQL: the same ``LIKE 'gar%' OR LIKE '% gar%'`` conditions as before, which the trigram
  (pg_trgm) GIN indexes of that migration answer; the MRN has an index on ``UPPER(mrn)``.

Both give the same rows (tests run the search on both databases).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

_TOKEN = re.compile(r"[^\W_]+")
_INDEXED = {
    ("families_child", "search_name"),
    ("families_child", "mrn"),
    ("families_caregiver", "search_name"),
}


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fts(table: str, column: str, expression: str) -> RawSQL:
    """The primary keys of ``table``'s rows whose ``column`` matches ``expression`` (the
    names are this module's own; the searched text is a parameter)."""
    if (table, column) not in _INDEXED:
        raise ValueError(f"no search index on {table}.{column}")
    fts = f'"{table}_fts"'
    sql = f'SELECT t."id" FROM "{table}" t JOIN {fts} f ON f.rowid = t.rowid WHERE {fts} MATCH %s'  # noqa: S608
    return RawSQL(sql, ["{" + column + "}: " + expression])  # noqa: S611 (fixed names, text as a parameter)


def _like(words: list[str]) -> Q:
    match = Q()
    for word in words:
        match &= Q(search_name__startswith=word) | Q(search_name__contains=" " + word)
    return match


def name_match(table: str, words: list[str]) -> Q:
    """Rows of ``table`` (``families_child`` or ``families_caregiver``) whose name has a word
    starting with each of ``words`` (words of ``search_key``: letters and digits)."""
    if connection.vendor != "sqlite":
        return _like(words)
    return Q(pk__in=_fts(table, "search_name", " AND ".join(_quoted(w) + "*" for w in words)))


def mrn_match(text: str) -> Q:
    """Children whose MRN is ``text``, ignoring case."""
    exact = Q(mrn__iexact=text)
    tokens = _TOKEN.findall(text.lower())
    if connection.vendor != "sqlite" or not tokens:
        return exact
    # The index narrows to MRNs made of the same words; the comparison keeps the exact ones.
    return Q(pk__in=_fts("families_child", "mrn", " AND ".join(_quoted(t) for t in tokens))) & exact
