"""The referral workflow's services: consent before anything is sent, only the minimum shared,
history rows with who, when and why, phone updates, audit entries, FHIR resources that
validate, the family's summary in Spanish, overdue referrals on the care team's lists."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from dyadcare.care.worklist import my_work
from dyadcare.publiclinks.tokens import token_hash
from dyadcare.referrals import fhir, partner, sharing
from dyadcare.referrals import referral_selectors as rs
from dyadcare.referrals import referral_services as svc
from dyadcare.referrals.models_referral import Referral, ReferralConsent, ReferralEvent
from dyadcare.screening.worklist import Filters, alert_worklist
from dyadcare.tenancy.audit import AuditEvent
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.huddle import HUDDLE_PROVIDERS
from tests.factories import ClinicWorld, staff_actor
from tests.referrals.helpers import REFERRER, referral

pytestmark = pytest.mark.django_db


def test_nothing_is_sent_without_the_caregivers_consent(world: ClinicWorld) -> None:
    made, token = referral(world, send=False, with_consent=False)
    assert token == ""
    actor = staff_actor(world, REFERRER)
    with clinic_scope(world.a), pytest.raises(svc.ConsentMissing):
        svc.send_referral(actor=actor, referral_id=made.pk, channel="email", base_url="http://testserver")
    with clinic_scope(world.a):
        made.refresh_from_db()
        assert made.sent_at is None and made.token_hash is None
    assert mail.outbox == []
    with clinic_scope(world.a):
        svc.record_consent(
            actor=actor,
            referral_id=made.pk,
            consent=svc.ConsentInput(
                caregiver_id=world.caregiver_a.pk,
                method="written",
                consented_on=timezone.localdate(),  # type: ignore[union-attr]
            ),
        )
        sent = svc.send_referral(
            actor=actor, referral_id=made.pk, channel="email", base_url="http://testserver"
        )
    assert sent.token and len(mail.outbox) == 1


def test_consent_records_who_how_when_and_by_whom(world: ClinicWorld) -> None:
    made, _token = referral(world)
    with clinic_scope(world.a):
        consent = ReferralConsent.objects.get(referral=made)
    assert consent.caregiver_id == world.caregiver_a.pk  # type: ignore[union-attr]
    assert consent.method == "verbal" and consent.consented_on == timezone.localdate()
    assert consent.recorded_by == world.staff_a[REFERRER]
    assert set(consent.shares) == set(sharing.DEFAULT_ITEMS)


def test_consent_in_the_future_or_from_a_stranger_is_refused(world: ClinicWorld) -> None:
    made, _token = referral(world, send=False, with_consent=False)
    actor = staff_actor(world, REFERRER)
    with clinic_scope(world.a):
        with pytest.raises(ValidationError) as future:
            svc.record_consent(
                actor=actor,
                referral_id=made.pk,
                consent=svc.ConsentInput(
                    caregiver_id=world.caregiver_a.pk,
                    method="verbal",
                    consented_on=timezone.localdate() + timedelta(days=1),  # type: ignore[union-attr]
                ),
            )
        assert "consented_on" in future.value.message_dict
        with pytest.raises(ValidationError):
            svc.record_consent(
                actor=actor,
                referral_id=made.pk,
                consent=svc.ConsentInput(
                    caregiver_id=world.caregiver_b.pk,
                    method="verbal",
                    consented_on=timezone.localdate(),  # type: ignore[union-attr]
                ),
            )
        assert not ReferralConsent.objects.filter(referral=made).exists()


def test_the_email_carries_the_link_and_no_family_details(world: ClinicWorld) -> None:
    made, token = referral(world)
    message = mail.outbox[-1]
    assert message.to == ["intake@foodbank.example"]
    assert f"http://testserver/r/{token}/" in message.body
    for secret in ("Ana", "Lucía", "Ramírez", "Pablo", "+1510", "food"):
        assert secret not in message.body
    with clinic_scope(world.a):
        made.refresh_from_db()
    assert made.token_hash == token_hash(token) != token


def _everything_shared(world: ClinicWorld, made: Referral) -> str:
    with clinic_scope(world.a):
        fresh = Referral.objects.select_related("consent__caregiver", "child", "clinic").get(pk=made.pk)
        packet = sharing.packet(fresh, language="en", today=timezone.localdate())
        resources = json.dumps(
            [fhir.service_request_resource(fresh), fhir.task_resource(fresh)], ensure_ascii=False
        )
    return json.dumps(packet.__dict__, default=str, ensure_ascii=False) + resources + mail.outbox[-1].body


def test_minimum_necessary_never_another_caregivers_results(world: ClinicWorld) -> None:
    """The father's PHQ-9 (a PSY-labelled safety alert) is on the child's visit; nothing of it,
    of him, or of any screening answer reaches the packet, the FHIR resources or the email."""
    made, _token = referral(world)
    shared = _everything_shared(world, made)
    assert "Ana" in shared and "Lucía Ramírez" in shared and "Food" in shared
    for secret in ("Pablo", "phq", "PHQ", "PSY", "SOC", "hvs", "at-risk", world.child_a.mrn):  # type: ignore[union-attr]
        assert secret not in shared, secret
    assert made.reason == "" or made.reason not in shared


def test_what_the_caregiver_did_not_agree_to_is_not_shared(world: ClinicWorld) -> None:
    made, _token = referral(world, send=False, with_consent=False)
    actor = staff_actor(world, REFERRER)
    with clinic_scope(world.a):
        svc.record_consent(
            actor=actor,
            referral_id=made.pk,
            consent=svc.ConsentInput(
                caregiver_id=world.caregiver_a.pk,
                method="verbal",
                consented_on=timezone.localdate(),
                shares=("need",),  # type: ignore[union-attr]
            ),
        )
        fresh = Referral.objects.get(pk=made.pk)
        packet = sharing.packet(fresh, language="en", today=timezone.localdate())
        task = json.dumps(fhir.task_resource(fresh))
    assert packet.need == "Food"
    assert packet.child_first_name == packet.caregiver_name == packet.caregiver_phone == ""
    assert "Ana" not in task and "Lucía" not in task


def test_fhir_service_request_and_task_validate(world: ClinicWorld) -> None:
    made, _token = referral(world)
    with clinic_scope(world.a):
        fresh = Referral.objects.get(pk=made.pk)
        request, task = fhir.service_request_resource(fresh), fhir.task_resource(fresh)
    ServiceRequest.model_validate(request)
    Task.model_validate(task)
    assert task["status"] == "requested" and task["intent"] == "order"
    assert task["code"]["coding"][0]["code"] == "fulfill"
    assert task["focus"]["reference"] == f"ServiceRequest/{made.pk}"
    assert task["owner"]["display"] == "Alameda Food Bank"
    assert request["category"][0]["coding"][0]["code"] == "food-insecurity"
    assert request["supportingInfo"][0]["reference"].startswith("Consent/")


def test_a_phone_update_is_history_with_who_called_and_who_took_it(world: ClinicWorld) -> None:
    made, _token = referral(world)
    actor = staff_actor(world, "dyadic_specialist")
    with clinic_scope(world.a):
        svc.staff_update(
            actor=actor,
            referral_id=made.pk,
            status="accepted",
            note="they have a slot Friday",
            caller="Maria at the food bank",
        )
        event = ReferralEvent.objects.filter(referral=made).last()
        made.refresh_from_db()
    assert event is not None and event.by == "phone" and event.caller == "Maria at the food bank"
    assert event.by_user == world.staff_a["dyadic_specialist"] and event.from_status == "requested"
    assert made.status == "accepted" and made.due_on == timezone.localdate() + timedelta(days=7)
    with clinic_scope(world.a):
        assert AuditEvent.objects.filter(action="referrals.phone_update", object_id=str(made.pk)).exists()


def test_staff_cannot_make_a_move_the_ig_forbids(world: ClinicWorld) -> None:
    made, _token = referral(world)
    actor = staff_actor(world, REFERRER)
    with clinic_scope(world.a):
        with pytest.raises(ValidationError):
            svc.staff_update(actor=actor, referral_id=made.pk, status="completed")
        with pytest.raises(ValidationError):
            svc.staff_update(actor=actor, referral_id=made.pk, status="received")
        svc.staff_update(actor=actor, referral_id=made.pk, status="cancelled", outcome="family-declined")
        with pytest.raises(ValidationError):
            svc.staff_update(actor=actor, referral_id=made.pk, status="accepted")
        made.refresh_from_db()
    assert made.status == "cancelled" and made.link_closed_at is not None and made.due_on is None


def test_billing_may_not_refer(world: ClinicWorld) -> None:
    with pytest.raises(PermissionDenied):
        referral(world, role="billing")


def test_every_write_and_read_is_audited(world: ClinicWorld) -> None:
    made, token = referral(world)
    actor = staff_actor(world, REFERRER)
    with clinic_scope(world.a):
        rs.referral_detail(actor=actor, referral_id=made.pk)
        rs.child_referrals(actor=actor, child_id=world.child_a.pk)  # type: ignore[union-attr]
    link = partner.open_link(token, ip="10.0.0.9")
    with clinic_scope(world.a):
        partner.read(link)
        partner.update(link, status="accepted")
    with clinic_scope(world.a):
        actions = list(AuditEvent.objects.values_list("action", flat=True))
        partner_entry = AuditEvent.objects.filter(action="referrals.status_changed").last()
    for expected in (
        "referrals.referral_created",
        "referrals.referral_sent",
        "view",
        "referrals.status_changed",
    ):
        assert expected in actions, expected
    assert partner_entry is not None and partner_entry.actor_label.startswith("referral link")


def _overdue(world: ClinicWorld) -> Referral:
    made, _token = referral(world)
    with clinic_scope(world.a):
        Referral.objects.filter(pk=made.pk).update(due_on=timezone.localdate() - timedelta(days=1))
        made.refresh_from_db()
    return made


def test_an_overdue_referral_shows_on_the_huddle(world: ClinicWorld) -> None:
    made = _overdue(world)
    assert world.visit_a is not None
    with clinic_scope(world.a):
        notes = [
            n for provider in HUDDLE_PROVIDERS for n in provider([world.visit_a]).get(world.visit_a.pk, [])
        ]
    referral_notes = [n for n in notes if n.kind == "referral"]
    assert len(referral_notes) == 1 and str(made.pk) in referral_notes[0].url
    assert "Food" not in referral_notes[0].text  # the huddle names no need


def test_an_overdue_referral_shows_in_my_work_and_on_the_alerts_worklist(world: ClinicWorld) -> None:
    made = _overdue(world)
    with clinic_scope(world.a):
        mine = my_work(actor=staff_actor(world, REFERRER))
        others = my_work(actor=staff_actor(world, "dyadic_specialist"))
        alerts = alert_worklist(
            actor=staff_actor(world, "pediatric_clinician"), filters=Filters(), page=1, language="en"
        )
    assert [f.url for f in mine.follow_ups if f.kind == "referral"] == [
        f"/c/{world.a.slug}/referrals/{made.pk}/"
    ]
    assert others.follow_ups == []  # my work: the referrals I made
    assert any(f.child_id == made.child_id for f in alerts.follow_ups)


def test_a_referral_not_yet_due_is_not_overdue(world: ClinicWorld) -> None:
    referral(world)
    with clinic_scope(world.a):
        assert my_work(actor=staff_actor(world, REFERRER)).follow_ups == []


def test_the_family_summary_is_in_spanish_for_a_spanish_speaking_family(world: ClinicWorld) -> None:
    made, _token = referral(world)
    with clinic_scope(world.a):
        world.caregiver_a.preferred_language = "es"  # type: ignore[union-attr]
        world.caregiver_a.save()  # type: ignore[union-attr]
        summary = rs.family_summary(actor=staff_actor(world, REFERRER), child_id=made.child_id)
    assert summary.language == "es"
    assert (
        summary.services[0].need == "Alimentos"
        and summary.services[0].status == "Enviada, esperando respuesta"
    )
    assert summary.services[0].phone == "510-555-0100"
    with clinic_scope(world.a):
        assert AuditEvent.objects.filter(action="print", summary__contains="referral summary (es)").exists()


def test_the_family_summary_is_sent_by_text_in_the_familys_language(world: ClinicWorld, settings) -> None:  # type: ignore[no-untyped-def]
    from dyadcare.publiclinks.senders import MemorySms

    settings.SMS_PROVIDER = "dyadcare.publiclinks.senders.MemorySms"
    MemorySms.outbox.clear()
    made, _token = referral(world)
    with clinic_scope(world.a):
        world.caregiver_a.preferred_language = "es"  # type: ignore[union-attr]
        world.caregiver_a.consent_sms = False  # type: ignore[union-attr]
        world.caregiver_a.save()  # type: ignore[union-attr]
        with pytest.raises(ValidationError):  # not without the caregiver's agreement to texts
            svc.send_family_summary(actor=staff_actor(world, REFERRER), child_id=made.child_id, channel="sms")
        world.caregiver_a.consent_sms = True  # type: ignore[union-attr]
        world.caregiver_a.save()  # type: ignore[union-attr]
        svc.send_family_summary(actor=staff_actor(world, REFERRER), child_id=made.child_id, channel="sms")
    body = MemorySms.outbox[-1].body
    assert "Servicios para Ana" in body and "Family Food Pantry" in body and "510-555-0100" in body
