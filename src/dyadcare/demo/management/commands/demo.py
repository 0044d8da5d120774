"""``dyadcare demo [--children N] [--seed S]``: create the synthetic demo network."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dyadcare.demo.generate import DemoSeedMismatch, build_demo
from dyadcare.demo.staff import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Create the demo network: three clinics of invented families and a login for every role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=3000, help="number of children (default 3000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--quiet", action="store_true", help="print no progress")

    def handle(self, *args: Any, children: int, seed: int, quiet: bool, **options: Any) -> None:
        if children < 0:
            raise CommandError("--children must be zero or more")

        def progress(done: int) -> None:
            if not quiet:
                self.stderr.write(f"  {done:,} of {children:,} children", ending="\r")

        try:
            report = build_demo(seed=seed, children=children, progress=progress)
        except DemoSeedMismatch as exc:
            raise CommandError(str(exc)) from None
        if not quiet:
            self.stderr.write("")
        created = ", ".join(f"{n:,} {name}" for name, n in report.created.items())
        self.stdout.write(
            f"Demo network (seed {report.seed}, ages as of {report.anchor_date}): "
            f"created {created} in {report.seconds:.1f} s."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (every password: {DEMO_PASSWORD})")
        width = max(len(login.username) for login in report.logins)
        for login in report.logins:
            self.stdout.write(f"  {login.username:<{width}}  {login.role} — {login.place}")
