"""`dyadcare directory import` and `export`: every HSDS 3.0 example, rejects with file, row
and reason, idempotency, the round trip, the network it writes to, and the CLI contract."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from dyadcare.referrals.internal.hsds_schema import first_error
from dyadcare.referrals.internal.writer import MODELS
from dyadcare.referrals.models import Attribute, Location, Organization, Service
from dyadcare.tenancy.models import Network
from tests import factories
from tests.referrals.directory_data import hid, service, write_json, write_package

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "hsds-3.0" / "examples"
# Example file -> (organizations, services, locations) it holds.
EXPECTED = {
    "base.json": (0, 0, 0),
    "location.json": (0, 0, 1),
    "organization_full.json": (1, 1, 1),
    "organization_list.json": (1, 0, 0),
    "service_at_location_full.json": (1, 1, 1),
    "service_at_location_list.json": (1, 1, 1),
    "service_full.json": (1, 1, 1),
    "service_list.json": (1, 1, 0),
    "tabular.json": (1, 1, 0),
    "taxonomy.json": (0, 0, 0),
    "taxonomy_list.json": (0, 0, 0),
    "taxonomy_term.json": (0, 0, 0),
    "taxonomy_term_list.json": (0, 0, 0),
}


def run(*args: str) -> tuple[int, dict[str, Any] | None, str]:
    out, err = io.StringIO(), io.StringIO()
    import sys

    saved = sys.stderr
    sys.stderr = err
    try:
        call_command("directory", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.stderr = saved
    text = out.getvalue().strip()
    return code, (json.loads(text) if text else None), err.getvalue()


def snapshot(network: Network) -> dict[str, list[tuple[Any, ...]]]:
    """Every directory row of the network, but the time it was last written."""
    out = {}
    for table, model in MODELS.items():
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "updated_at"]
        out[table] = sorted(model.objects.filter(network=network).values_list(*names), key=str)
    return out


def test_every_example_in_the_folder_is_listed() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hsds_example_imports(name: str) -> None:
    net = factories.network()
    code, result, _ = run("import", str(EXAMPLES / name), "--network", net.slug)
    assert code == 0
    assert result is not None
    assert (result["organizations"], result["services"], result["locations"]) == EXPECTED[name]
    if name != "tabular.json":
        assert result["rejected"] == []
    else:  # upstream's tabular example refers to an organization and a taxonomy it lacks
        # (and the rows hanging off the rejected location and term go with them)
        first = {r["file"] for r in result["rejected"] if "unknown organization" in r["reason"]}
        assert first == {"locations.csv"}
        assert any(
            r["file"] == "taxonomy_terms.csv" and "unknown taxonomy" in r["reason"]
            for r in result["rejected"]
        )
        assert all("unknown" in r["reason"] for r in result["rejected"])
        assert all(r["row"] == 2 for r in result["rejected"])
    assert Service.objects.filter(network=net).count() == EXPECTED[name][1]


def test_service_full_keeps_its_nested_objects() -> None:
    net = factories.network()
    run("import", str(EXAMPLES / "service_full.json"), "--network", net.slug)
    svc = Service.objects.get(network=net)
    assert svc.name == "Community Counselling"
    assert svc.organization is not None and svc.organization.name == "Example Organization Inc."
    assert svc.minimum_age == 12 and svc.maximum_age == 100
    assert Attribute.objects.filter(service=svc).exists()
    assert svc.extra["wait_time"] == "wait_time"  # kept though the pages do not use it
    assert "contacts" in svc.extra


def test_importing_again_updates_and_never_duplicates(tmp_path: Path) -> None:
    net = factories.network()
    path = write_json(tmp_path / "d.json", [service("a", lat=37.3, lon=-121.9), service("b")])
    first = run("import", str(path), "--network", net.slug)[1]
    before = snapshot(net)
    second = run("import", str(path), "--network", net.slug)[1]
    assert first == second == {"organizations": 2, "services": 2, "locations": 1, "rejected": []}
    assert snapshot(net) == before
    changed = service("a", name="Renamed", lat=37.3, lon=-121.9)
    run("import", str(write_json(tmp_path / "e.json", [changed])), "--network", net.slug)
    assert Service.objects.filter(network=net).count() == 2
    assert Service.objects.get(network=net, hsds_id=hid("svc", "a")).name == "Renamed"


def test_import_export_import_leaves_the_directory_unchanged(tmp_path: Path) -> None:
    net = factories.network()
    for name in ("service_full.json", "organization_full.json", "location.json"):
        run("import", str(EXAMPLES / name), "--network", net.slug)
    records = [service("a", codes=("1102",), languages=("es",), lat=37.3, lon=-121.9, min_age=0, max_age=5)]
    run("import", str(write_json(tmp_path / "own.json", records)), "--network", net.slug)
    before = snapshot(net)
    code, _, _ = run("export", str(tmp_path / "out.json"), "--network", net.slug)
    assert code == 0
    exported = json.loads((tmp_path / "out.json").read_text())
    assert len(exported) == Service.objects.filter(network=net).count() == 2
    assert [first_error("service", r) for r in exported] == [None, None]
    again = run("import", str(tmp_path / "out.json"), "--network", net.slug)[1]
    assert again is not None and again["rejected"] == []
    assert snapshot(net) == before
    # And into an empty network: the same export again.
    other = factories.network()
    run("import", str(tmp_path / "out.json"), "--network", other.slug)
    run("export", str(tmp_path / "out2.json"), "--network", other.slug)
    assert json.loads((tmp_path / "out2.json").read_text()) == exported


def test_export_nests_organization_locations_and_languages(tmp_path: Path) -> None:
    net = factories.network()
    path = write_json(
        tmp_path / "d.json", [service("a", codes=("1102",), languages=("es",), lat=37.3, lon=-121.9)]
    )
    run("import", str(path), "--network", net.slug)
    run("export", str(tmp_path / "out.json"), "--network", net.slug)
    (record,) = json.loads((tmp_path / "out.json").read_text())
    assert record["organization"]["name"] == "Org a"
    assert record["languages"][0]["code"] == "es"
    assert record["service_at_locations"][0]["location"]["latitude"] == 37.3
    assert record["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "95050"
    assert record["attributes"][0]["taxonomy_term"]["code"] == "1102"
    assert record["schedules"][0]["opens_at"] == "09:00:00"


def test_bad_json_records_are_rejected_and_good_ones_kept(tmp_path: Path) -> None:
    net = factories.network()
    missing_status = service("b")
    del missing_status["status"]
    malformed = service("c")
    malformed["minimum_age"] = "three"
    unknown_org = {k: v for k, v in service("d").items() if k != "organization"}
    unknown_org["organization_id"] = hid("org", "nowhere")
    records = [service("a"), missing_status, malformed, unknown_org, service("a")]
    result = run("import", str(write_json(tmp_path / "d.json", records)), "--network", net.slug)[1]
    assert result is not None
    assert result["services"] == 1 and result["organizations"] == 1
    rejected = {r["row"]: r for r in result["rejected"]}
    assert set(rejected) == {2, 3, 4, 5}
    assert all(r["file"] == "d.json" for r in rejected.values())
    assert "'status' is a required property" in rejected[2]["reason"]
    assert "minimum_age" in rejected[3]["reason"]
    assert "unknown organization" in rejected[4]["reason"]
    assert "duplicate id" in rejected[5]["reason"]
    assert list(Service.objects.filter(network=net).values_list("hsds_id", flat=True)) == [hid("svc", "a")]


def _package_rows() -> dict[str, list[dict[str, Any]]]:
    orgs = [{"id": hid("o", i), "name": f"Org {i}", "description": "d"} for i in range(3)]
    orgs.append({"id": hid("o", 9), "name": "", "description": "missing name"})  # row 5
    services = [
        {"id": hid("s", i), "organization_id": hid("o", i), "name": f"S {i}", "status": "active"}
        for i in range(3)
    ]
    services.append(
        {"id": hid("s", 3), "organization_id": hid("o", 77), "name": "Orphan", "status": "active"}
    )
    services.append(
        {
            "id": hid("s", 4),
            "organization_id": hid("o", 0),
            "name": "Bad age",
            "status": "active",
            "minimum_age": "three",
        }
    )
    services.append({"id": hid("s", 0), "organization_id": hid("o", 0), "name": "Twin", "status": "active"})
    locations = [{"id": hid("l", 0), "location_type": "physical", "latitude": "37.3", "longitude": "-121.9"}]
    sal = [
        {"id": hid("sal", 0), "service_id": hid("s", 0), "location_id": hid("l", 0)},
        {"id": hid("sal", 1), "service_id": hid("s", 4), "location_id": hid("l", 0)},  # its service is bad
    ]
    return {"organization": orgs, "service": services, "location": locations, "service_at_location": sal}


def test_a_tabular_package_with_malformed_rows(tmp_path: Path) -> None:
    net = factories.network()
    folder = write_package(tmp_path / "pkg", _package_rows())
    code, result, _ = run("import", str(folder), "--network", net.slug)
    assert code == 0 and result is not None
    assert (result["organizations"], result["services"], result["locations"]) == (3, 3, 1)
    by_place = {(r["file"], r["row"]): r["reason"] for r in result["rejected"]}
    assert "name" in by_place[("organizations.csv", 5)]  # missing required value
    assert "refers to an unknown organization" in by_place[("services.csv", 5)]
    assert "minimum_age" in by_place[("services.csv", 6)]  # malformed number
    assert (
        "unique" in by_place[("services.csv", 7)].lower()
        or "primary" in by_place[("services.csv", 7)].lower()
    )
    assert "unknown service" in by_place[("service_at_location.csv", 3)]
    assert len(by_place) == 5
    kept = set(Service.objects.filter(network=net).values_list("hsds_id", flat=True))
    assert kept == {hid("s", 0), hid("s", 1), hid("s", 2)}  # the first of the twins is kept
    assert Service.objects.get(network=net, hsds_id=hid("s", 0)).name == "S 0"
    assert Organization.objects.filter(network=net).count() == 3
    assert Location.objects.filter(network=net).count() == 1


def test_a_folder_without_a_descriptor_or_a_missing_path_exits_2(tmp_path: Path) -> None:
    factories.network()
    (tmp_path / "empty").mkdir()
    for path in (tmp_path / "empty", tmp_path / "nothing.json"):
        code, result, err = run("import", str(path))
        assert code == 2 and result is None
        assert len(err.strip().splitlines()) == 1
    (tmp_path / "bad.json").write_text("{not json")
    code, _, err = run("import", str(tmp_path / "bad.json"))
    assert code == 2 and "not JSON" in err


def test_the_network_is_named_or_the_only_one_or_created(tmp_path: Path) -> None:
    path = write_json(tmp_path / "d.json", [service("a")])
    assert not Network.objects.exists()
    code, result, _ = run("import", str(path))
    assert code == 0 and result is not None and result["services"] == 1
    created = Network.objects.get()
    assert created.slug == "directory"
    assert Service.objects.get().network == created
    assert run("import", str(path))[0] == 0  # the only network now
    other = factories.network()
    code, _, err = run("import", str(path))
    assert code == 2 and "--network" in err
    assert run("import", str(path), "--network", other.slug)[0] == 0
    assert Service.objects.filter(network=other).count() == 1
    assert run("import", str(path), "--network", "nope")[0] == 2


def test_networks_keep_their_own_directories(tmp_path: Path) -> None:
    one, two = factories.network(), factories.network()
    path = write_json(tmp_path / "d.json", [service("a")])
    run("import", str(path), "--network", one.slug)
    run("import", str(path), "--network", two.slug)
    assert Service.objects.filter(hsds_id=hid("svc", "a")).count() == 2
    run("export", str(tmp_path / "two.json"), "--network", two.slug)
    assert len(json.loads((tmp_path / "two.json").read_text())) == 1


def test_services_sharing_an_organization_import_together(tmp_path: Path) -> None:
    net = factories.network()
    one, two = service("a"), service("b")
    two["organization"] = one["organization"]
    result = run("import", str(write_json(tmp_path / "d.json", [one, two])), "--network", net.slug)[1]
    assert result == {"organizations": 1, "services": 2, "locations": 0, "rejected": []}
    run("export", str(tmp_path / "out.json"), "--network", net.slug)
    again = run("import", str(tmp_path / "out.json"), "--network", net.slug)[1]
    assert again == result
