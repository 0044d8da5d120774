"""Light on a slow phone: every family page, with the stylesheet and script it loads, stays
under 50 kB after gzip, and loads nothing from the staff bundle."""

from __future__ import annotations

import gzip
import re
from datetime import timedelta
from pathlib import Path

from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from dyadcare.publiclinks import throttle
from dyadcare.publiclinks.models import LinkAttempt
from dyadcare.screening import services
from dyadcare.screening.models import ScreeningSession
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints.models import Visit
from tests.factories import ClinicWorld
from tests.screening.conftest import staff_actor
from tests.screening.test_family_pages import THREE, body, confirm, start

LIMIT = 50 * 1024


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def weight(html: str) -> tuple[int, list[str]]:
    """The page's HTML plus every file it references (stylesheets, scripts), each gzipped."""
    assets = re.findall(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"', html)
    total = gzipped(html.encode())
    for url in assets:
        found = finders.find(url.removeprefix("/static/"))
        assert found, url
        total += gzipped(Path(str(found)).read_bytes())
    return total, assets


def family_pages(world: ClinicWorld, visit: Visit) -> dict[str, str]:
    client = Client()
    _session, token = start(world, visit, THREE)
    pages = {"date of birth": body(client.get(f"/f/{token}/"))}
    confirm(client, token, visit)
    pages["introduction"] = body(client.get(f"/f/{token}/q/phq9/"))
    pages["choice question"] = body(client.get(f"/f/{token}/q/phq9/9/"))
    pages["multi-select question"] = body(client.get(f"/f/{token}/q/ahc-hrsn/2/"))
    pages["question with an error"] = body(client.post(f"/f/{token}/q/phq9/1/", {"action": "next"}))
    for instrument, count in (("phq9", 9), ("ahc-hrsn", 10), ("cdc-milestones-2m", 11)):
        for number in range(1, count + 1):
            answer = "7" if (instrument, number) == ("ahc-hrsn", 2) else "1"
            client.post(f"/f/{token}/q/{instrument}/{number}/", {"answer": answer, "action": "next"})
    pages["review (all 30 answered)"] = body(client.get(f"/f/{token}/review/"))
    client.post(f"/f/{token}/submit/")
    pages["thank-you with crisis lines"] = body(client.get(f"/f/{token}/done/"))
    assert "988" in pages["thank-you with crisis lines"]

    problem, problem_token = start(world, visit, ("cdc-milestones-2m",))
    with unscoped("test"):
        ScreeningSession.objects.filter(pk=problem.pk).update(
            locked_until=timezone.now() + timedelta(minutes=5)
        )
    pages["locked"] = body(client.get(f"/f/{problem_token}/"))
    with unscoped("test"):
        ScreeningSession.objects.filter(pk=problem.pk).update(
            locked_until=None, token_expires_at=timezone.now() - timedelta(minutes=1)
        )
    pages["expired"] = body(client.get(f"/f/{problem_token}/"))
    with unscoped("test"):
        ScreeningSession.objects.filter(pk=problem.pk).update(
            token_expires_at=timezone.now() + timedelta(hours=1)
        )
    confirm(client, problem_token, visit)
    with clinic_scope(world.a):
        services.screening_cancel(actor=staff_actor(world, "front_desk"), session=problem)
    pages["closed by the clinic"] = body(client.get(f"/f/{problem_token}/"))
    pages["unknown link"] = body(client.get("/f/" + "u" * 43 + "/"))
    LinkAttempt.objects.bulk_create(
        [LinkAttempt(ip="127.0.0.1", at=timezone.now()) for _ in range(throttle.FAILURES_PER_ADDRESS)]
    )
    pages["too many tries"] = body(client.get("/f/" + "u" * 43 + "/"))
    return pages


def test_every_family_page_is_light(world: ClinicWorld, two_month_visit: Visit) -> None:
    pages = family_pages(world, two_month_visit)
    assert len(pages) == 12
    report = []
    for name, html in pages.items():
        total, assets = weight(html)
        report.append(f"{name}: {total} bytes")
        assert assets == ["/static/family_pages/family.css", "/static/family_pages/family.js"], name
        assert total < LIMIT, f"{name}: {total} bytes gzipped"
    print("family pages, HTML + CSS + JS gzipped:", "; ".join(report))


def test_the_family_assets_are_small_and_self_contained() -> None:
    for name in ("family_pages/family.css", "family_pages/family.js"):
        found = finders.find(name)
        assert found, name
        text = Path(str(found)).read_text(encoding="utf-8")
        assert gzipped(text.encode()) < 5 * 1024, name
        assert "http://" not in text and "https://" not in text and "@import" not in text, name
