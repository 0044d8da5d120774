"""Every URL pattern the app serves, with its access rule, and sample arguments to fill it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.timezone import localdate

from dyadcare.web.access import Access
from tests.factories import ClinicWorld

# URL arguments that name shared reference data (the instrument library), the same in every
# clinic: another clinic's URL naming them is not a leak.
# A directory service is the network's, shared by its clinics (referrals.models).
SHARED_KWARGS = frozenset({"instrument_id", "language", "service_id"})


@dataclass(frozen=True)
class Route:
    name: str  # namespaced: "web:child_detail"
    kwargs: tuple[str, ...]
    access: Access | None
    pattern: str
    callback: Any = None


def _walk(resolver: URLResolver, namespace: str, prefix: str) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            full = prefix + str(entry.pattern)
            kwargs = tuple(sorted(set(_converters(full))))
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield Route(
                name=name,
                kwargs=kwargs,
                access=getattr(entry.callback, "access", None),
                pattern=full,
                callback=entry.callback,
            )


def _converters(pattern: str) -> Iterator[str]:
    import re

    for match in re.finditer(r"<(?:\w+:)?(\w+)>", pattern):
        yield match.group(1)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver(), "", ""))


def sample_kwargs(world: ClinicWorld, route: Route, *, clinic: str = "a") -> dict[str, Any]:
    """Arguments for ``route`` naming clinic A's records (in the URL of clinic ``clinic``).

    A new URL argument needs a sample here: the matrix test fails until it has one."""
    assert world.child_a and world.caregiver_a and world.link_a and world.visit_a
    samples: dict[str, Any] = {
        "visit_id": world.visit_a.pk,
        "clinic_slug": (world.a if clinic == "a" else world.b).slug,
        "network_slug": world.network.slug,
        "child_id": world.child_a.pk,
        "caregiver_id": world.caregiver_a.pk,
        "link_id": world.link_a.pk,
        "instrument_id": "epds",
        "language": "es",
        "session_id": world.session_a.pk if world.session_a else None,
        "flag_id": world.flag_a.pk if world.flag_a else None,
        "user_id": world.staff_a["front_desk"].pk if world.staff_a else None,
        "token": "not-a-real-token-" + "x" * 30,
        "service_id": directory_service(world).pk if "service_id" in route.kwargs else None,
    }
    if "referral_id" in route.kwargs:
        samples["referral_id"] = _referral(world).pk
    if {"line_id", "batch_id"} & set(route.kwargs) or route.name.startswith("web:billing_"):
        records = billing_records(world)
        samples.update({"line_id": records["held"].pk, "batch_id": records["batch"].pk})
    missing = set(route.kwargs) - samples.keys()
    assert not missing, f"{route.name}: add a sample value for {sorted(missing)} in tests/web/urlmap.py"
    return {key: samples[key] for key in route.kwargs}


def directory_service(world: ClinicWorld) -> Any:
    """A service in the network's community resource directory."""
    from dyadcare.referrals.models import Service

    service, _ = Service.objects.get_or_create(
        network=world.network, hsds_id="urlmap-sample", defaults={"name": "Sample pantry", "status": "active"}
    )
    return service


def url_for(world: ClinicWorld, route: Route, *, clinic: str = "a") -> str:
    return reverse(route.name, kwargs=sample_kwargs(world, route, clinic=clinic))


def sample_post(world: ClinicWorld, route: Route) -> dict[str, Any]:
    """Valid form data for every page that takes a POST and changes a record.

    A new form page needs an entry here: the audit test fails until it has one."""
    assert world.caregiver_a
    child = {
        "given_name": "Nueva",
        "family_name": "Persona",
        "date_of_birth": "2025-06-01",
        "sex": "F",
        "gestational_age_days": "39+1",
        "mrn": "NEW-0001",
        "medi_cal_id": "",
        "preferred_language": "es",
        "race_ethnicity": ["hispanic"],
        "race_ethnicity_detail": "Mexican",
    }
    caregiver = {
        "cg-given_name": "Rosa",
        "cg-family_name": "Persona",
        "cg-preferred_language": "es",
        "cg-phone": "(510) 555-0177",
        "cg-consent_sms": "on",
    }
    relationship = {"rel-relationship": "mother", "rel-is_primary": "on", "rel-legal_guardian": "on"}
    samples: dict[str, dict[str, Any]] = {
        "web:staff_invite": {
            "first_name": "Nueva",
            "last_name": "Persona",
            "email": "nueva.persona@example.org",
            "username": "nueva.persona",
            "licence_type": "none",
            "roles": ["front_desk"],
        },
        "web:staff_detail": {"action": "roles", "roles": ["front_desk", "family_partner"]},
        "web:child_create": child,
        "web:child_add_sibling": {**child, "mrn": "NEW-0002", "copy_caregiver": [str(world.caregiver_a.pk)]},
        "web:child_edit": {**child, "mrn": "EDITED-1"},
        "web:caregiver_add": {**caregiver, **relationship},
        "web:caregiver_link_existing": relationship,
        "web:relationship_edit": {**relationship, "rel-relationship": "guardian"},
        "web:caregiver_edit": caregiver,
        "web:visit_schedule": {"day": "2030-01-15", "at": "10:40", "touchpoint": "auto"},
        "web:visit_update": {"action": "arrive"},
        "web:reminder_choice": {"opted_out": "1", "how": "phone", "note": "Asked at the front desk"},
        "web:outreach_child": {"reason": "overdue", "kind": "call", "outcome": "no_answer", "note": ""},
        "web:reminder_settings": {
            "days": "3, 1",
            "quiet_start": "21:00",
            "quiet_end": "08:30",
            "enabled": "on",
        },
        "web:visit_change": {
            "action": "reschedule",
            "move-day": "2030-02-01",
            "move-at": "10:00",
            "move-reason": "The family asked for a later day",
        },
        "web:appointments_import": {
            "file": SimpleUploadedFile(
                "day.csv", f"date,time,mrn\n2030-01-16,09:00,{world.child_a.mrn}\n".encode()
            )
        },
        "web:schedule_settings": {"category": "family-needs", "touchpoint": "*", "instruments": "hvs"},
        "web:instrument_text": {
            "language": "es",
            "file": SimpleUploadedFile(
                "epds-es.csv",
                (
                    "number,text,option_1,option_2,option_3,option_4\n"
                    + "".join(f"{n},Texto {n},A,B,C,D\n" for n in range(1, 11))
                ).encode(),
                content_type="text/csv",
            ),
            "copyright_notice": "© 1987 The Royal College of Psychiatrists",
            "licence_confirmed": "on",
        },
        "web:screening_start": {
            "caregiver": str(world.caregiver_a.pk),
            "instruments": ["ahc-hrsn"],
            "language": "es",
            "action": "kiosk",
        },
        "web:session_update": {"action": "cancel"},
        "web:session_hand_over": {"action": "hand-over"},
        "web:scores_enter": {
            **{f"item-{n}": "0" for n in range(1, 11)},
            "caregiver": str(world.caregiver_a.pk),
            "answered_in": "es",
        },
        "web:directory_note": {"text": "Ask for Rosa at the front desk; same-week appointments."},
        "web:directory_favourite": {},
        "web:flag_acknowledge": {"note": "Called the family; safety plan made with Dr. Okafor."},
        "web:flag_assign": {"owner": str(world.staff_a["dyadic_specialist"].pk)},
        "web:instrument_parameters": {"positive_at_least": "11", "probable_at_least": "", "reason": "test"},
        "web:instrument_text_entry": {
            **{f"item_{n}": f"Texto {n}" for n in range(1, 11)},
            **{f"item_{n}_option_{k}": f"Respuesta {k}" for n in range(1, 11) for k in range(1, 5)},
            "copyright_notice": "© 1987 The Royal College of Psychiatrists",
            "licence_confirmed": "on",
            "action": "save",
        },
        "web:instrument_add": {"add-instrument": "gad7", "add-reason": "Worry most days, per the mother"},
        "web:done_elsewhere": {
            "elsewhere-category": "behavioral-social-emotional",
            "elsewhere-instrument": "swyc-ppsc",
            "elsewhere-done_on": (localdate() - timedelta(days=3)).isoformat(),
            "elsewhere-place": "Another clinic",
            "elsewhere-outcome": "negative",
            "elsewhere-reason": "Their visit summary, faxed to us",
        },
    }
    if route.name.startswith("web:care_"):
        samples.update(_care_samples(world, route.name))
    if route.name.startswith("web:referral_"):
        samples.update(_referral_samples(world))
    if route.name.startswith("web:billing_"):
        samples.update(_billing_samples(world))
    if route.name in {"web:child_merge", "web:child_merge_undo"}:
        samples.update(_merge_samples(world))
    assert route.name in samples, f"{route.name}: add sample form data in tests/web/urlmap.py"
    return samples[route.name]


def _merge_samples(world: ClinicWorld) -> dict[str, dict[str, Any]]:
    """A second record of clinic A's child to merge, and a merge to undo (made here, since
    each needs records of its own)."""
    from dyadcare.families import services
    from dyadcare.tenancy.scope import clinic_scope
    from tests.factories import child, staff_actor

    # The fuzz test passes a partial world (a demo clinic's records): it then sends no sample.
    assert isinstance(world, ClinicWorld) and world.child_a, "the merge samples need a whole test world"
    other = child(world.a, given_name="Ana", family_name="Ramirez", date_of_birth=world.child_a.date_of_birth)
    spare = child(world.a, given_name="Ana", family_name="Ramirez", date_of_birth=world.child_a.date_of_birth)
    with clinic_scope(world.a):
        merge = services.child_merge(
            actor=staff_actor(world, "clinic_admin"), survivor=world.child_a, retired=spare, reason="test"
        )
    return {
        "web:child_merge": {"other": str(other.pk), "keep": "this", "reason": "Same child, registered twice"},
        "web:child_merge_undo": {"merge": str(merge.pk)},
    }


def _care_samples(world: ClinicWorld, name: str) -> dict[str, dict[str, Any]]:
    """The care forms; those that change a record name one made here (a plan with a goal, a
    task, a logged service), since each needs a record of its own."""
    from dyadcare.care import services
    from dyadcare.tenancy.scope import clinic_scope
    from tests.factories import staff_actor

    today = localdate()
    me = str(world.staff_a["dyadic_specialist"].pk) if world.staff_a else ""
    samples: dict[str, dict[str, Any]] = {
        "web:care_tier": {"tier-tier": "2", "tier-reason": "Positive EPDS; agreed with the mother"},
        "web:care_plan": {
            "plan-language": "es", "plan-next_review_on": (today + timedelta(days=30)).isoformat()
        },
        "web:care_note": {"note-text": "Talked about sleep", "note-sensitivity": ["PSY"]},
        "web:care_service": {
            "service-service_type": "family-training", "service-delivered_on": today.isoformat(),
            "service-minutes": "35", "service-place": "clinic", "service-delivered_by": me,
            "service-child_present": "on",
            "service-caregiver_ids": [str(world.caregiver_a.pk)] if world.caregiver_a else [],
        },
    }  # fmt: skip
    if name in samples or not isinstance(world, ClinicWorld) or not world.child_a:
        return samples
    specialist = staff_actor(world, "dyadic_specialist")
    with clinic_scope(world.a):
        plan = services.plan_open(
            actor=specialist, child=world.child_a, language="es", next_review_on=today + timedelta(days=30)
        )
        goal = services.goal_add(
            actor=specialist, plan=plan, need="", text="", steps="", owner_id=me,
            review_on=today + timedelta(days=14), template="caregiver-mood",
        )  # fmt: skip
        task = services.task_add(
            actor=specialist, child=world.child_a, title="Call", owner_id=me, due_on=today
        )
        entry = services.service_log(
            actor=specialist, child=world.child_a, service_type="brief-consult", delivered_on=today,
            minutes=15, place="clinic", delivered_by_id=me, child_present=True,
            caregiver_ids=[world.caregiver_a.pk] if world.caregiver_a else [],
        )  # fmt: skip
    samples["web:care_goal"] = {
        "goal-template": "sleep-routine",
        "goal-owner": me,
        "goal-review_on": today.isoformat(),
    }
    samples["web:care_goal_close"] = {"goal": str(goal.pk), "outcome": "met"}
    samples["web:care_task"] = {
        "task-title": "Call about WIC",
        "task-owner": me,
        "task-due_on": today.isoformat(),
    }
    samples["web:care_task_update"] = {"task": str(task.pk), "action": "done", "note": "Called"}
    samples["web:care_service_update"] = {"entry": str(entry.pk), "action": "void", "reason": "Logged twice"}
    return samples


def _referral(world: ClinicWorld) -> Any:
    """A referral of clinic A's child (made once per test world), with consent, not sent."""
    made = getattr(world, "_referral", None)
    if made is not None:
        return made
    from dyadcare.referrals import referral_services as svc
    from dyadcare.tenancy.scope import clinic_scope
    from tests.factories import staff_actor

    assert world.child_a and world.caregiver_a
    with clinic_scope(world.a):
        made = svc.refer(
            actor=staff_actor(world, "family_partner"),
            child_id=world.child_a.pk,
            caregiver_id=world.caregiver_a.pk,
            need="food",
            service=svc.ServiceDetails(
                name="Family Food Pantry", phone="510-555-0100", email="intake@pantry.example"
            ),
            reason="Asked for help with groceries",
            consent=svc.ConsentInput(
                caregiver_id=world.caregiver_a.pk, method="verbal", consented_on=localdate()
            ),
        )
    world._referral = made  # type: ignore[attr-defined]
    return made


def _referral_samples(world: ClinicWorld) -> dict[str, dict[str, Any]]:
    """The referral forms: a new referral of clinic A's child, and updates of one made here.
    The mother agrees to texts here, so that the summary can be texted."""
    assert world.caregiver_a
    if isinstance(world, ClinicWorld) and not world.caregiver_a.consent_sms:
        from dyadcare.tenancy.scope import clinic_scope

        with clinic_scope(world.a):
            world.caregiver_a.consent_sms = True
            world.caregiver_a.save(update_fields=["consent_sms"])
    return {
        "web:referral_new": {
            "need": "food", "reason": "Asked for help", "service_name": "Family Food Pantry",
            "service_phone": "510-555-0100", "caregiver": str(world.caregiver_a.pk), "method": "verbal",
            "consented_on": localdate().isoformat(), "shares": ["need", "child_first_name"],
            "channel": "print",
        },
        "web:referral_update": {
            "status": "cancelled", "outcome": "family-declined", "note": "", "caller": "",
        },
        "web:referral_send": {"channel": "print"},
        "web:referral_link_close": {},
        "web:referral_summary_send": {"channel": "sms"},
    }  # fmt: skip


def billing_records(world: ClinicWorld) -> dict[str, Any]:
    """Clinic A's claim lines for the billing pages (made once per test world): a held line,
    a ready one, a released one and a batch exported from another."""
    from dyadcare.billing.export import batches
    from dyadcare.tenancy.scope import clinic_scope
    from tests.billing import export_data
    from tests.factories import child, staff_actor

    assert isinstance(world, ClinicWorld) and world.child_a, "the billing samples need a whole test world"
    found: dict[str, Any] | None = getattr(world, "billing", None)
    if found is not None:
        return found
    export_data.ready_clinic(world.a)
    provider = world.staff_a["dyadic_specialist"]
    export_data.profile(world.a, provider)
    kid = child(world.a, given_name="Cora", medi_cal_id="93456789C")
    exported = export_data.line(world.a, kid, provider, code="T1027", modifiers=())
    with clinic_scope(world.a):
        batch = batches.batch_export(actor=staff_actor(world, "billing"), fmt="csv")
    found = {
        "held": export_data.line(
            world.a, world.child_a, provider, status="held", reasons=[{"code": "no-medi-cal-id"}]
        ),
        "ready": export_data.line(world.a, kid, provider, code="H2015", status="ready", modifiers=()),
        "released": export_data.line(world.a, kid, provider, code="H2027", modifiers=()),
        "exported": exported,
        "batch": batch,
    }
    world.billing = found  # type: ignore[attr-defined]
    return found


def _billing_samples(world: ClinicWorld) -> dict[str, dict[str, Any]]:
    records = billing_records(world)
    return {
        "web:billing_release": {"line": [str(records["ready"].pk)]},
        "web:billing_line": {"reason": "Entered twice"},
        "web:billing_batches": {"format": "csv"},
        "web:billing_provider": {
            "licence_type": "lcsw",
            "npi": "1245319599",
            "aces_aware_attested_on": "2025-01-10",
        },
        "web:billing_coverage": {"medi_cal_id": "94567890D", "enrolled": "on", "plan": ""},
        "web:billing_settings": {
            "action": "file",
            "file-payer_name": "MEDI-CAL",
            "file-payer_id": "610442",
            "file-fees": "H2015 = 25.00",
        },
    }
