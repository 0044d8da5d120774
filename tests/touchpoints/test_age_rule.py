"""One age rule everywhere: visits by chronological age, instrument choice and validated-age
checks by corrected age while it applies, one wording on every page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from dyadcare.screening.internal.plan import visit_plan
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.schedule import CorrectionRule, add_months, child_age
from dyadcare.touchpoints.selectors import clinic_bundle
from dyadcare.web.templatetags.dyadcare import age
from tests import factories
from tests.factories import ClinicWorld, login

RULE = CorrectionRule(term_days=280, threshold_days=21, until_months=24, days_per_month=30.4375)
DOB = date(2030, 3, 10)


@pytest.mark.parametrize(
    ("ga_days", "corrected"),
    [(259, True), (260, False), (245, True), (280, False), (290, False), (None, False)],
)
def test_correction_starts_at_the_threshold_day(ga_days: int | None, corrected: bool) -> None:
    """Born 21 days before term (37+0) is corrected; 20 days (37+1) is not; post-term never."""
    result = child_age(DOB, ga_days, DOB + timedelta(days=100), RULE)
    assert (result.corrected_days is not None) is corrected
    if corrected:
        assert ga_days is not None
        assert result.corrected_days == 100 - (280 - ga_days)
        assert result.screening_months < result.months
    else:
        assert result.screening_months == result.months


def test_correction_ends_at_24_months_chronological() -> None:
    last_day = add_months(DOB, 24) - timedelta(days=1)
    before = child_age(DOB, 245, last_day, RULE)
    at = child_age(DOB, 245, add_months(DOB, 24), RULE)
    assert before.corrected_months == pytest.approx(before.months - 35 / 30.4375)
    assert at.corrected_months is None and at.screening_months == pytest.approx(24.0)


@pytest.mark.parametrize(
    ("ga_days", "days", "wording"),
    [
        (247, 56, "8 weeks old; corrected age 3 weeks"),  # the observed baby: 35+2, 8 weeks
        (280, 56, "8 weeks old"),
        (250, 10, "10 days old; corrected age 3 weeks before term"),
        (245, 420, "13 months old; corrected age 12 months"),
    ],
)
def test_one_wording(ga_days: int, days: int, wording: str) -> None:
    with translation.override("en"):
        assert age(child_age(DOB, ga_days, DOB + timedelta(days=days))) == wording


def test_one_wording_in_spanish() -> None:
    with translation.override("es"):
        assert (
            age(child_age(DOB, 247, DOB + timedelta(days=56)))
            == "8 semanas de edad; edad corregida 3 semanas"
        )


def _visit_at(world: ClinicWorld, *, ga_days: int, days_old: int, touchpoint: str) -> object:
    today = timezone.localdate()
    baby = factories.child(
        world.a, date_of_birth=today - timedelta(days=days_old), gestational_age_days=ga_days
    )
    factories.caregiver(world.a, for_child=baby)
    when = timezone.make_aware(datetime.combine(today, time(10)))
    return factories.visit(world.a, baby, when=when, touchpoint=touchpoint)


def _checklists(world: ClinicWorld, visit: object) -> dict[str, str]:
    with clinic_scope(world.a):
        plan = visit_plan(visit=visit, bundle=clinic_bundle(world.a), clinic=world.a, language="en")  # type: ignore[arg-type]
    return {p.id: p.warning for p in plan if p.id.startswith("cdc-milestones")}


def test_the_checklist_follows_corrected_age_and_is_never_warned_against(world: ClinicWorld) -> None:
    """35+2 at 8 weeks is 3 weeks corrected: no checklist yet (the 2-month one is for 2
    months); at 17 weeks (corrected 12 weeks) the 2-month checklist, without a warning; a
    term baby at 2 months gets the 2-month checklist."""
    preterm_2m = _visit_at(world, ga_days=247, days_old=56, touchpoint="2m")
    preterm_4m = _visit_at(world, ga_days=247, days_old=17 * 7, touchpoint="4m")
    term_2m = _visit_at(world, ga_days=280, days_old=62, touchpoint="2m")
    assert _checklists(world, preterm_2m) == {}
    assert _checklists(world, preterm_4m) == {"cdc-milestones-2m": ""}
    assert _checklists(world, term_2m) == {"cdc-milestones-2m": ""}


def test_every_page_says_the_age_the_same_way(world: ClinicWorld, client: Client) -> None:
    visit = _visit_at(world, ga_days=247, days_old=56, touchpoint="2m")
    child = visit.child  # type: ignore[attr-defined]
    login(client, world.staff_a["pediatric_clinician"])
    base = f"/c/{world.a.slug}"
    pages = [
        f"{base}/visits/{visit.pk}/",  # type: ignore[attr-defined]
        f"{base}/visits/{visit.pk}/screening/",  # type: ignore[attr-defined]
        f"{base}/children/{child.pk}/",
        f"{base}/huddle/?day={timezone.localdate().isoformat()}",
        f"{base}/children/?q={child.family_name}",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "8 weeks old; corrected age 3 weeks" in body, url
        assert "Age today" not in body and "(corrected" not in body, url
