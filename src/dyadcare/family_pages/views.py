"""The family's pages: what a caregiver sees after opening a texted or emailed link, or on the
clinic tablet (kiosk). Families have no account: the link's token finds the session, and the
child's date of birth, confirmed once, sets a signed cookie (HttpOnly, SameSite=Strict, sent
only to this link's pages) that lets the questions show.

Every answer is saved when its screen is sent (POST, save, redirect), so a dropped connection
or a restart loses nothing, and reopening the link resumes where the family stopped. family.js
sends the same forms with fetch and keeps an answer on the phone while it is offline.

The token is in the address, so every page is sent with ``Cache-Control: no-store`` and
``Referrer-Policy: no-referrer``. With no referrer a browser sends ``Origin: null`` on a form
post, which Django's CSRF check refuses; these pages do without it: a post must name the
link's unguessable token, questions need the SameSite=Strict cookie, and a post the browser
marks as coming from another site is refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dyadcare.instruments.engine import AnswerItem, InputError, Instrument, form_model
from dyadcare.instruments.models import ClinicItemText
from dyadcare.publiclinks.http import LinkCookie, client_ip, link_page
from dyadcare.screening import services
from dyadcare.screening.internal.plan import load
from dyadcare.screening.models import ScreeningSession
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.entry import Access, mark
from dyadcare.tenancy.scope import clinic_scope

COOKIE = LinkCookie(name="dyadcare_family", purpose="family")
# How long a confirmed date of birth lets the questions show without asking again.
VERIFIED_HOURS: dict[str, int] = {ScreeningSession.Mode.LINK: 24, ScreeningSession.Mode.KIOSK: 2}
FETCH_HEADER = "X-Family-Fetch"
SECONDS_PER_QUESTION = 15
LANGUAGES = services.FAMILY_LANGUAGES


# Where the family is in the questionnaire -----------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One screen: an instrument's introduction, one question, or the review."""

    kind: str  # "intro", "question", "review"
    instrument_id: str = ""
    number: int = 0  # the question's number in its instrument (1-based)
    part: int = 0  # the instrument's place in the session (1-based)
    position: int = 0  # the question's place among all questions (1-based)


def _steps(session: ScreeningSession) -> list[Step]:
    steps: list[Step] = []
    position = 0
    for part, entry in enumerate(session.instruments, start=1):
        ident = entry["id"]
        steps.append(Step("intro", ident, 0, part, position + 1))
        for number in range(1, len(session.answers.get(ident, [])) + 1):
            position += 1
            steps.append(Step("question", ident, number, part, position))
    steps.append(Step("review"))
    return steps


def _answer(session: ScreeningSession, instrument_id: str, number: int) -> Any:
    answers = session.answers.get(instrument_id, [])
    return answers[number - 1] if 1 <= number <= len(answers) else None


def _resume(session: ScreeningSession) -> Step:
    """Where a reopened link continues: the first unanswered question after the last answer
    given (skipped questions wait on the review page), at its instrument's introduction when
    that instrument is untouched; the review when nothing is left."""
    steps = _steps(session)
    answered = [
        i
        for i, s in enumerate(steps)
        if s.kind == "question" and _answer(session, s.instrument_id, s.number) is not None
    ]
    start = answered[-1] + 1 if answered else 0
    for index in range(start, len(steps)):
        step = steps[index]
        if step.kind == "intro":
            return step
        if step.kind == "question" and _answer(session, step.instrument_id, step.number) is None:
            untouched = not any(a is not None for a in session.answers.get(step.instrument_id, []))
            return steps[index - 1] if step.number == 1 and untouched else step
    return steps[-1]


def _step_url(token: str, step: Step) -> str:
    if step.kind == "intro":
        return reverse("family:intro", kwargs={"token": token, "instrument_id": step.instrument_id})
    if step.kind == "question":
        return reverse(
            "family:question",
            kwargs={"token": token, "instrument_id": step.instrument_id, "number": step.number},
        )
    return reverse("family:review", kwargs={"token": token})


def _neighbours(session: ScreeningSession, current: Step) -> tuple[Step | None, Step | None]:
    steps = _steps(session)
    index = steps.index(current)
    return (steps[index - 1] if index > 0 else None), (steps[index + 1] if index + 1 < len(steps) else None)


def _question_count(session: ScreeningSession) -> int:
    return sum(len(session.answers.get(entry["id"], [])) for entry in session.instruments)


def _minutes(session: ScreeningSession) -> int:
    return max(2, math.ceil(_question_count(session) * SECONDS_PER_QUESTION / 60))


# Requests, cookies and headers ----------------------------------------------------------------


_ip = client_ip


def _quiet_path(request: HttpRequest, token: str) -> str:
    """The page for the audit log, without the token (a key to the session)."""
    return request.path.replace(token, "…")


def _actor(request: HttpRequest, session: ScreeningSession, token: str) -> Actor:
    return services.family_actor(
        session,
        ip=_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        path=_quiet_path(request, token),
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get(FETCH_HEADER) == "1"


def _verified_id(request: HttpRequest, token: str, hours: int) -> str | None:
    """The session this browser confirmed with this link, from the signed cookie."""
    return COOKIE.read(request, token, max_age=timedelta(hours=hours))


def _verified(request: HttpRequest, session: ScreeningSession, token: str) -> bool:
    hours = VERIFIED_HOURS.get(session.mode, 2)
    return _verified_id(request, token, hours) == str(session.pk)


def _remember(response: HttpResponse, session: ScreeningSession, token: str) -> None:
    max_age: int | None = None
    if session.mode != ScreeningSession.Mode.KIOSK:  # on a shared tablet: gone with the browser
        left = (session.token_expires_at - timezone.now()).total_seconds() if session.token_expires_at else 0
        max_age = max(60, min(int(left), VERIFIED_HOURS[ScreeningSession.Mode.LINK] * 3600))
    COOKIE.set(
        response,
        token,
        str(session.pk),
        path=reverse("family:start", kwargs={"token": token}),
        max_age=max_age,
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _forget(response: HttpResponse, token: str) -> None:
    COOKIE.forget(response, path=reverse("family:start", kwargs={"token": token}))


def _refused(request: HttpRequest) -> HttpResponse:
    return _render(request, "family_pages/unknown.html", {"refused": True}, language="en", status=403)


def family_page(view: Any) -> Any:
    """A family page: the link machinery's headers and refusal of posts from other sites."""
    return mark(link_page(_refused)(view), Access(scope="link"))


def _render(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    language: str,
    status: int = 200,
) -> HttpResponse:
    with translation.override(language):
        response = render(request, template, {**context, "family_language": language}, status=status)
    response["Content-Language"] = language
    return response


def _go(request: HttpRequest, url: str, *, status: int = 200) -> HttpResponse:
    """After a post: a 303 to the next page, or for family.js the address to go to."""
    if _wants_json(request):
        return JsonResponse({"next": url}, status=status)
    return HttpResponseRedirect(url, status=303)


class _SeeOther(HttpResponseRedirect):
    status_code = 303


# Link problems ------------------------------------------------------------------------------


def _display_language(request: HttpRequest, session: ScreeningSession) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in LANGUAGES else session.language


def _problem(
    request: HttpRequest, token: str, problem: services.LinkProblem, *, late: bool = False
) -> HttpResponse:
    """The page for a link that cannot be used, with its status code. After a post, the
    family is sent to the link's page that explains; ``late``: the post was an answer that
    could not be saved (it arrived after the session was sent or closed)."""
    session = problem.session
    if session is None:  # unknown or throttled: we do not know the family's language
        throttled = problem.kind == "throttled"
        status = 429 if throttled else 404
        if _wants_json(request):
            return JsonResponse({"next": request.path}, status=status)
        response = _render(
            request, "family_pages/unknown.html", {"throttled": throttled}, language="en", status=status
        )
        if throttled:
            response["Retry-After"] = str(services.LINK_FAILURE_WINDOW_MINUTES * 60)
        return response
    if request.method == "POST":
        flag = "?late=1" if late else ""
        if problem.kind == "submitted":
            return _go(request, reverse("family:done", kwargs={"token": token}) + flag)
        return _go(request, reverse("family:start", kwargs={"token": token}) + flag, status=409)
    language = _display_language(request, session)
    late = request.GET.get("late") == "1"
    if problem.kind == "submitted":
        return _thanks(request, token, session, language=language, late=late)
    context: dict[str, Any] = {
        "kind": problem.kind,
        "late": late,
        "clinic": session.clinic,
        "token": token,
        "language_next": request.path,
        "switch_to": "en" if language == "es" else "es",
    }
    status = 410
    retry_after = None
    if problem.kind == "locked" and session.locked_until:
        status = 429
        context["until"] = timezone.localtime(session.locked_until)
        retry_after = max(1, math.ceil((session.locked_until - timezone.now()).total_seconds()))
        context["minutes"] = max(1, math.ceil(retry_after / 60))
    response = _render(request, "family_pages/problem.html", context, language=language, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _thanks(
    request: HttpRequest, token: str, session: ScreeningSession, *, language: str, late: bool = False
) -> HttpResponse:
    kiosk = session.mode == ScreeningSession.Mode.KIOSK
    verified = _verified(request, session, token)
    # On the clinic tablet the page says nothing about the family and the same help is shown
    # to everyone; on the family's own phone crisis lines follow a safety answer.
    show_crisis = kiosk or (verified and services.family_crisis_resources_due(session))
    context = {
        "clinic": session.clinic,
        "kiosk": kiosk,
        "verified": verified,
        "late": late,
        "crisis": services.crisis_resources(language) if show_crisis else [],
        "token": token,
        "language_next": reverse("family:done", kwargs={"token": token}),
        "switch_to": "en" if language == "es" else "es",
    }
    response = _render(request, "family_pages/done.html", context, language=language)
    if kiosk:
        _forget(response, token)
    return response


def _open(request: HttpRequest, token: str, *, late: bool = False) -> ScreeningSession | HttpResponse:
    try:
        return services.family_session(token, ip=_ip(request))
    except services.LinkProblem as problem:
        if problem.kind == "unknown":
            # Closing a session forgets its link; a browser that confirmed the date of birth
            # with this link still learns that the clinic closed it (and that answers are kept).
            known = _verified_id(request, token, max(VERIFIED_HOURS.values()))
            closed = services.family_closed_session(known) if known else None
            if closed is not None:
                problem = services.LinkProblem("cancelled", closed)
        return _problem(request, token, problem, late=late)


def _open_verified(
    request: HttpRequest, token: str, *, late: bool = False
) -> ScreeningSession | HttpResponse:
    """The session, for a browser that confirmed the date of birth; else the date check."""
    session = _open(request, token, late=late)
    if isinstance(session, HttpResponse):
        return session
    if not _verified(request, session, token):
        return _go(request, reverse("family:start", kwargs={"token": token}), status=401)
    return session


# Instrument text -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What surrounds a question: its section heading and the instrument's stem."""

    section: str = ""
    stem: str = ""


def _contexts(instrument: Instrument, language: str) -> dict[str, Context]:
    found: dict[str, Context] = {}

    def walk(items: Any, section: str, stem: str) -> None:
        for item in items:
            if item.hidden:
                continue
            if item.type == "display":
                stem = item.text
            elif item.type == "group":
                walk(item.children, item.text or section, stem)
            else:
                found[item.link_id] = Context(section=section, stem=stem)
                walk(item.children, section, stem)

    try:
        walk(form_model(instrument.questionnaire, language).items, "", "")
    except InputError:
        return {}
    return found


def _copyright(session: ScreeningSession, instrument: Instrument, language: str) -> str:
    """The notice the family sees: the clinic's own for a licensed text it loaded."""
    if instrument.licence == "clinic-supplied":
        rows = {
            row.language: row.copyright_notice
            for row in ClinicItemText.objects.filter(clinic=session.clinic, instrument_id=instrument.id)
        }
        notice = rows.get(language) or rows.get("en")
        if notice:
            return notice
    return instrument.copyright


def _instrument(session: ScreeningSession, instrument_id: str) -> Instrument | None:
    if instrument_id not in session.instrument_ids:
        return None
    with clinic_scope(session.clinic):
        return load(instrument_id, clinic=session.clinic, visit=session.visit)


def _about(session: ScreeningSession, instrument: Instrument) -> str:
    if instrument.respondent == "caregiver-self":
        return _("These questions are about you.")
    return _("These questions are about %(name)s.") % {"name": session.child.given_name}


def _common(session: ScreeningSession, token: str, request: HttpRequest) -> dict[str, Any]:
    other = "en" if session.language == "es" else "es"
    return {
        "switch_to": other if other in services.family_languages(session) else "",
        "session": session,
        "clinic": session.clinic,
        "token": token,
        "kiosk": session.mode == ScreeningSession.Mode.KIOSK,
        "language_next": request.path,
        "parts": len(session.instruments),
        "total": _question_count(session),
    }


# The pages ------------------------------------------------------------------------------------


def _date_fields(language: str) -> list[str]:
    return ["day", "month", "year"] if language == "es" else ["month", "day", "year"]


def _parse_date(data: Mapping[str, str]) -> tuple[date | None, str, set[str]]:
    """The date of birth typed in three fields, or why it cannot be read and which fields."""
    raw = {key: (data.get(key) or "").strip() for key in ("day", "month", "year")}
    missing = {key for key, value in raw.items() if not value}
    if missing:
        return None, _("Enter the day, month and year your child was born."), missing
    wrong = {key for key, value in raw.items() if not value.isdigit()}
    if wrong:
        return None, _("Use numbers for the day and the year, for example 15 and 2025."), wrong
    try:
        year = int(raw["year"])
        if year < 1900:
            raise ValueError
        born = date(year, int(raw["month"]), int(raw["day"]))
    except ValueError:
        return None, _("This date does not exist. Check the day, month and year."), {"day", "month", "year"}
    if born > timezone.localdate():
        return None, _("The date of birth cannot be in the future."), {"day", "month", "year"}
    return born, "", set()


@family_page
def family_start(request: HttpRequest, token: str) -> HttpResponse:
    """The link itself: the caregiver confirms the child's date of birth, then continues
    where they stopped (or starts)."""
    session = _open(request, token)
    if isinstance(session, HttpResponse):
        return session
    if request.method != "POST" and _verified(request, session, token):
        return HttpResponseRedirect(_step_url(token, _resume(session)))
    language = session.language
    error = ""
    invalid: set[str] = set()
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip()[:4] for key in ("day", "month", "year")}
        with translation.override(language):
            born, error, invalid = _parse_date(request.POST)
        if born is not None:
            if services.family_verify_dob(session, born, actor=_actor(request, session, token)):
                response = _go(request, _step_url(token, _resume(session)))
                _remember(response, session, token)
                return response
            again = _open(request, token)  # the fifth wrong date locks the link for a while
            if isinstance(again, HttpResponse):
                return again
            left = services.DOB_ATTEMPTS - again.dob_failures
            with translation.override(language):
                error = ngettext(
                    "This date does not match the clinic's record. Check it and try again "
                    "(%(left)s more try before a 15-minute pause).",
                    "This date does not match the clinic's record. Check it and try again "
                    "(%(left)s more tries before a 15-minute pause).",
                    left,
                ) % {"left": left}
            invalid = {"day", "month", "year"}
        status = 422
    with translation.override(language):
        context = {
            **_common(session, token, request),
            "fields": _date_fields(language),
            "minutes": _minutes(session),
            "months": [(number, str(name)) for number, name in MONTHS.items()],
            "values": values,
            "error": error,
            "invalid": sorted(invalid),
        }
    return _render(request, "family_pages/dob.html", context, language=language, status=status)


@family_page
def family_language(request: HttpRequest, token: str) -> HttpResponse:
    """Switch the language of the family's pages (a post from any page)."""
    language = request.POST.get("language", "")
    back = request.POST.get("next", "")
    prefix = reverse("family:start", kwargs={"token": token})
    if not back.startswith(prefix) or "//" in back or "\\" in back:
        back = prefix
    if request.method != "POST" or language not in LANGUAGES:
        return HttpResponseRedirect(back)
    try:
        session = services.family_session(token, ip=_ip(request))
    except services.LinkProblem as problem:
        if problem.session is None:
            return _problem(request, token, problem)
        # A link that no longer opens the questions: its page is shown in that language.
        return _SeeOther(f"{back.split('?')[0]}?lang={language}")
    try:
        services.family_set_language(session, language, actor=_actor(request, session, token))
    except services.LinkProblem as problem:  # closed or sent in the meantime
        return _problem(request, token, problem)
    except ValidationError:  # not offered on the page: a questionnaire lacks that language
        pass
    return _SeeOther(back)


@family_page
def family_intro(request: HttpRequest, token: str, instrument_id: str) -> HttpResponse:
    """An instrument introduced in plain words: whom it is about, its own instructions."""
    session = _open_verified(request, token)
    if isinstance(session, HttpResponse):
        return session
    instrument = _instrument(session, instrument_id)
    if instrument is None:
        return HttpResponseRedirect(_step_url(token, _resume(session)))
    language = session.language
    with translation.override(language):
        step = next(s for s in _steps(session) if s.kind == "intro" and s.instrument_id == instrument_id)
        previous, following = _neighbours(session, step)
        contexts = _contexts(instrument, language)
        first = contexts.get(instrument.items[0].link_id, Context()) if instrument.items else Context()
        context = {
            **_common(session, token, request),
            "step": step,
            "instrument": instrument,
            "title": instrument.title_in(language),
            "about": _about(session, instrument),
            "stem": first.stem,
            "count": len(instrument.items),
            "first_part": step.part == 1,
            "minutes": _minutes(session),
            "copyright": _copyright(session, instrument, language),
            "back_url": _step_url(token, previous) if previous else "",
            "start_url": _step_url(token, following) if following else "",
        }
    return _render(request, "family_pages/intro.html", context, language=language)


def _read_answer(item: AnswerItem, request: HttpRequest) -> tuple[Any, str]:
    """The answer sent for ``item`` (None when none was chosen), or why it cannot be used."""
    if item.kind == "multi":
        raw = request.POST.getlist("answer")
        try:
            chosen = sorted({int(v) for v in raw})
        except ValueError:
            return None, _("Choose one of the answers shown.")
        if any(not 0 <= p < len(item.options) for p in chosen):
            return None, _("Choose one of the answers shown.")
        exclusive = [p for p in chosen if item.options[p].exclusive]
        if exclusive and len(chosen) > 1:
            label = item.options[exclusive[0]].label(translation.get_language() or "en")
            return None, _("“%(none)s” cannot be chosen with other answers.") % {"none": label}
        return (chosen or None), ""
    raw_one = request.POST.get("answer", "").strip()
    if not raw_one:
        return None, ""
    if item.kind == "numeric":
        try:
            number = float(raw_one.replace(",", "."))
        except ValueError:
            return None, _("Enter a number.")
        if not math.isfinite(number):
            return None, _("Enter a number.")
        return (int(number) if number.is_integer() else number), ""
    try:
        position = int(raw_one)
    except ValueError:
        return None, _("Choose one of the answers shown.")
    if not 0 <= position < len(item.options):
        return None, _("Choose one of the answers shown.")
    return position, ""


@family_page
def family_question(request: HttpRequest, token: str, instrument_id: str, number: int) -> HttpResponse:
    """One question per screen: Next saves the answer, Back saves it too (when one is chosen),
    Skip leaves the question unanswered."""
    session = _open_verified(request, token, late=True)
    if isinstance(session, HttpResponse):
        return session
    instrument = _instrument(session, instrument_id)
    if instrument is None or not 1 <= number <= len(session.answers.get(instrument_id, [])):
        return _go(request, _step_url(token, _resume(session)))
    language = session.language
    item = instrument.items[number - 1]
    step = next(
        s
        for s in _steps(session)
        if s.kind == "question" and s.instrument_id == instrument_id and s.number == number
    )
    previous, following = _neighbours(session, step)
    review_url = reverse("family:review", kwargs={"token": token})
    to_review = request.POST.get("return", request.GET.get("return", "")) == "review"
    saved = _answer(session, instrument_id, number)
    error = ""
    chosen = saved
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "next")
        with translation.override(language):
            value, error = _read_answer(item, request)
            if action == "skip":
                value, error = None, ""
            elif not error and value is None and action != "back":
                error = (
                    _("Choose at least one answer, or skip this question.")
                    if item.kind == "multi"
                    else _("Choose an answer, or skip this question.")
                )
        if not error:
            keep = action == "back" and value is None  # going back without choosing changes nothing
            if not keep and value != saved:
                try:
                    services.family_answer(
                        session, instrument_id, number, value, actor=_actor(request, session, token)
                    )
                except services.LinkProblem as problem:
                    return _problem(request, token, problem, late=True)
                except ValidationError:
                    with translation.override(language):
                        error = _("Choose one of the answers shown.")
            if not error:
                if action == "back":
                    target = _step_url(token, previous) if previous else _step_url(token, step)
                elif to_review:
                    target = review_url
                else:
                    target = _step_url(token, following) if following else review_url
                return _go(request, target)
        if _wants_json(request):
            return JsonResponse({"error": error}, status=422)
        chosen = value if value is not None else saved
        status = 422
    with translation.override(language):
        contexts = _contexts(instrument, language)
        around = contexts.get(item.link_id, Context())
        selected = set(chosen) if isinstance(chosen, list) else ({chosen} if chosen is not None else set())
        label = item.label(language)
        hint = _("Choose all that apply.") if item.kind == "multi" else ""
        if hint and hint.rstrip(".").lower() in label.lower():
            hint = ""  # the question says it already
        context = {
            **_common(session, token, request),
            "step": step,
            "instrument": instrument,
            "item": item,
            "label": label,
            "hint": hint,
            "described": " ".join(n for n, on in (("answer-hint", hint), ("answer-error", error)) if on),
            "options": [
                {
                    "position": o.position,
                    "label": o.label(language),
                    "exclusive": o.exclusive,
                    "checked": o.position in selected,
                }
                for o in item.options
            ],
            "numeric_value": chosen if item.kind == "numeric" and chosen is not None else "",
            "section": around.section,
            "stem": around.stem,
            "about": _about(session, instrument),
            "error": error,
            "to_review": to_review,
            "has_back": previous is not None,
            "copyright": _copyright(session, instrument, language),
            "title": instrument.title_in(language),
        }
    return _render(request, "family_pages/question.html", context, language=language, status=status)


def _answer_text(item: AnswerItem, value: Any, language: str) -> str:
    if value is None:
        return ""
    if item.kind == "multi" and isinstance(value, list):
        return ", ".join(item.options[p].label(language) for p in value if 0 <= p < len(item.options))
    if item.kind == "choice" and isinstance(value, int) and 0 <= value < len(item.options):
        return item.options[value].label(language)
    return str(value)


@family_page
def family_review(request: HttpRequest, token: str) -> HttpResponse:
    """Every answer before sending, with the questions still unanswered and links to each."""
    session = _open_verified(request, token)
    if isinstance(session, HttpResponse):
        return session
    language = session.language
    parts = []
    missing = 0
    with translation.override(language):
        for entry in session.instruments:
            instrument = _instrument(session, entry["id"])
            if instrument is None:
                continue
            rows = []
            for item in instrument.items:
                value = _answer(session, instrument.id, item.number)
                missing += value is None
                rows.append(
                    {
                        "number": item.number,
                        "label": item.label(language),
                        "answer": _answer_text(item, value, language),
                        "url": _step_url(token, Step("question", instrument.id, item.number))
                        + "?return=review",
                    }
                )
            parts.append(
                {
                    "title": instrument.title_in(language),
                    "about": _about(session, instrument),
                    "rows": rows,
                    "unanswered": [r for r in rows if not r["answer"]],
                }
            )
        steps = _steps(session)
        services.family_read(session, actor=_actor(request, session, token), what="review page")
        context = {
            **_common(session, token, request),
            "review_parts": parts,
            "missing": missing,
            "back_url": _step_url(token, steps[-2]) if len(steps) > 1 else "",
        }
    return _render(request, "family_pages/review.html", context, language=language)


@family_page
def family_submit(request: HttpRequest, token: str) -> HttpResponse:
    """Send the answers: they are scored at once and the thank-you page follows. A second
    send (another tab, a double tap) lands on the same thank-you page."""
    done = reverse("family:done", kwargs={"token": token})
    if request.method != "POST":
        return HttpResponseRedirect(reverse("family:review", kwargs={"token": token}))
    session = _open(request, token)
    if isinstance(session, HttpResponse):
        return session
    if not _verified(request, session, token):
        return _go(request, reverse("family:start", kwargs={"token": token}), status=401)
    try:
        services.family_submit(session, actor=_actor(request, session, token))
    except services.LinkProblem as problem:
        return _problem(request, token, problem)
    return _go(request, done)


@family_page
def family_done(request: HttpRequest, token: str) -> HttpResponse:
    """The thank-you page (a sent session's link always shows it)."""
    session = _open(request, token)
    if isinstance(session, HttpResponse):
        return session  # sent: the thank-you page; otherwise the link's problem
    return HttpResponseRedirect(reverse("family:start", kwargs={"token": token}))


@family_page
def family_elsewhere(request: HttpRequest, token: str, rest: str) -> HttpResponse:
    """Any other address under the link (a message app may add a character): the link's start."""
    return HttpResponseRedirect(reverse("family:start", kwargs={"token": token}))
