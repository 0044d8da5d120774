"""Every page a person reads, walked in Spanish on a seeded demo network: no English left.

Staff pages: every route of the staff interface, as a clinic administrator and as a dyadic
specialist (between them every page and every section a role may see), with the records of the
demo clinic that hold the most (flags, results, alerts). Family pages: a link in Spanish from
its first page to the thank-you, every question of every instrument on the way.

A page fails when its visible text, or a text a screen reader reads (title, aria-label,
placeholder, alt), holds a word that is English and never Spanish. What is English on purpose
is marked in the page itself (``lang="en"`` on the English half of a bilingual page or on the
"English" button, ``translate="no"`` on codes and proper names), and the names of the demo's
people, clinics and network are removed first."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dyadcare.demo.generate import build_demo
from dyadcare.families.models import Caregiver, CareRelationship, Child
from dyadcare.screening.models import Flag
from dyadcare.tenancy.models import Clinic, Network, User
from dyadcare.tenancy.scope import unscoped
from dyadcare.touchpoints.models import Visit
from tests.web.urlmap import Route, all_routes

# Words that are English and not Spanish. Short words that are both ("a", "no", "de", "me",
# "total", "email") are left out, so a hit is English left on a Spanish page.
ENGLISH = frozenset(
    re.findall(
        r"[a-z]+",
        """
    the and with your you this that for from are was were has have been not none yes
    months month weeks week days years old positive negative screen screens screening visit
    visits child children caregiver caregivers alert alerts due overdue open closed close save
    edit back next search results score follow followup needs family families name date birth
    new add print sign out today tomorrow yesterday review send sent answer answers question
    questions minutes minute page pages of to by on at or if all any only more less than
    please help language languages mother father what when who which why how there their
    they them here done complete completed started start ago since until between before after
    show hide clinic staff role password login logout home settings instrument
    instruments category categories housing food safety depression anxiety substance
    development developmental milestones autism emotional schedule scheduled booked
    report summary
    """,
    )
)
# Codes named on purpose: addresses, command-line options, names quoted «like this».
CODES = r"https?://\S+|--[\w-]+|«[^»]*»"
ROUTES = [r for r in all_routes() if r.access and r.access.scope in ("clinic", "network", "staff", "public")]


class VisibleText(HTMLParser):
    """The text a person sees or hears, without what is marked as not Spanish on purpose."""

    SKIPPED = {"script", "style", "code", "pre", "template", "svg", "textarea"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base"}
    SPOKEN = ("title", "aria-label", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # for each open element: is its content skipped?

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = (values.get("lang") or "").split("-")[0]
        skip = (
            self._skipping()
            or tag in self.SKIPPED
            or values.get("translate") == "no"
            or (lang not in ("", "es"))
            or (tag == "input" and values.get("type") == "hidden")
        )
        if not skip:
            self.parts.extend(str(values[a]) for a in self.SPOKEN if values.get(a))
            if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
                self.parts.append(str(values["value"]))
        if tag not in self.VOID:
            self.stack.append(skip)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping() and data.strip():
            self.parts.append(data)


def english_left(html: str, names: set[str]) -> list[str]:
    """Each piece of visible text holding English words, once, with its words first."""
    parser = VisibleText()
    parser.feed(html)
    found: dict[str, str] = {}
    for part in parser.parts:
        text = " ".join(part.split())
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, "·")
        text = re.sub(CODES, "·", text)
        words = [
            w
            for w in re.findall(r"\b[A-Za-z]+(?:-[A-Za-z]+)*\b", text)
            if any(p in ENGLISH for p in w.lower().split("-"))
        ]
        if words and text not in found:
            found[text] = f"{'/'.join(dict.fromkeys(words))}: {text[:110]!r}"
    return sorted(found.values())


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{hit}  [{', '.join(pages[:2])}{' …' if len(pages) > 2 else ''}]"
        for hit, pages in sorted(found.items())
    )


@pytest.fixture
def demo(db: None) -> dict[str, Any]:
    """The demo network; in the clinic with the most alerts, the child of the newest, and a
    screen of theirs opened today on a link in Spanish."""
    build_demo(seed=11, children=24)
    with unscoped("the Spanish walk picks records of the demo clinic and the names it shows"):
        busiest = Flag.objects.values("clinic").annotate(n=Count("pk")).order_by("-n").first()
        assert busiest is not None, "the demo network holds an alert"
        clinic = Clinic.objects.get(pk=busiest["clinic"])
        flags = Flag.objects.filter(clinic=clinic).select_related("visit__child")
        flag = flags.order_by("-raised_at").first()
        booked = Visit.objects.filter(clinic=clinic, status=Visit.Status.SCHEDULED).select_related("child")
        upcoming = booked.filter(scheduled_for__gte=timezone.now()).order_by("scheduled_for").first()
        assert flag is not None and upcoming is not None
        family = CareRelationship.objects.filter(child=upcoming.child).select_related("caregiver").first()
        assert family is not None
        child = flag.visit.child
        link = CareRelationship.objects.filter(clinic=clinic, child=child).select_related("caregiver").first()
        assert link is not None
        specialist = User.objects.get(username=f"specialist.{clinic.slug}")
        names = _proper_names()
        billing = _billing_ids(clinic, fallback=child.pk)
    session, token = _open_a_spanish_link(clinic, specialist, upcoming, family.caregiver)
    referral = _a_referral(clinic, specialist, link)
    return {
        "referral_id": referral.pk,
        "clinic_slug": clinic.slug,
        "network_slug": clinic.network.slug,
        "child_id": child.pk,
        "caregiver_id": link.caregiver_id,
        "link_id": link.pk,
        "visit_id": flag.visit_id,
        "session_id": session.pk,
        "flag_id": flag.pk,
        "instrument_id": "epds",
        "language": "es",
        "admin": User.objects.get(username=f"admin.{clinic.slug}"),
        "specialist": specialist,
        "user_id": specialist.pk,
        **billing,
        "netadmin": User.objects.get(username__startswith="netadmin."),
        "names": names,
        "token": token,
        "born": upcoming.child.date_of_birth,
        "service_id": _directory_service(clinic),
    }


def _directory_service(clinic: Clinic) -> Any:
    """A service of the demo network's community resource directory."""
    from dyadcare.referrals.models import Service

    service = Service.objects.filter(network=clinic.network).order_by("name").first()
    assert service is not None, "the demo network has a directory"
    return service.pk


def _billing_ids(clinic: Clinic, *, fallback: Any) -> dict[str, Any]:
    """A held claim line of the clinic (reasons to show) and a batch; an id that finds nothing
    where the clinic has none."""
    from dyadcare.billing.models import ClaimBatch, ClaimLine

    lines = ClaimLine.objects.filter(clinic=clinic).order_by("pk")
    line = lines.filter(status=ClaimLine.Status.HELD).first() or lines.first()
    batch = ClaimBatch.objects.filter(clinic=clinic).first()
    return {"line_id": line.pk if line else fallback, "batch_id": batch.pk if batch else fallback}


def _open_a_spanish_link(clinic: Clinic, specialist: User, visit: Visit, caregiver: Caregiver) -> Any:
    from dyadcare.screening import selectors, services
    from dyadcare.tenancy.actor import Actor
    from dyadcare.tenancy.entry import acting_in

    actor = Actor.for_staff(specialist, clinic=clinic, roles=("dyadic_specialist",), ip="127.0.0.1")
    with acting_in(actor):
        plan = selectors.visit_screening(actor=actor, visit=visit, language="es").plan
        answerable = [p.id for p in plan if p.family_can_answer]
        assert answerable, "the visit has something the family can answer"
        return services.screening_start(
            actor=actor,
            visit=visit,
            caregiver=caregiver,
            instrument_ids=answerable,
            language="es",
            mode="link",
        )


def _a_referral(clinic: Clinic, specialist: User, link: CareRelationship) -> Any:
    """A referral of the child, with consent, sent by print and accepted by phone (so that its
    page shows a consent, a history and the update form)."""
    from dyadcare.referrals import referral_services as svc
    from dyadcare.tenancy.actor import Actor
    from dyadcare.tenancy.scope import clinic_scope

    actor = Actor.for_staff(specialist, clinic=clinic, roles=("dyadic_specialist",))
    with clinic_scope(clinic):
        made = svc.refer(
            actor=actor,
            child_id=link.child_id,
            caregiver_id=link.caregiver_id,
            need="food",
            service=svc.ServiceDetails(
                name="Despensa Comunitaria", phone="510-555-0100", hours="lun-vie 9:00-17:00"
            ),
            reason="Pidió ayuda con la comida",
            consent=svc.ConsentInput(
                caregiver_id=link.caregiver_id, method="verbal", consented_on=timezone.localdate()
            ),
        )
        svc.send_referral(actor=actor, referral_id=made.pk, channel="print")
        svc.staff_update(
            actor=actor, referral_id=made.pk, status="accepted", note="Tienen cupo", caller="Marta"
        )
    return made


def _proper_names() -> set[str]:
    names: set[str] = set()
    for child in Child.objects.all():
        names |= {child.given_name, child.family_name}
    for caregiver in Caregiver.objects.all():
        names |= {caregiver.given_name, caregiver.family_name}
    for user in User.objects.all():
        names |= {user.first_name, user.last_name, user.username}
    names |= {c.name for c in Clinic.objects.all()} | {n.name for n in Network.objects.all()}
    # Longest first, so "Ana María" goes before "Ana".
    return {n for n in names if n and len(n) > 2}


def _spanish_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.post("/language/", {"language": "es", "next": "/"})
    return client


def _walk(route: Route, client: Client, ids: dict[str, Any], found: dict[str, list[str]]) -> None:
    url = reverse(route.name, kwargs={k: ids[k] for k in route.kwargs})
    response = client.get(url)
    if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
        for hit in english_left(response.content.decode(), ids["names"]):
            found.setdefault(hit, []).append(url)


def test_the_detector_finds_english_and_spares_what_is_marked() -> None:
    page = (
        '<main><h1>Resultados de hoy</h1><p>Screen due</p><button lang="en">English</button>'
        '<code>cdc-milestones-2m</code><span title="Open alerts">3</span>'
        '<span translate="no">PHQ-9</span><input type="submit" value="Guardar"><p>Use 1Password</p></main>'
    )
    hits = english_left(page, set())
    assert [h.split(":")[0] for h in hits] == ["Open/alerts", "Screen/due"]


def test_every_staff_page_is_in_spanish(demo: dict[str, Any]) -> None:
    found: dict[str, list[str]] = {}
    for who in ("admin", "specialist", "netadmin"):
        client = _spanish_client(demo[who])
        for route in ROUTES:
            if route.access and route.access.scope == "network" and who != "netadmin":
                continue
            _walk(route, client, demo, found)
    assert not found, "English on Spanish pages:\n" + _report(found)


def test_a_family_link_is_in_spanish_from_start_to_thank_you(demo: dict[str, Any]) -> None:
    client = Client()
    found: dict[str, list[str]] = {}

    def read(response: Any) -> Any:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            for hit in english_left(response.content.decode(), demo["names"]):
                found.setdefault(hit, []).append(response.request["PATH_INFO"].split("/", 3)[-1])
        return response

    start = f"/f/{demo['token']}/"
    read(client.get(start))
    born = demo["born"]
    page = read(client.post(start, {"day": born.day, "month": born.month, "year": born.year}, follow=True))
    seen = []
    for _ in range(120):  # every page of the link, every question skipped, to the thank-you
        path = page.request["PATH_INFO"]
        seen.append(path)
        if path.endswith("/done/"):
            break
        if path.endswith("/review/"):
            page = read(client.post(f"{start}submit/", follow=True))
        elif re.search(r"/q/[\w-]+/\d+/$", path):
            page = read(client.post(path, {"action": "skip"}, follow=True))
        else:
            onward = re.search(r'href="(/f/[^"]+/(?:q/[\w-]+/\d+|review)/)"', page.content.decode())
            assert onward, f"no way on from {path}"
            page = read(client.get(onward.group(1), follow=True))
    assert seen[-1].endswith("/done/"), seen[-5:]
    assert any("/review/" in p for p in seen) and len(seen) > 10
    assert not found, "English on Spanish family pages:\n" + _report(found)
