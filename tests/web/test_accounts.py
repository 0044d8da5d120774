"""Clinics and staff accounts run in the app: creating a clinic, invitations, roles,
credentials and attestations, disabling, passwords. Each change is audited."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dyadcare.tenancy import passwords
from dyadcare.tenancy.audit_actions import AccountAction
from dyadcare.tenancy.models import AccountToken, AuditEvent, Clinic, Membership, User
from dyadcare.tenancy.passwords import send_password_reset
from dyadcare.tenancy.scope import unscoped
from tests.factories import PASSWORD, ClinicWorld, login

NEW_PASSWORD = "a-brand-new-long-passphrase-7"


def _actions(**filters: object) -> list[str]:
    with unscoped("read the audit log in a test"):
        return list(AuditEvent.objects.filter(**filters).values_list("action", flat=True))


def _link(message: str) -> str:
    found = re.search(r"https?://\S+", message)
    assert found, message
    return found.group(0).split("testserver", 1)[1]


def _password_login(username: str) -> Any:
    return Client().post("/login/", {"username": username, "password": PASSWORD})


CLINIC_FORM = {
    "name": "Mission Bay Pediatrics",
    "service_model": "healthysteps",
    "address": "1 Third St",
    "city": "San Francisco",
    "languages": ["en", "es"],
    "billing_npi": "1234567893",
    "tax_id": "12-3456789",
    "admin_first_name": "Ada",
    "admin_last_name": "Lovelace",
    "admin_email": "ada@example.org",
    "admin_username": "ada.l",
}


@pytest.mark.django_db(transaction=True)  # the invitation is mailed once it is saved
def test_a_network_administrator_creates_a_clinic_and_its_administrator_sets_up(
    world: ClinicWorld, client: Client
) -> None:
    login(client, world.network_staff["network_admin"])
    response = client.post(f"/n/{world.network.slug}/clinics/new/", CLINIC_FORM)
    assert response.status_code == 302
    clinic = Clinic.objects.get(name="Mission Bay Pediatrics")
    assert (clinic.network, clinic.languages, clinic.tax_id) == (world.network, ["en", "es"], "12-3456789")
    ada = User.objects.get(username="ada.l")
    assert not ada.has_usable_password()
    assert Membership.objects.filter(user=ada, clinic=clinic, role="clinic_admin", active=True).exists()
    assert {AccountAction.CLINIC_CREATED, AccountAction.STAFF_INVITED} <= set(_actions(clinic=clinic))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.org"]
    with unscoped("the invitation's hash"):
        stored = AccountToken.objects.get(user=ada)
    link = _link(mail.outbox[0].body)
    assert link.split("/")[-2] not in stored.token_hash  # only the hash is kept

    invited = Client()
    assert invited.get(link).status_code == 200
    bad = invited.post(link, {"new_password1": "short", "new_password2": "short"})
    assert bad.status_code == 200 and "error-summary" in bad.content.decode()
    done = invited.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert invited.get(f"/c/{clinic.slug}/staff/").status_code == 200
    # The link worked once.
    assert Client().get(link).status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [("billing_npi", "1234567890"), ("tax_id", "123456789"), ("admin_username", "nurse-a")],
)
def test_a_bad_clinic_form_comes_back_with_the_reason_and_saves_nothing(
    world: ClinicWorld, client: Client, field: str, value: str
) -> None:
    User.objects.filter(username="front_desk-a").update(username="nurse-a")
    login(client, world.network_staff["network_admin"])
    response = client.post(f"/n/{world.network.slug}/clinics/new/", {**CLINIC_FORM, field: value})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not Clinic.objects.filter(name="Mission Bay Pediatrics").exists()
    assert not User.objects.filter(username="ada.l").exists() and not mail.outbox


def test_a_network_coach_cannot_create_a_clinic(world: ClinicWorld, client: Client) -> None:
    login(client, world.network_staff["network_coach"])
    assert client.post(f"/n/{world.network.slug}/clinics/new/", CLINIC_FORM).status_code == 403


@pytest.mark.django_db(transaction=True)  # the invitation is mailed once it is saved
def test_an_operator_creates_a_clinic_at_the_command_line(world: ClinicWorld) -> None:
    out = io.StringIO()
    call_command(
        "clinic",
        "create",
        "--network", world.network.slug,
        "--name", "Harbor Clinic",
        "--service-model", "dulce",
        "--languages", "en,es,vi",
        "--admin-email", "h@example.org",
        "--admin-username", "harbor.admin",
        "--admin-first-name", "Hal",
        "--admin-last-name", "Bor",
        "--public-url", "https://dyadcare.example.org",
        stdout=out,
    )  # fmt: skip
    result = json.loads(out.getvalue())
    assert result == {"clinic": "harbor-clinic", "admin": "harbor.admin"}
    assert "https://dyadcare.example.org/invite/" in mail.outbox[0].body
    assert Clinic.objects.get(slug="harbor-clinic").languages == ["en", "es", "vi"]


@pytest.mark.django_db(transaction=True)  # the invitation is mailed once it is saved
def test_an_expired_invitation_does_not_work(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["clinic_admin"])
    form = {
        "first_name": "N",
        "last_name": "P",
        "email": "np@example.org",
        "username": "np",
        "licence_type": "none",
    }
    assert client.post(f"/c/{world.a.slug}/staff/invite/", {**form, "roles": ["billing"]}).status_code == 302
    link = _link(mail.outbox[0].body)
    AccountToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 404
    assert not User.objects.get(username="np").has_usable_password()


def test_roles_credentials_attestations_are_set_and_audited(world: ClinicWorld, client: Client) -> None:
    admin, person = world.staff_a["clinic_admin"], world.staff_a["front_desk"]
    login(client, admin)
    url = f"/c/{world.a.slug}/staff/{person.pk}/"
    assert client.post(url, {"action": "roles", "roles": ["billing", "front_desk"]}).status_code == 302
    roles = set(Membership.objects.filter(user=person, clinic=world.a).values_list("role", flat=True))
    assert roles == {"billing", "front_desk"}
    bad_npi = client.post(url, {"action": "credential", "licence_type": "md", "npi": "1234567890"})
    assert bad_npi.status_code == 200 and "check digit" in bad_npi.content.decode()
    good = {"action": "credential", "licence_type": "md", "licence_number": "A123", "npi": "1234567893"}
    assert client.post(url, good).status_code == 302
    person.credential.refresh_from_db()
    assert person.credential.npi == "1234567893"
    other = client.post(url, {"action": "attestation", "att-kind": "other", "att-attested_on": "2026-01-05"})
    assert other.status_code == 200 and "Name the attestation" in other.content.decode()
    hipaa = {"action": "attestation", "att-kind": "hipaa", "att-attested_on": "2026-01-05"}
    assert client.post(url, hipaa).status_code == 302
    assert person.attestations.count() == 1
    assert {AccountAction.ROLES_SET, AccountAction.CREDENTIAL_SET, AccountAction.ATTESTATION_ADDED} <= set(
        _actions(actor=admin, object_id=str(person.pk))
    )


def test_a_disabled_account_loses_access_at_once_and_can_be_enabled(
    world: ClinicWorld, client: Client
) -> None:
    admin, person = world.staff_a["clinic_admin"], world.staff_a["pediatric_clinician"]
    theirs = login(Client(), person)
    assert theirs.get(f"/c/{world.a.slug}/children/").status_code == 200
    login(client, admin)
    url = f"/c/{world.a.slug}/staff/{person.pk}/"
    assert client.post(url, {"action": "disable"}).status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert theirs.get(f"/c/{world.a.slug}/children/").status_code == 302  # logged out
    assert _password_login(person.username).status_code == 200  # refused: the form again
    assert client.post(url, {"action": "enable"}).status_code == 302
    assert _password_login(person.username).status_code == 302
    assert {AccountAction.STAFF_DISABLED, AccountAction.STAFF_ENABLED} <= set(
        _actions(object_id=str(person.pk))
    )


def test_the_last_administrator_cannot_be_removed(world: ClinicWorld, client: Client) -> None:
    admin = world.staff_a["clinic_admin"]
    login(client, admin)
    url = f"/c/{world.a.slug}/staff/{admin.pk}/"
    response = client.post(url, {"action": "roles", "roles": ["billing"]})
    assert response.status_code == 200 and "at least one administrator" in response.content.decode()
    client.post(url, {"action": "disable"})
    admin.refresh_from_db()
    assert admin.is_active and Membership.objects.get(user=admin, clinic=world.a).active


def test_another_clinics_staff_member_answers_404(world: ClinicWorld, client: Client) -> None:
    assert world.admin_b
    login(client, world.admin_b)
    person = world.staff_a["front_desk"]
    assert client.post(f"/c/{world.b.slug}/staff/{person.pk}/", {"action": "disable"}).status_code == 404
    person.refresh_from_db()
    assert person.is_active


def test_password_change_checks_the_old_one(world: ClinicWorld, client: Client) -> None:
    person = world.staff_a["billing"]
    login(client, person)
    wrong = {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post("/account/password/", wrong).status_code == 200
    right = {**wrong, "old_password": PASSWORD}
    assert client.post("/account/password/", right).status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert AccountAction.PASSWORD_CHANGED in _actions(actor=person)


def test_a_reset_request_says_the_same_whether_or_not_the_account_exists(
    world: ClinicWorld, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = world.staff_a["billing"]
    User.objects.filter(pk=person.pk).update(email="billing@example.org")
    queued: list[tuple[str, str]] = []
    monkeypatch.setattr(
        passwords, "send_password_reset", SimpleNamespace(enqueue=lambda *a: queued.append(a))
    )
    client.post("/password/reset/", {"email": "first@example.org"})  # the audit chain's first entry
    with CaptureQueriesContext(connection) as known_queries:
        known = client.post("/password/reset/", {"email": "billing@example.org"})
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = client.post("/password/reset/", {"email": "nobody@example.org"})
    # The same work either way: the account is looked up by the queued job, not the request.
    assert [q["sql"].split()[0] for q in known_queries] == [q["sql"].split()[0] for q in unknown_queries]
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())  # noqa: E731
    assert strip(known) == strip(unknown)
    assert [email for email, _ in queued] == [
        "first@example.org",
        "billing@example.org",
        "nobody@example.org",
    ]
    # The queued job sends a link only to the account that exists.
    assert send_password_reset.call(*queued[2]) is False
    assert send_password_reset.call(*queued[1]) is True
    link = _link(mail.outbox[0].body)
    assert len(mail.outbox) == 1
    done = Client().post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert Client().get(link).status_code == 404  # once only
    assert AccountAction.PASSWORD_RESET in _actions(actor=person)


def test_the_clinic_command_refuses_bad_input_with_status_2(
    world: ClinicWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        call_command(
            "clinic", "create", "--network", world.network.slug, "--name", "X", "--service-model", "dulce",
            "--npi", "1234567890",
        )  # fmt: skip
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "billing_npi" in captured.err and captured.err.count("\n") == 1
    assert not Clinic.objects.filter(name="X").exists()
