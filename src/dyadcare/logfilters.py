"""What the server's log keeps of a request that went wrong on the client's side.

Django logs a refused request (403) with the exception's traceback, as if it were a fault;
an unknown address (404) and the other 4xx answers are expected every day. They are logged as
one line each. A family link's token is a key to a family's answers: it is left out of the
line (``/f/…/``). Server errors (5xx) keep their traceback.
"""

from __future__ import annotations

import logging
import re

FAMILY_TOKEN = re.compile(r"/f/[^/?#\s]+")


def quiet_path(text: str) -> str:
    return FAMILY_TOKEN.sub("/f/…", text)


class OneLineClientErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(("django.request", "django.security")):
            return True
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        if isinstance(record.args, tuple):
            record.args = tuple(quiet_path(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = quiet_path(record.msg)
        return True
