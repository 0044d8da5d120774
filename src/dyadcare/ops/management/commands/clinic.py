"""``dyadcare clinic create``: an operator creates a clinic and invites its first
administrator, as a network administrator does in the app. Prints one JSON object."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser
from django.urls import reverse

from dyadcare.tenancy.cli import ContractCommand
from dyadcare.tenancy.clinics import clinic_create, operator_actor
from dyadcare.tenancy.selectors import network_by_slug
from dyadcare.tenancy.staff import Invitee

ADMIN_FIELDS = ("admin_email", "admin_username", "admin_first_name", "admin_last_name")


class Command(ContractCommand):
    help = "Create a clinic in a network and email its first administrator an invitation."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a clinic")
        create.add_argument("--network", required=True, help="the network's short name")
        create.add_argument("--name", required=True)
        create.add_argument("--service-model", required=True, choices=["healthysteps", "dulce", "other"])
        create.add_argument("--slug", default="", help="short name in addresses (default: from the name)")
        create.add_argument("--address", default="")
        create.add_argument("--city", default="")
        create.add_argument("--phone", default="")
        create.add_argument("--languages", default="en,es", help="comma-separated codes (default en,es)")
        create.add_argument("--npi", default="", help="organization NPI")
        create.add_argument("--tax-id", default="", help="EIN, as 12-3456789")
        for name in ADMIN_FIELDS:
            create.add_argument("--" + name.replace("_", "-"), default="")
        create.add_argument("--public-url", default="", help="this server's address, for the link")

    def handle(self, *args: Any, **options: Any) -> None:
        network = network_by_slug(options["network"])
        if network is None:
            self.fail(f"clinic create: no network {options['network']!r}")
        admin = self._admin(options)
        base = (options["public_url"] or settings.PUBLIC_URL).rstrip("/")
        if admin is not None and not base:
            self.fail("clinic create: give --public-url (or set DYADCARE_PUBLIC_URL) for the invitation link")
        try:
            clinic, user = clinic_create(
                actor=operator_actor(network),
                network=network,
                name=options["name"],
                service_model=options["service_model"],
                languages=[c.strip() for c in options["languages"].split(",") if c.strip()],
                address=options["address"],
                city=options["city"],
                phone=options["phone"],
                billing_npi=options["npi"],
                tax_id=options["tax_id"],
                slug=options["slug"],
                first_admin=admin,
                link_template=base + reverse("web:invite_accept", kwargs={"token": "TOKEN"}),
            )
        except ValidationError as error:
            self.fail("clinic create: " + "; ".join(_messages(error)))
        self.stdout.write(json.dumps({"clinic": clinic.slug, "admin": user.username if user else None}))

    def _admin(self, options: dict[str, Any]) -> Invitee | None:
        given = [options[name] for name in ADMIN_FIELDS]
        if not any(given):
            return None
        if not all(given):
            self.fail(
                "clinic create: the first administrator needs "
                + ", ".join("--" + n.replace("_", "-") for n in ADMIN_FIELDS)
            )
        return Invitee(
            first_name=options["admin_first_name"],
            last_name=options["admin_last_name"],
            email=options["admin_email"],
            username=options["admin_username"],
        )


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in error.message_dict.items()
        ]
    return [str(m) for m in error.messages]
