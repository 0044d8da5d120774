"""``dyadcare directory import PATH`` and ``dyadcare directory export FILE``: the network's
community resource directory in and out as Open Referral HSDS 3.0 (a contract scripts rely
on: one JSON object on stdout; bad input exits 2 with one line on stderr)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dyadcare.referrals.permissions import ReferralsPerm
from dyadcare.referrals.selectors import export_services
from dyadcare.referrals.services import UnreadableInput, import_directory
from dyadcare.tenancy.actor import Actor, system_permissions
from dyadcare.tenancy.cli import ContractCommand
from dyadcare.tenancy.models import Network

DEFAULT_NETWORK = ("Directory", "directory")


class _Bar:
    """A progress line on stderr, drawn only when stderr is a terminal."""

    def __init__(self) -> None:
        self.done = 0

    def __call__(self, step: str, count: int) -> None:
        self.done += count
        sys.stderr.write(f"\r{step:<40} {self.done:>9} rows")
        sys.stderr.flush()

    def end(self) -> None:
        sys.stderr.write("\n")


class Command(ContractCommand):
    help = (
        "Import or export the network's community resource directory as Open Referral HSDS "
        "3.0. --network SLUG names the network; without it the only network is used, and on "
        f"a database with no network yet one named {DEFAULT_NETWORK[0]!r} "
        f"(slug {DEFAULT_NETWORK[1]!r}) is created."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="import an HSDS JSON file (organization or service records, one or a list) "
            "or a folder with an HSDS tabular package (datapackage.json and CSV files); "
            'prints {"organizations", "services", "locations", "rejected"}',
        )
        imp.add_argument("path")
        imp.add_argument("--network", help="the network's short name (slug)")
        exp = sub.add_parser("export", help="write the directory as a JSON list of HSDS services")
        exp.add_argument("file")
        exp.add_argument("--network", help="the network's short name (slug)")
        for p in (imp, exp):
            p.__class__ = parser.__class__

    def _network(self, slug: str | None) -> Network:
        if slug:
            network = Network.objects.filter(slug=slug).first()
            if network is None:
                self.fail(f"no network with the short name {slug!r}")
            return network
        networks = list(Network.objects.all()[:2])
        if len(networks) > 1:
            self.fail("there are several networks: name one with --network SLUG")
        if networks:
            return networks[0]
        name, slug = DEFAULT_NETWORK
        network, _ = Network.objects.get_or_create(slug=slug, defaults={"name": name})
        return network

    def handle(self, *args: Any, action: str, network: str | None, **options: Any) -> None:
        chosen = self._network(network)
        actor = Actor(
            label="system:directory",
            network=chosen,
            permissions=system_permissions() | {ReferralsPerm.DIRECTORY_IMPORT},
        )
        if action == "import":
            self._import(actor, chosen, Path(options["path"]))
        else:
            self._export(actor, Path(options["file"]))

    def _import(self, actor: Actor, network: Network, path: Path) -> None:
        if not path.exists():
            self.fail(f"{path}: no such file or folder")
        bar = _Bar() if sys.stderr.isatty() else None
        try:
            result = import_directory(actor, network=network, path=path, progress=bar)
        except UnreadableInput as exc:
            self.fail(str(exc))
        if bar:
            bar.end()
        self.stdout.write(json.dumps(result.as_json()))

    def _export(self, actor: Actor, file: Path) -> None:
        records = export_services(actor)
        try:
            file.write_text(json.dumps(records, indent=1, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            self.fail(f"{file}: cannot be written ({exc.strerror})")
        self.stdout.write(json.dumps({"services": len(records), "file": str(file)}))
