"""The alerts worklist and its banner stay flat in the size of the clinic (issue 14): the
same queries for a clinic with a few open flags and overdue referrals as for one with ten
times as many; the pager's count stops at its cap; the overdue follow-ups show the soonest
few with a link to all of them; the banner counts open flags on an index."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dyadcare.referrals.models_referral import Referral
from dyadcare.screening.models import Flag, ScreeningResult
from dyadcare.screening.worklist import FOLLOW_UPS_SHOWN, PAGE_SIZE
from dyadcare.tenancy.paging import CappedPaginator
from dyadcare.tenancy.scope import clinic_scope, unscoped
from tests import factories
from tests.factories import ClinicWorld, login
from tests.referrals.helpers import referral

pytestmark = pytest.mark.django_db
VIEWER = "pediatric_clinician"  # sees the flags' reasons and the clinic's referrals


def _flags(world: ClinicWorld, n: int, *, severity: str = Flag.Severity.FOLLOW_UP) -> None:
    """``n`` open flags, each on its own child's visit, a minute apart."""
    now = timezone.now()
    with unscoped("test data"):
        for i in range(n):
            kid = factories.child(world.a, given_name=f"Flagged{i}")
            visit = factories.visit(world.a, kid)
            result = ScreeningResult.objects.create(
                clinic=world.a, visit=visit, child=kid, instrument_id="phq9", category="maternal-depression",
                respondent="caregiver-self", answers=[1] * 9, total=12, positive=True, sensitivity=["PSY"],
                questionnaire_response={"resourceType": "QuestionnaireResponse", "item": ["x" * 200] * 20},
                scored_at=now,
            )  # fmt: skip
            Flag.objects.create(
                clinic=world.a, result=result, visit=visit, child=kid, severity=severity,
                reason="PHQ-9: positive", raised_at=now - timedelta(minutes=i + 1),
            )  # fmt: skip


def _overdue_referrals(world: ClinicWorld, n: int, *, start: int = 0) -> list[Referral]:
    """``n`` more overdue referrals of child A: the first made through the service, the
    others copies of it; the ``start + i``-th is due ``100 - start - i`` days ago."""
    with clinic_scope(world.a):
        base = Referral.objects.order_by("created_at").first()
    if base is None:
        base, _token = referral(world)
    today = timezone.localdate()
    out = []
    with clinic_scope(world.a):
        for i in range(n):
            copy = Referral.objects.get(pk=base.pk)
            if start + i:
                copy.pk = uuid.uuid4()
                copy._state.adding = True
                copy.token_hash = uuid.uuid4().hex
            copy.due_on = today - timedelta(days=100 - start - i)
            copy.save()
            out.append(copy)
    return out


def _get(client: Client, url: str) -> tuple[int, str, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:300]
    return len(captured), response.content.decode(), response.context


def test_the_worklist_reads_the_same_queries_at_ten_times_the_flags_and_referrals(
    world: ClinicWorld, client: Client
) -> None:
    login(client, world.staff_a[VIEWER])
    url = f"/c/{world.a.slug}/alerts/"
    with unscoped("test check"):
        before = Flag.objects.filter(clinic=world.a, resolved_at__isnull=True).count()
    counts = []
    made_flags = made_referrals = 0
    for flags, referrals in ((4, 2), (40, 20)):
        _flags(world, flags - made_flags)
        _overdue_referrals(world, referrals - made_referrals, start=made_referrals)
        made_flags, made_referrals = flags, referrals
        queries, text, context = _get(client, url)
        counts.append(queries)
        assert context["page"].paginator.count == before + flags  # type: ignore[index]
        assert text.count('data-testid="follow-up"') == min(referrals, FOLLOW_UPS_SHOWN)
        assert ('data-testid="follow-ups-all"' in text) == (referrals > FOLLOW_UPS_SHOWN)
        assert len(context["rows"]) == min(before + flags, PAGE_SIZE)  # type: ignore[index]
    assert counts[0] == counts[1], counts


def test_show_all_lists_every_overdue_follow_up_soonest_due_first(world: ClinicWorld, client: Client) -> None:
    made = _overdue_referrals(world, FOLLOW_UPS_SHOWN + 3)
    login(client, world.staff_a[VIEWER])
    _queries, first, context = _get(client, f"/c/{world.a.slug}/alerts/")
    shown = context["follow_ups"]  # type: ignore[index]
    # The soonest due: the first made are the longest overdue.
    assert [f.due for f in shown] == [r.due_on for r in made[:FOLLOW_UPS_SHOWN]]
    assert "followups=all" in first
    _queries, everything, context = _get(client, f"/c/{world.a.slug}/alerts/?followups=all")
    assert len(context["follow_ups"]) == len(made)  # type: ignore[index]
    assert everything.count('data-testid="follow-up"') == len(made)
    assert 'data-testid="follow-ups-all"' not in everything
    # One child's: the filter reaches the provider (every copy is the same child's).
    assert world.child_a is not None
    _queries, _text, context = _get(client, f"/c/{world.a.slug}/alerts/?child={world.child_a.pk}")
    assert len(context["follow_ups"]) == FOLLOW_UPS_SHOWN  # type: ignore[index]
    _queries, _text, context = _get(client, f"/c/{world.a.slug}/alerts/?child={uuid.uuid4()}")
    assert context["follow_ups"] == []  # type: ignore[index]


def test_the_pager_counts_no_further_than_its_cap(
    world: ClinicWorld, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CappedPaginator, "cap", 30)
    _flags(world, 34)
    login(client, world.staff_a[VIEWER])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/c/{world.a.slug}/alerts/")
    page = response.context["page"]
    assert page.paginator.capped and page.paginator.count == 30
    assert "More than 30 found" in response.content.decode()
    count = next(
        q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"] and "screening_flag" in q["sql"]
    )
    assert "LIMIT 31" in count, count
    # Nothing reads the stored FHIR JSON or the answers of a page's results.
    rows = next(
        q["sql"] for q in captured.captured_queries if "screening_flag" in q["sql"] and "LIMIT 25" in q["sql"]
    )
    assert '"questionnaire_response"' not in rows and '"answers"' not in rows and '"observations"' not in rows
    assert client.get(f"/c/{world.a.slug}/alerts/?page=2").context["page"].number == 2


def test_the_banner_counts_open_flags_on_an_index_alone(world: ClinicWorld, client: Client) -> None:
    _flags(world, 3, severity=Flag.Severity.ALERT)
    _flags(world, 2)
    with unscoped("test data"):
        escalated = Flag.objects.filter(severity=Flag.Severity.ALERT).order_by("raised_at").first()
        assert escalated is not None
        Flag.objects.filter(pk=escalated.pk).update(escalated_at=timezone.now())
        closed = Flag.objects.filter(severity=Flag.Severity.FOLLOW_UP).first()
        assert closed is not None
        Flag.objects.filter(pk=closed.pk).update(resolved_at=timezone.now())
    login(client, world.staff_a[VIEWER])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/c/{world.a.slug}/alerts/banner/")
    summary = response.context["summary"]
    with unscoped("test check"):
        open_flags = Flag.objects.filter(clinic=world.a, resolved_at__isnull=True)
        alerts = open_flags.filter(severity=Flag.Severity.ALERT)
        expected = (
            alerts.count(),
            alerts.filter(escalated_at__isnull=False).count(),
            open_flags.count() - alerts.count(),
        )
    assert expected[0] >= 3 and expected[1] == 1 and expected[2] >= 1
    assert (summary.open_alerts, summary.escalated, summary.open_follow_ups) == expected
    count = next(q["sql"] for q in captured.captured_queries if "screening_flag" in q["sql"])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + count)
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "USING COVERING INDEX flag_open" in plan, plan


def test_each_row_names_its_owner_selected_and_links_its_own_flag(world: ClinicWorld, client: Client) -> None:
    _flags(world, 2)
    owner = world.staff_a["dyadic_specialist"]
    with unscoped("test data"):
        owned, unowned = Flag.objects.filter(
            clinic=world.a, child__given_name__startswith="Flagged"
        ).order_by("-raised_at")
        Flag.objects.filter(pk=owned.pk).update(owner=owner)
    login(client, world.staff_a[VIEWER])
    text = client.get(f"/c/{world.a.slug}/alerts/").content.decode()
    rows = {
        flag.pk: text.split(f'id="owner-{flag.pk}"')[1].split("</select>")[0] for flag in (owned, unowned)
    }
    assert f'<option value="{owner.pk}" selected>' in rows[owned.pk]
    assert " selected" not in rows[unowned.pk]
    for flag in (owned, unowned):
        assert f"/c/{world.a.slug}/flags/{flag.pk}/assign/" in text
        assert f"/c/{world.a.slug}/flags/{flag.pk}/acknowledge/" in text
        assert f"/c/{world.a.slug}/visits/{flag.visit_id}/screening/" in text
