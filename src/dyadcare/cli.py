"""The ``dyadcare`` console script: Django's management commands under one name.

``dyadcare demo``, ``dyadcare stats``, ``dyadcare serve`` and the rest are management
commands of the dyadcare apps; ``dyadcare migrate`` and the other Django commands work too.
``dyadcare instruments`` and ``dyadcare score`` need no database or settings: they run the
pure scoring engine before Django starts (see ``dyadcare.instruments.commandline``).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("instruments", "score"):
        from dyadcare.instruments import commandline

        sys.exit(commandline.main(args))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dyadcare.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dyadcare", *args])


if __name__ == "__main__":
    main()
