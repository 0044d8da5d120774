"""Which results raise a safety alert is the instruments' data, with its source: no
instrument is named in the code."""

from __future__ import annotations

import dataclasses

from dyadcare.instruments import engine
from dyadcare.instruments.internal import registry
from dyadcare.screening.internal.plan import safety_items
from dyadcare.screening.internal.scoring import flag_rules, flags_for


def test_a_positive_hits_is_an_alert_because_its_data_file_says_so() -> None:
    hits = registry.library().get("hits")
    rule = flag_rules(hits)["positive"]
    assert rule["severity"] == "alert" and rule["source"] and rule["confidence"] == "inferred"
    positive = engine.score(hits, [3, 3, 3, 3])
    assert positive.positive
    assert flags_for(hits, positive) == [
        ("alert", f"{hits.title_in('en')}: positive interpersonal safety screen")
    ]
    # The same instrument without the rule in its data raises a routine follow-up.
    plain = dataclasses.replace(hits, raw={k: v for k, v in hits.raw.items() if k != "flags"})
    assert [severity for severity, _reason in flags_for(plain, positive)] == ["follow_up"]
    assert flags_for(hits, engine.score(hits, [1, 1, 1, 1])) == []


def test_the_ahc_safety_domain_is_an_alert_and_its_items_bring_crisis_lines() -> None:
    ahc = registry.library().get("ahc-hrsn")
    assert flag_rules(ahc)["domains"]["safety"]["severity"] == "alert"
    assert safety_items(ahc) == {7, 8, 9, 10}
    # Without the rule only the SDV label is left, which brings crisis lines after any item.
    plain = dataclasses.replace(ahc, raw={k: v for k, v in ahc.raw.items() if k != "flags"})
    assert safety_items(plain) == set(range(1, 11))


def test_a_family_of_forms_by_age_is_data() -> None:
    library = registry.library()
    forms = library.family("cdc-milestones")
    assert [f.age_months[0] for f in forms] == [2, 4, 6, 9, 12, 15, 18, 24, 30, 36]
    assert library.for_age("cdc-milestones", 2).id == "cdc-milestones-2m"  # type: ignore[union-attr]
    assert library.for_age("cdc-milestones", 10).id == "cdc-milestones-9m"  # type: ignore[union-attr]
    assert library.for_age("cdc-milestones", 1) is None
    assert library.family("phq9") == []


def test_a_flag_reads_in_the_pages_language_and_stays_stored_in_english(world, client) -> None:  # type: ignore[no-untyped-def]
    from dyadcare.tenancy.scope import unscoped
    from tests.factories import login

    assert world.flag_a and world.visit_a
    with unscoped("test"):
        stored = type(world.flag_a).objects.get(pk=world.flag_a.pk)
    assert "critical answer on item" in stored.reason
    login(client, world.staff_a["dyadic_specialist"])
    client.post("/language/", {"language": "es", "next": "/"})
    for url in (f"/c/{world.a.slug}/visits/{world.visit_a.pk}/screening/", f"/c/{world.a.slug}/alerts/"):
        page = client.get(url).content.decode()
        assert "respuesta crítica en la pregunta" in page, url
        assert "critical answer on item" not in page, url


def test_the_interpersonal_safety_reason_is_data_in_both_languages() -> None:
    from dyadcare.screening.internal.scoring import reason_in
    from dyadcare.screening.models import Flag, ScreeningResult

    hits = registry.library().get("hits")
    positive = engine.score(hits, [3, 3, 3, 3])
    ((_severity, english),) = flags_for(hits, positive)
    result = ScreeningResult(positive=True, critical_items=[], domains={})
    flag = Flag(result=result, reason=english)
    assert reason_in(flag, hits, "es").endswith(": prueba de seguridad en la pareja o la familia positiva")
    assert reason_in(flag, hits, "en") == english
    assert reason_in(Flag(result=result, reason="a reason from an older rule"), hits, "es") == (
        "a reason from an older rule"
    ), "a reason the rules no longer give stays as it was stored"
