"""Check an 837P against the 005010X222A1 map that pyx12 ships (its own validator, in-process).

``problems(text)`` returns every error pyx12 reports, as plain lines; an empty list means the
interchange passed. pyx12 reports through three channels: its return value, the 999
acknowledgement it writes and its logger; all three are read so that no error is lost.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pyx12.params
import pyx12.x12n_document


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _walk(node: Any, where: str, out: list[str]) -> None:
    if isinstance(node, dict):
        label = node.get("id") or node.get("seg_id") or ""
        for error in node.get("errors", []) or []:
            if isinstance(error, dict):
                text = error.get("err_str") or error.get("msg") or json.dumps(error, default=str)
                code = error.get("err_cde") or error.get("code") or ""
                out.append(f"{where}{label} {code} {text}".strip())
            else:
                out.append(f"{where}{label} {error}".strip())
        for key, value in node.items():
            if key != "errors" and isinstance(value, (list, dict)):
                _walk(value, f"{where}{label}/" if label else where, out)
    elif isinstance(node, list):
        for item in node:
            _walk(item, where, out)


def problems(text: str) -> list[str]:
    """Every error pyx12 finds in the interchange ``text`` (empty: valid)."""
    param = pyx12.params.params()
    handler = _Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(handler)
    ack, report = io.StringIO(), io.StringIO()
    try:
        ok = pyx12.x12n_document.x12n_document(param, io.StringIO(text), ack, None, None, report)
    except Exception as exc:  # pyx12 raises on input it cannot walk at all
        return [f"pyx12 could not read the file: {exc}"]
    finally:
        logger.removeHandler(handler)
    found: list[str] = []
    try:
        _walk(json.loads(report.getvalue() or "{}"), "", found)
    except json.JSONDecodeError:
        found.append("pyx12 wrote an unreadable error report")
    found.extend(handler.messages)
    if not ok and not found:
        found.append("pyx12 rejected the file: " + " ".join(ack.getvalue().split("~")[:40]))
    return found
