"""Reading a clinic's licensed item text from an uploaded JSON or CSV file.

JSON: ``{"instrument": "epds", "language": "es", "items": [{"number": 1, "text": "…",
"options": ["…", …]}, …]}`` (``instrument``/``language`` optional; a bare list of items works).
CSV (UTF-8, a header row): ``number,text,option_1,option_2,…``, one row per item.

Every item needs its text; items whose option labels are placeholders in the library
("Option 1") need one label per option, others may give them or leave them empty.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from dyadcare.instruments.engine.definition import AnswerItem, Instrument

MAX_TEXT = 2000


@dataclass(frozen=True)
class ItemText:
    number: int
    text: str
    options: tuple[str, ...] = ()


class TextFileError(ValueError):
    """``code`` names the problem (the web form translates it); ``params`` fill it in."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def needs_option_labels(item: AnswerItem) -> bool:
    return any(o.display.startswith("Option ") for o in item.options)


def _rows_from_json(data: Any, instrument: Instrument, language: str) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        if data.get("instrument", instrument.id) != instrument.id:
            raise TextFileError(
                "instrument", "the file is for another instrument", found=str(data.get("instrument"))
            )
        if data.get("language", language) != language:
            raise TextFileError(
                "language", "the file is in another language", found=str(data.get("language"))
            )
        data = data.get("items")
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise TextFileError("format", "the JSON must hold a list of items")
    return data


def _rows_from_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["number", "text"]:
        raise TextFileError("csv_header", "the first CSV row must be: number,text,option_1,…")
    return [
        {
            "number": row[0].strip(),
            "text": row[1] if len(row) > 1 else "",
            "options": [c for c in row[2:] if c.strip()],
        }
        for row in rows[1:]
    ]


def parse_text_file(content: bytes, filename: str, instrument: Instrument, language: str) -> list[ItemText]:
    """The item texts in a clinic's file, checked against ``instrument``."""
    rows = _rows(_decode(content), filename, instrument, language)
    expected = len(instrument.items)
    if len(rows) != expected:
        raise TextFileError("count", "wrong number of items", expected=expected, found=len(rows))
    return [
        _item_text(index, row, item)
        for index, (row, item) in enumerate(zip(rows, instrument.items, strict=True), start=1)
    ]


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TextFileError("encoding", "the file is not UTF-8 text") from None


def _rows(text: str, filename: str, instrument: Instrument, language: str) -> list[dict[str, Any]]:
    """One row per item, from JSON (by name, or content that looks like JSON) or CSV."""
    if filename.lower().endswith(".json") or text.lstrip().startswith(("{", "[")):
        try:
            return _rows_from_json(json.loads(text), instrument, language)
        except ValueError as exc:
            if isinstance(exc, TextFileError):
                raise
            raise TextFileError("json", "the file is not valid JSON") from None
    if filename.lower().endswith(".csv"):
        return _rows_from_csv(text)
    raise TextFileError("format", "upload a .json or .csv file")


def _item_text(index: int, row: dict[str, Any], item: AnswerItem) -> ItemText:
    """Row ``index`` (1-based) checked: numbered in order, with text, and option labels when
    the item needs them."""
    number = row.get("number", index)
    if str(number).strip() != str(index):
        raise TextFileError("order", "items must be numbered 1, 2, 3 … in printed order", row=index)
    body = str(row.get("text") or "").strip()
    if not body:
        raise TextFileError("empty", "an item has no text", row=index)
    if len(body) > MAX_TEXT:
        raise TextFileError("long", "an item text is too long", row=index, limit=MAX_TEXT)
    options = row.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
        raise TextFileError(
            "options", "option labels must be a list of text", row=index, expected=len(item.options)
        )
    if (options and len(options) != len(item.options)) or (not options and needs_option_labels(item)):
        raise TextFileError("options", "wrong number of option labels", row=index, expected=len(item.options))
    return ItemText(number=index, text=body, options=tuple(o.strip() for o in options))
