"""Run as a process of its own (``python -m tests.ops.concurrent_writes FOLDER`` with
DATABASE_URL set): 20 threads each commit writes (a child and its audit entry, one
transaction each) while the main thread takes ``dyadcare backup FOLDER``. Prints one JSON
object: every committed child with when its commit returned, and when the backup started and
ended (monotonic seconds)."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

WRITERS = 20
WRITES_EACH = 6


def main(folder: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dyadcare.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from dyadcare.ops.backup import backup
    from dyadcare.tenancy.actor import Actor
    from dyadcare.tenancy.audit import Action, audit_record
    from tests import factories

    place = factories.clinic(factories.network())
    person = factories.staff("writer")
    actor = Actor.for_staff(person, clinic=place, roles=("front_desk",))
    committed: list[dict[str, Any]] = []
    start = threading.Barrier(WRITERS + 1)
    errors: list[str] = []

    def write() -> None:
        start.wait()
        try:
            for _ in range(WRITES_EACH):
                with transaction.atomic():
                    child = factories.child(place)
                    audit_record(actor=actor, action=Action.CREATE, obj=child)
                committed.append({"id": child.pk.hex, "at": time.monotonic()})
                time.sleep(0.01)
        except Exception as exc:  # reported to the test, which fails
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    start.wait()
    while len(committed) < WRITERS:  # the backup starts while the writers are at work
        time.sleep(0.005)
    began = time.monotonic()
    manifest = backup(folder)
    ended = time.monotonic()
    for thread in threads:
        thread.join()
    report = {"committed": committed, "began": began, "ended": ended, "errors": errors}
    report["children_in_manifest"] = manifest["counts"]["families_child"]
    sys.stdout.write(json.dumps(report))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
