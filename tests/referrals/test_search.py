"""Directory search: by need (screen domain -> Open Eligibility terms), language, the child's
age, open now, distance from a ZIP code, ranking, the family's language, paging, and one
network's directory never seen from another; notes and favourites per clinic."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dyadcare.referrals import rules, selectors, services
from dyadcare.referrals.internal.importer import import_into
from dyadcare.referrals.models import Service
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import AuditEvent
from dyadcare.tenancy.models import Network
from dyadcare.tenancy.scope import clinic_scope
from tests.factories import ClinicWorld, staff_actor
from tests.referrals.directory_data import hid, service, write_json

pytestmark = pytest.mark.django_db

SANTA_CLARA = rules.centroid("95050")
assert SANTA_CLARA is not None
# A Wednesday at 10:00 and at 20:00, local time.
WEDNESDAY_MORNING = timezone.make_aware(datetime(2026, 12, 2, 10, 0))
WEDNESDAY_NIGHT = timezone.make_aware(datetime(2026, 12, 2, 20, 0))


def load(network: Network, tmp_path: Path, records: list[dict[str, Any]]) -> None:
    result = import_into(network, write_json(tmp_path / f"{len(records)}.json", records))
    assert result.rejected == []


def near(miles_north: float) -> dict[str, float]:
    lat, lon = SANTA_CLARA
    return {"lat": lat + miles_north / 69.0, "lon": lon}


@pytest.fixture
def actor(world: ClinicWorld) -> Actor:
    return staff_actor(world, "family_partner")


def names(page: selectors.SearchPage) -> list[str]:
    return [r.name for r in page.rows]


def search(world: ClinicWorld, actor: Actor, **kwargs: Any) -> selectors.SearchPage:
    with clinic_scope(world.a):
        return selectors.search_services(actor, **kwargs)


def test_the_need_mapping_names_open_eligibility_codes_for_the_screen_domains() -> None:
    food = rules.need_for("food")
    assert food is not None and "1102" in food.codes
    housing = rules.need_for("housing-instability")  # an AHC HRSN domain
    assert housing is not None and housing.key == "housing" and "1137" in housing.codes
    assert rules.need_for("safety") is not None and rules.need_for("utilities") is not None
    assert rules.need_for("transportation") is not None
    assert rules.need_for("no-such-need") is None
    assert all(n.confidence in ("verified", "inferred", "unverified") for n in rules.needs())


def test_by_need(world: ClinicWorld, actor: Actor, tmp_path: Path) -> None:
    load(
        world.network,
        tmp_path,
        [
            service("pantry", name="Pantry", codes=("1130",)),
            service("rent", name="Rent help", codes=("1137",)),
            service("none", name="Untagged"),
        ],
    )
    assert names(search(world, actor, need="food")) == ["Pantry"]
    assert names(search(world, actor, need="housing-instability")) == ["Rent help"]
    assert sorted(names(search(world, actor))) == ["Pantry", "Rent help", "Untagged"]
    assert search(world, actor, need="no-such-need").total == 0


def test_by_language(world: ClinicWorld, actor: Actor, tmp_path: Path) -> None:
    load(
        world.network,
        tmp_path,
        [
            service("es", name="Spanish spoken", languages=("es", "en")),
            service("vi", name="Vietnamese only", languages=("vi",)),
            service("unlisted", name="No language listed"),
        ],
    )
    assert names(search(world, actor, language="es")) == ["Spanish spoken"]
    assert sorted(names(search(world, actor, language="en"))) == ["No language listed", "Spanish spoken"]


def test_by_the_childs_age(world: ClinicWorld, actor: Actor, tmp_path: Path) -> None:
    load(
        world.network,
        tmp_path,
        [
            service("infant", name="Under two", min_age=0, max_age=1),
            service("preschool", name="Three to five", min_age=3, max_age=5),
            service("adult", name="Adults", min_age=18),
            service("all", name="All ages"),
        ],
    )
    assert sorted(names(search(world, actor, child_age_months=14))) == ["All ages", "Under two"]
    assert sorted(names(search(world, actor, child_age_months=24))) == ["All ages"]
    assert sorted(names(search(world, actor, child_age_months=36))) == ["All ages", "Three to five"]


def test_open_now_in_local_time(world: ClinicWorld, actor: Actor, tmp_path: Path) -> None:
    load(
        world.network,
        tmp_path,
        [
            service("day", name="Weekday days", byday="MO,TU,WE,TH,FR", hours=("09:00:00", "17:00:00")),
            service("eve", name="Wednesday evenings", byday="WE", hours=("18:00:00", "22:00:00")),
            service("wkd", name="Weekends", byday="SA,SU", hours=("09:00:00", "17:00:00")),
        ],
    )
    assert names(search(world, actor, open_now=True, now=WEDNESDAY_MORNING)) == ["Weekday days"]
    assert names(search(world, actor, open_now=True, now=WEDNESDAY_NIGHT)) == ["Wednesday evenings"]
    everything = search(world, actor, now=WEDNESDAY_MORNING)
    assert {r.name: r.open_now for r in everything.rows} == {
        "Weekday days": True,
        "Wednesday evenings": False,
        "Weekends": False,
    }


def test_monthly_and_overnight_hours() -> None:
    from datetime import time

    first_monday = rules.Hours("MONTHLY", "1MO", time(9), time(12))
    assert rules.is_open(first_monday, datetime(2026, 12, 7, 10))  # the first Monday of December
    assert not rules.is_open(first_monday, datetime(2026, 12, 14, 10))
    last_friday = rules.Hours("MONTHLY", "-1FR", time(9), time(12))
    assert rules.is_open(last_friday, datetime(2026, 12, 25, 10))
    assert not rules.is_open(last_friday, datetime(2026, 12, 18, 10))
    overnight = rules.Hours("WEEKLY", "", time(22), time(6))
    assert rules.is_open(overnight, datetime(2026, 12, 2, 23)) and rules.is_open(
        overnight, datetime(2026, 12, 2, 5)
    )
    assert not rules.is_open(overnight, datetime(2026, 12, 2, 12))


def test_by_distance_from_the_zip_code_nearest_first(
    world: ClinicWorld, actor: Actor, tmp_path: Path
) -> None:
    load(
        world.network,
        tmp_path,
        [
            service("far", name="Twenty miles", **near(20)),
            service("close", name="Two miles", **near(2)),
            service("away", name="Sixty miles", **near(60)),
            service("online", name="Online only"),
        ],
    )
    page = search(world, actor, zip_code="95050")
    assert names(page) == ["Two miles", "Twenty miles", "Online only"]
    assert [r.distance_miles for r in page.rows] == [
        pytest.approx(2, abs=0.2),
        pytest.approx(20, abs=0.5),
        None,
    ]
    assert names(search(world, actor, zip_code="95050", radius_miles=10)) == ["Two miles", "Online only"]
    unknown = search(world, actor, zip_code="00000")
    assert not unknown.zip_known and unknown.total == 4


def test_ranking_raises_favourites_and_open_services(
    world: ClinicWorld, actor: Actor, tmp_path: Path
) -> None:
    load(
        world.network,
        tmp_path,
        [
            service("near", name="Near, closed", byday="SA", **near(1)),
            service("open", name="Open, 4 miles", byday="WE", **near(4)),
            service("fav", name="Starred, 9 miles", byday="SA", **near(9)),
        ],
    )
    page = search(world, actor, zip_code="95050", now=WEDNESDAY_MORNING)
    # scores: near 0-0.2=-0.2, open 1-0.8=0.2, starred (not yet) -1.8
    assert names(page) == ["Open, 4 miles", "Near, closed", "Starred, 9 miles"]
    starred = Service.objects.get(hsds_id=hid("svc", "fav"))
    with clinic_scope(world.a):
        assert services.toggle_favourite(actor, service_id=starred.pk) is True
    page = search(world, actor, zip_code="95050", now=WEDNESDAY_MORNING)
    assert names(page) == [
        "Open, 4 miles",
        "Starred, 9 miles",
        "Near, closed",
    ]  # 2-1.8 = 0.2 ties, nearer first
    assert page.rows[1].favourite


def test_results_in_the_familys_language_where_the_directory_has_it(
    world: ClinicWorld, actor: Actor, tmp_path: Path
) -> None:
    load(world.network, tmp_path, [service("a", name="Food bank"), service("b", name="Diaper bank")])
    Service.objects.filter(hsds_id=hid("svc", "a")).update(
        translations={"es": {"name": "Banco de alimentos", "description": "Comida gratis"}}
    )
    page = search(world, actor, language="es", text="bank")
    rows = {r.name: r for r in search(world, actor, text="bank").rows}
    assert set(rows) == {"Food bank", "Diaper bank"}
    spanish = {r.name: r.translated for r in search(world, actor).rows}
    assert spanish == {"Food bank": False, "Diaper bank": False}
    with clinic_scope(world.a):
        page = selectors.search_services(actor)
        page_es = selectors.search_services(actor, language="es")
    assert {r.name for r in page.rows} == {"Food bank", "Diaper bank"}
    # No service lists Spanish as spoken, so the language filter finds none; the words are
    # still given in Spanish where the directory has them (the service page, the refer flow).
    assert page_es.total == 0
    one = Service.objects.get(hsds_id=hid("svc", "a"))
    with clinic_scope(world.a):
        row = selectors.service_for_referral(actor, one.pk, language="es")
    assert row.name == "Banco de alimentos" and row.translated and row.description == "Comida gratis"


def test_paging(world: ClinicWorld, actor: Actor, tmp_path: Path) -> None:
    load(world.network, tmp_path, [service(f"s{i:02d}", name=f"Service {i:02d}") for i in range(45)])
    first, third = search(world, actor), search(world, actor, page=3)
    assert first.total == 45 and first.pages == 3 and len(first.rows) == selectors.PAGE_SIZE
    assert third.page == 3 and len(third.rows) == 5
    assert search(world, actor, page=99).page == 3
    assert not set(names(first)) & set(names(third))


def test_inactive_services_are_not_found(world: ClinicWorld, actor: Actor, tmp_path: Path) -> None:
    load(world.network, tmp_path, [service("gone", status="defunct"), service("here")])
    assert names(search(world, actor)) == ["Service here"]


def test_another_networks_directory_is_never_seen(world: ClinicWorld, actor: Actor, tmp_path: Path) -> None:
    load(world.other_network, tmp_path, [service("elsewhere", name="Elsewhere", codes=("1130",))])
    assert search(world, actor).total == 0
    assert search(world, actor, need="food").total == 0
    theirs = Service.objects.get(network=world.other_network)
    with clinic_scope(world.a), pytest.raises(Service.DoesNotExist):
        selectors.service_for_referral(actor, theirs.pk)
    with clinic_scope(world.a), pytest.raises(Service.DoesNotExist):
        services.save_note(actor, service_id=theirs.pk, text="no")
    with clinic_scope(world.a), pytest.raises(Service.DoesNotExist):
        services.toggle_favourite(actor, service_id=theirs.pk)
    assert selectors.export_services(actor) == []


def test_notes_and_favourites_are_the_clinics_own_and_audited(
    world: ClinicWorld, actor: Actor, tmp_path: Path
) -> None:
    load(world.network, tmp_path, [service("a", name="Pantry")])
    pantry = Service.objects.get(network=world.network)
    with clinic_scope(world.a):
        services.save_note(actor, service_id=pantry.pk, text="Ask for Rosa")
        services.toggle_favourite(actor, service_id=pantry.pk)
        mine = selectors.service_for_referral(actor, pantry.pk)
    assert mine.note == "Ask for Rosa" and mine.favourite
    assert world.admin_b is not None
    b_actor = Actor.for_staff(world.admin_b, clinic=world.b, roles=("clinic_admin",))
    with clinic_scope(world.b):
        theirs = selectors.service_for_referral(b_actor, pantry.pk)
    assert theirs.note == "" and not theirs.favourite  # clinic B shares the service, not the note
    with clinic_scope(world.a):
        events = AuditEvent.objects.filter(actor=actor.user, object_id=str(pantry.pk))
        actions = set(events.values_list("action", flat=True))
    assert actions == {"referrals.directory_note_saved", "referrals.favourite_added"}
    with clinic_scope(world.a):
        services.save_note(actor, service_id=pantry.pk, text="")
        assert selectors.service_for_referral(actor, pantry.pk).note == ""


def test_billing_may_not_search(world: ClinicWorld, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        search(world, staff_actor(world, "billing"))
