"""The care pages: the dyad's care page with its forms, my work and the caseload; a PSY note
read by no one without the PSY permission, on any page; query counts that do not grow with
the number of families."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dyadcare.care import services
from dyadcare.care.models import ServiceEntry
from dyadcare.care.worklist import PAGE_SIZE
from dyadcare.tenancy.scope import clinic_scope
from tests.factories import ClinicWorld, caregiver, child, login, staff_actor

pytestmark = pytest.mark.django_db
SECRET = "Mother describes panic attacks at night"


def _url(world: ClinicWorld, name: str, **kw: object) -> str:
    return reverse(f"web:{name}", kwargs={"clinic_slug": world.a.slug, **kw})


def test_a_specialist_agrees_a_plan_and_logs_a_service_on_the_care_page(world, client):  # type: ignore[no-untyped-def]
    me = world.staff_a["dyadic_specialist"]
    login(client, me)
    child_id = world.child_a.pk
    review = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert (
        client.post(
            _url(world, "care_plan", child_id=child_id),
            {"plan-language": "es", "plan-next_review_on": review},
        ).status_code
        == 302
    )
    response = client.post(
        _url(world, "care_goal", child_id=child_id),
        {"goal-template": "caregiver-mood", "goal-owner": str(me.pk), "goal-review_on": review},
    )
    assert response.status_code == 302
    page = client.get(_url(world, "care_page", child_id=child_id))
    assert "Me sentiré menos decaída" in page.content.decode()
    bad = client.post(
        _url(world, "care_service", child_id=child_id),
        {"service-service_type": "family-training", "service-delivered_on": timezone.localdate().isoformat(),
         "service-place": "clinic", "service-delivered_by": str(me.pk)},
    )  # fmt: skip
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Say how many minutes this service took." in text
    assert "This service needs a caregiver who took part." in text
    with clinic_scope(world.a):
        assert not ServiceEntry.objects.exists()


def test_the_child_page_links_to_the_care_page(world, client):  # type: ignore[no-untyped-def]
    login(client, world.staff_a["front_desk"])
    page = client.get(_url(world, "child_detail", child_id=world.child_a.pk)).content.decode()
    assert _url(world, "care_page", child_id=world.child_a.pk) in page


@pytest.mark.parametrize("role", ["front_desk", "billing", "family_partner"])
def test_a_psy_note_is_unreadable_on_every_page(world, client, role):  # type: ignore[no-untyped-def]
    specialist = staff_actor(world, "dyadic_specialist")
    me = world.staff_a[role]
    with clinic_scope(world.a):
        services.note_write(actor=specialist, child=world.child_a, text=SECRET, sensitivity=["PSY"])
        services.task_add(actor=specialist, child=world.child_a, title="Check in", owner_id=me.pk,
                          due_on=timezone.localdate()) if role != "billing" else None  # fmt: skip
    login(client, me)
    pages = ["care_page", "child_detail", "my_work", "caseload", "huddle", "alerts"]
    seen = 0
    for name in pages:
        kw = {"child_id": world.child_a.pk} if name in ("care_page", "child_detail") else {}
        response = client.get(_url(world, name, **kw))
        if response.status_code == 200:
            seen += 1
            assert SECRET not in response.content.decode(), name
    assert seen >= 3
    login(client, world.staff_a["dyadic_specialist"])
    assert SECRET in client.get(_url(world, "care_page", child_id=world.child_a.pk)).content.decode()


def _families(world: ClinicWorld, n: int) -> None:
    specialist = staff_actor(world, "dyadic_specialist")
    me = world.staff_a["dyadic_specialist"].pk
    today = timezone.localdate()
    with clinic_scope(world.a):
        for i in range(n):
            kid = child(world.a, given_name=f"Kid{i}", family_name="Caseload")
            carer = caregiver(world.a, for_child=kid)
            services.tier_set(actor=specialist, child=kid, tier=2, reason="test")
            plan = services.plan_open(actor=specialist, child=kid, language="en", next_review_on=today)
            services.goal_add(actor=specialist, plan=plan, need="", text="Goal", steps="", owner_id=me,
                              review_on=today)  # fmt: skip
            services.task_add(actor=specialist, child=kid, title="Call", owner_id=me, due_on=today)
            services.service_log(
                actor=specialist, child=kid, service_type="brief-consult", delivered_on=today, minutes=10,
                place="clinic", delivered_by_id=me, child_present=True, caregiver_ids=[carer.pk],
            )  # fmt: skip


@pytest.mark.parametrize("name", ["my_work", "caseload"])
def test_my_work_and_the_caseload_read_a_fixed_number_of_queries(world, client, name):  # type: ignore[no-untyped-def]
    login(client, world.staff_a["dyadic_specialist"])
    counts = []
    for n in (3, PAGE_SIZE + 5):
        _families(world, n - ((counts and 3) or 0))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url(world, name))
        assert response.status_code == 200
        text = response.content.decode()
        # The page size bounds the rows, and the page says there is more.
        assert text.count('data-testid="caseload-row"') == min(n, PAGE_SIZE)
        assert ('rel="next"' in text) == (n > PAGE_SIZE)
        if name == "my_work":
            assert text.count('data-testid="task-due"') == min(n, PAGE_SIZE)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_my_work_pages_each_list_and_keeps_the_others_pages(world, client):  # type: ignore[no-untyped-def]
    login(client, world.staff_a["dyadic_specialist"])
    _families(world, PAGE_SIZE + 3)
    first = client.get(_url(world, "my_work")).content.decode()
    second = client.get(_url(world, "my_work") + "?due=2&caseload=2").content.decode()
    assert second.count('data-testid="task-due"') == 3
    assert second.count('data-testid="caseload-row"') == 3
    assert "?due=2&amp;caseload=1" in second  # the caseload's previous page keeps the tasks' page
    names = {line for line in first.split("<li") if 'data-testid="task-due"' in line}
    assert not names & {line for line in second.split("<li") if 'data-testid="task-due"' in line}
    # A page number that is not one shows the first page, not an error.
    assert client.get(_url(world, "my_work") + "?due=x&caseload=-4").status_code == 200


def test_the_caseload_pages_in_name_order(world, client):  # type: ignore[no-untyped-def]
    login(client, world.staff_a["dyadic_specialist"])
    _families(world, PAGE_SIZE + 2)
    second = client.get(_url(world, "caseload") + "?page=2").content.decode()
    assert second.count('data-testid="caseload-row"') == 2
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "Kid9" in second  # "Kid9" sorts after "Kid10".."Kid26", on the last page


@pytest.mark.parametrize("role", ["front_desk", "billing"])
def test_a_service_note_is_read_only_by_the_care_team(world, client, role):  # type: ignore[no-untyped-def]
    specialist = staff_actor(world, "dyadic_specialist")
    me = world.staff_a["dyadic_specialist"].pk
    carer = world.caregiver_a
    with clinic_scope(world.a):
        services.service_log(
            actor=specialist,
            child=world.child_a,
            service_type="brief-consult",
            delivered_on=timezone.localdate(),
            minutes=10,
            place="clinic",
            delivered_by_id=me,
            child_present=True,
            caregiver_ids=[carer.pk],
            note=SECRET,
        )
    login(client, world.staff_a[role])
    page = client.get(_url(world, "care_page", child_id=world.child_a.pk)).content.decode()
    assert SECRET not in page and "A sensitive note (not shown to your role)." in page
    login(client, world.staff_a["dyadic_specialist"])
    assert SECRET in client.get(_url(world, "care_page", child_id=world.child_a.pk)).content.decode()
