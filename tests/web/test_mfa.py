"""Two-step login: required of clinic roles (outside demo mode), enrolment with a QR code
drawn here and recovery codes shown once, the code after the password, and the audit."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from dyadcare.tenancy.audit_actions import AccountAction
from dyadcare.tenancy.models import AuditEvent, User
from dyadcare.tenancy.scope import unscoped
from tests.factories import PASSWORD, ClinicWorld

pytestmark = pytest.mark.usefixtures("mfa_required")


@pytest.fixture
def mfa_required() -> Iterator[None]:
    with override_settings(MFA_REQUIRED=True):
        yield


def _actions(user: User) -> list[str]:
    with unscoped("read the audit log in a test"):
        return list(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the person's authenticator app shows now (or ``steps_ahead`` periods later: a
    code once used is refused, and django-otp accepts the next period's for clock drift),
    computed from the device's secret."""
    t0 = device.t0 - steps_ahead * device.step
    return f"{totp(device.bin_key, step=device.step, t0=t0, digits=device.digits):06d}"


def _unthrottle(user: User) -> None:
    """django-otp slows the next try after a wrong code; the tests do not wait."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def _password_login(client: Client, user: User) -> None:
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def _enrol(client: Client, user: User) -> tuple[TOTPDevice, list[str]]:
    page = client.get("/account/two-step/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "http" not in body.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )  # the QR code is drawn inline, nothing fetched
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/account/two-step/", {"code": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "error-summary" in wrong.content.decode()
    _unthrottle(user)
    done = client.post("/account/two-step/", {"code": _code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([^<]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    return device, codes


def test_a_clinic_role_must_enrol_before_any_page(world: ClinicWorld, client: Client) -> None:
    user = world.staff_a["front_desk"]
    _password_login(client, user)
    response = client.get(f"/c/{world.a.slug}/children/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-step/")
    device, _codes = _enrol(client, user)
    assert client.get(f"/c/{world.a.slug}/children/").status_code == 200
    assert device.pk and {AccountAction.MFA_ENROLLED, AccountAction.MFA_FAILED} <= set(_actions(user))
    with unscoped("read the audit log in a test"):
        # A security event: it reaches the clinic the account works in, for its administrators.
        assert AuditEvent.objects.filter(
            action=AccountAction.MFA_ENROLLED, actor=user, clinic=world.a
        ).exists()


def test_after_enrolment_the_password_alone_is_not_enough(world: ClinicWorld) -> None:
    user = world.staff_a["pediatric_clinician"]
    first = Client()
    _password_login(first, user)
    device, codes = _enrol(first, user)
    second = Client()
    _password_login(second, user)
    response = second.get(f"/c/{world.a.slug}/children/")
    assert response.status_code == 302 and response["Location"].startswith("/login/code/")
    # Nor can the second factor be replaced with the password alone.
    assert second.get("/account/two-step/")["Location"].startswith("/login/code/")
    wrong = second.post("/login/code/", {"code": "12345x"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    _unthrottle(user)
    # The code the app showed at enrolment is used up; the next period's logs in.
    device.refresh_from_db()
    ahead = second.post("/login/code/", {"code": _code(device, steps_ahead=1), "next": "/places/"})
    assert ahead["Location"] == "/places/"
    assert second.get(f"/c/{world.a.slug}/children/").status_code == 200
    # A recovery code works once.
    third, fourth = Client(), Client()
    _password_login(third, user)
    assert third.post("/login/code/", {"code": codes[0]}).status_code == 302
    _password_login(fourth, user)
    assert fourth.post("/login/code/", {"code": codes[0]}).status_code == 200
    assert {AccountAction.MFA_RECOVERY_USED, AccountAction.MFA_FAILED} <= set(_actions(user))


def test_a_network_coach_is_not_required_to_enrol(world: ClinicWorld, client: Client) -> None:
    _password_login(client, world.network_staff["network_coach"])
    assert client.get(f"/n/{world.network.slug}/").status_code == 200


def test_removing_two_step_login_asks_for_the_password(world: ClinicWorld, client: Client) -> None:
    user = world.staff_a["billing"]
    _password_login(client, user)
    _enrol(client, user)
    wrong = client.post("/account/two-step/", {"action": "remove", "password": "nope"})
    assert wrong.status_code == 200 and TOTPDevice.objects.filter(user=user).exists()
    assert client.post("/account/two-step/", {"action": "remove", "password": PASSWORD}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AccountAction.MFA_REMOVED in _actions(user)


@override_settings(DEMO_MODE=True)
def test_in_demo_mode_the_shared_demo_logins_use_their_password_alone(
    world: ClinicWorld, client: Client
) -> None:
    user = world.staff_a["dyadic_specialist"]
    User.objects.filter(pk=user.pk).update(shared_demo_login=True)
    _password_login(client, user)
    assert client.get(f"/c/{world.a.slug}/children/").status_code == 200
    page = client.get("/account/two-step/")
    assert page.status_code == 200 and not TOTPDevice.objects.filter(user=user).exists()
