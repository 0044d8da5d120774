"""The family's pages: what a caregiver sees after opening a texted or emailed link, or on the
clinic tablet (kiosk). Each view parses the request, calls the screening domain's family
surface (``dyadcare.screening.family``) and renders; ``link.family_link`` has opened the link
and the clinic scope before the view runs.

Every answer is saved when its screen is sent (POST, save, redirect), so a dropped connection
or a restart loses nothing, and reopening the link resumes where the family stopped. family.js
sends the same forms with fetch and keeps an answer on the phone while it is offline.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.translation import ngettext

from dyadcare.family_pages import screens
from dyadcare.family_pages.link import (
    SeeOther,
    family_link,
    family_page,
    go,
    is_verified,
    problem_page,
    remember,
    render_in,
    start_url,
    step_url,
    wants_json,
)
from dyadcare.screening import family
from dyadcare.screening.family import FamilyLink
from dyadcare.screening.models import ScreeningSession


@family_link(verified=False)
def family_start(request: HttpRequest, link: FamilyLink, token: str) -> HttpResponse:
    """The link itself: the caregiver confirms the child's date of birth, then continues
    where they stopped (or starts)."""
    session = link.session
    if request.method != "POST" and is_verified(request, session, token):
        return HttpResponseRedirect(step_url(token, link.questionnaire.resume()))
    language = session.language
    error, invalid, values, status = "", set[str](), dict[str, str](), 200
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip()[:4] for key in ("day", "month", "year")}
        with translation.override(language):
            born, error, invalid = screens.parse_birth_date(request.POST)
        if born is not None:
            try:
                confirmed = family.confirm_dob(link, born)
            except family.LinkProblem as problem:  # paused or closed by guesses sent meanwhile
                return problem_page(request, token, problem)
            if confirmed:
                response = go(request, step_url(token, link.questionnaire.resume()))
                remember(response, session, token)
                return response
            if session.closed_by_wrong_dates:  # the tenth wrong date over the link's life
                return problem_page(request, token, family.LinkProblem("wrong_dates", session))
            if session.locked_until and session.locked_until > timezone.now():  # the fifth in a row
                return problem_page(request, token, family.LinkProblem("locked", session))
            error, invalid = _wrong_date(language, session)
        status = 422
    with translation.override(language):
        context = {
            **screens.common(link, token, request.path),
            "fields": screens.date_fields(language),
            "minutes": link.questionnaire.minutes,
            "months": [(number, str(name)) for number, name in MONTHS.items()],
            "values": values,
            "error": error,
            "invalid": sorted(invalid),
        }
    return render_in(request, "family_pages/dob.html", context, language=language, status=status)


def _wrong_date(language: str, session: ScreeningSession) -> tuple[str, set[str]]:
    """What is left before the link pauses, or, when that comes first, before it closes."""
    before_pause = family.DOB_ATTEMPTS - session.dob_failures
    before_closing = family.DOB_WRONG_LIMIT - session.dob_wrong_total
    with translation.override(language):
        if before_closing <= before_pause:
            message = ngettext(
                "This date does not match the clinic's record. Check it and try again "
                "(%(left)s more try before this link stops working and the clinic has to "
                "send you a new one).",
                "This date does not match the clinic's record. Check it and try again "
                "(%(left)s more tries before this link stops working and the clinic has to "
                "send you a new one).",
                before_closing,
            ) % {"left": before_closing}
        else:
            message = ngettext(
                "This date does not match the clinic's record. Check it and try again "
                "(%(left)s more try before a 15-minute pause).",
                "This date does not match the clinic's record. Check it and try again "
                "(%(left)s more tries before a 15-minute pause).",
                before_pause,
            ) % {"left": before_pause}
    return message, {"day", "month", "year"}


def _language_asked(request: HttpRequest, token: str) -> tuple[str, str]:
    """The language asked for (or "") and the page to go back to (always under the link)."""
    language = request.POST.get("language", "") if request.method == "POST" else ""
    back = request.POST.get("next", "")
    if not back.startswith(start_url(token)) or "//" in back or "\\" in back:
        back = start_url(token)
    return (language if language in family.LANGUAGES else ""), back


def _language_problem(request: HttpRequest, token: str, problem: family.LinkProblem) -> HttpResponse:
    language, back = _language_asked(request, token)
    if problem.session is None or not language:
        return problem_page(request, token, problem)
    # A link that no longer opens the questions: its page is shown in that language.
    return SeeOther(f"{back.split('?')[0]}?lang={language}")


@family_link(verified=False, on_problem=_language_problem)
def family_language(request: HttpRequest, link: FamilyLink, token: str) -> HttpResponse:
    """Switch the language of the family's pages (a post from any page)."""
    language, back = _language_asked(request, token)
    if not language:
        return HttpResponseRedirect(back)
    try:
        family.set_language(link, language)
    except family.LinkProblem as problem:  # closed or sent in the meantime
        return problem_page(request, token, problem)
    except ValidationError:  # not offered on the page: a questionnaire lacks that language
        pass
    return SeeOther(back)


@family_link()
def family_intro(request: HttpRequest, link: FamilyLink, token: str, instrument_id: str) -> HttpResponse:
    """An instrument introduced in plain words: whom it is about, its own instructions."""
    questionnaire = link.questionnaire
    instrument = link.instrument(instrument_id)
    step = questionnaire.intro(instrument_id)
    if instrument is None or step is None:
        return HttpResponseRedirect(step_url(token, questionnaire.resume()))
    language = link.session.language
    previous, following = questionnaire.neighbours(step)
    with translation.override(language):
        around = screens.contexts(instrument, language)
        first = around.get(instrument.items[0].link_id, screens.Context()) if instrument.items else None
        context = {
            **screens.common(link, token, request.path),
            "step": step,
            "instrument": instrument,
            "title": instrument.title_in(language),
            "about": screens.about(link, instrument),
            "stem": first.stem if first else "",
            "count": len(instrument.items),
            "first_part": step.part == 1,
            "minutes": questionnaire.minutes,
            "copyright": link.copyright(instrument, language),
            "back_url": step_url(token, previous) if previous else "",
            "start_url": step_url(token, following) if following else "",
        }
    return render_in(request, "family_pages/intro.html", context, language=language)


@family_link(late=True)
def family_question(
    request: HttpRequest, link: FamilyLink, token: str, instrument_id: str, number: int
) -> HttpResponse:
    """One question per screen: Next saves the answer, Back saves it too (when one is chosen),
    Skip leaves the question unanswered."""
    step = link.questionnaire.question(instrument_id, number)
    if step is None or link.instrument(instrument_id) is None:
        return go(request, step_url(token, link.questionnaire.resume()))
    to_review = request.POST.get("return", request.GET.get("return", "")) == "review"
    error, status = "", 200
    if request.method == "POST":
        try:
            with translation.override(link.session.language):
                following = family.answer(
                    link,
                    instrument_id=instrument_id,
                    number=number,
                    values=request.POST.getlist("answer"),
                    action=request.POST.get("action", "next"),
                    to_review=to_review,
                )
            return go(request, step_url(token, following))
        except family.LinkProblem as problem:
            return problem_page(request, token, problem, late=True)
        except family.AnswerRefused as refused:
            if wants_json(request):
                return JsonResponse({"error": refused.message}, status=422)
            error, status = refused.message, 422
    context = _question_context(link, token, request.path, step, error=error, to_review=to_review)
    return render_in(
        request, "family_pages/question.html", context, language=link.session.language, status=status
    )


def _question_context(
    link: FamilyLink, token: str, path: str, step: family.Step, *, error: str, to_review: bool
) -> dict[str, object]:
    language = link.session.language
    instrument = link.instrument(step.instrument_id)
    assert instrument is not None
    item = instrument.items[step.number - 1]
    chosen = link.questionnaire.answer(step.instrument_id, step.number)
    with translation.override(language):
        around = screens.contexts(instrument, language).get(item.link_id, screens.Context())
        label = item.label(language)
        hint = screens.multi_hint(item, label)
        return {
            **screens.common(link, token, path),
            "step": step,
            "instrument": instrument,
            "item": item,
            "label": label,
            "hint": hint,
            "described": " ".join(n for n, on in (("answer-hint", hint), ("answer-error", error)) if on),
            "options": screens.options(item, chosen, language),
            "numeric_value": chosen if item.kind == "numeric" and chosen is not None else "",
            "section": around.section,
            "stem": around.stem,
            "about": screens.about(link, instrument),
            "error": error,
            "to_review": to_review,
            "has_back": link.questionnaire.neighbours(step)[0] is not None,
            "copyright": link.copyright(instrument, language),
            "title": instrument.title_in(language),
        }


@family_link()
def family_review(request: HttpRequest, link: FamilyLink, token: str) -> HttpResponse:
    """Every answer before sending, with the questions still unanswered and links to each."""
    language = link.session.language
    questionnaire = link.questionnaire
    parts, missing = [], 0
    with translation.override(language):
        for ident in questionnaire.instrument_ids:
            instrument = link.instrument(ident)
            if instrument is None:
                continue
            rows = []
            for item in instrument.items:
                value = questionnaire.answer(ident, item.number)
                missing += value is None
                url = step_url(token, family.Step("question", ident, item.number)) + "?return=review"
                text = screens.answer_text(item, value, language)
                rows.append(
                    {"number": item.number, "label": item.label(language), "answer": text, "url": url}
                )
            parts.append(
                {
                    "title": instrument.title_in(language),
                    "about": screens.about(link, instrument),
                    "rows": rows,
                    "unanswered": [r for r in rows if not r["answer"]],
                }
            )
        family.record_review(link)
        steps = questionnaire.steps
        context = {
            **screens.common(link, token, request.path),
            "review_parts": parts,
            "missing": missing,
            "back_url": step_url(token, steps[-2]) if len(steps) > 1 else "",
        }
    return render_in(request, "family_pages/review.html", context, language=language)


@family_link()
def family_submit(request: HttpRequest, link: FamilyLink, token: str) -> HttpResponse:
    """Send the answers: they are scored at once and the thank-you page follows. A second
    send (another tab, a double tap) lands on the same thank-you page."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("family:review", kwargs={"token": token}))
    try:
        family.submit(link)
    except family.LinkProblem as problem:
        return problem_page(request, token, problem)
    return go(request, reverse("family:done", kwargs={"token": token}))


@family_link(verified=False)
def family_done(request: HttpRequest, link: FamilyLink, token: str) -> HttpResponse:
    """The thank-you page (a sent session's link always shows it; an open one goes back)."""
    return HttpResponseRedirect(start_url(token))


@family_page
def family_elsewhere(request: HttpRequest, token: str, rest: str) -> HttpResponse:
    """Any other address under the link (a message app may add a character): the link's start."""
    return HttpResponseRedirect(start_url(token))
