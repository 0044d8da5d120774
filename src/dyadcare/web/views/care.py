"""The dyad's care page (tier, care plan and goals, tasks, notes, service log) and its forms,
a person's work, and a specialist's caseload. Each form posts to its own address, calls one
care service, and on a problem shows the care page again with the errors at their fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dyadcare.care import selectors, services, worklist
from dyadcare.care.permissions import CarePerm
from dyadcare.families.models import Child
from dyadcare.referrals import referral_selectors
from dyadcare.referrals.permissions import ReferralPerm
from dyadcare.web import care_forms as cf
from dyadcare.web.access import StaffRequest, clinic_view


def _lang() -> str:
    return (get_language() or "en")[:2]


def _staff(req: StaffRequest) -> list[tuple[str, str]]:
    return worklist.specialists(actor=req.actor)


def _forms(req: StaffRequest, page: selectors.CarePage) -> dict[str, forms.Form]:
    staff = _staff(req)
    caregivers = [(str(r.caregiver_id), str(r.caregiver)) for r in page.relationships]
    me = str(req.user.pk)
    language = page.child.preferred_language if page.child.preferred_language in ("en", "es") else "en"
    return {
        "tier_form": cf.TierForm(
            prefix="tier", levels=[(n, page.tiers.label(n, _lang())) for n in page.tiers.levels]
        ),
        "plan_form": cf.PlanForm(prefix="plan", initial={"language": language}),
        "goal_form": cf.GoalForm(prefix="goal", staff=staff, initial={"owner": me}),
        "task_form": cf.TaskForm(
            prefix="task",
            staff=staff,
            goals=page.goals,
            flags=page.flags,
            visits=page.visits,
            initial={"owner": me},
        ),
        "note_form": cf.NoteForm(prefix="note", caregivers=caregivers),
        "service_form": cf.ServiceForm(
            prefix="service",
            staff=staff,
            caregivers=caregivers,
            initial={"delivered_by": me, "child_present": True},
        ),
    }


def _page(req: StaffRequest, child_id: Any, bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    page = selectors.care_page(actor=req.actor, child_id=child_id, language=_lang())
    context: dict[str, Any] = {
        "page": page,
        "child": page.child,
        "hidden_note": selectors.HIDDEN_NOTE,
        **_referrals(req, page),
        **_forms(req, page),
        **(bound or {}),
    }
    context["service_rows"] = [
        (
            e,
            selectors.service_label(e.service_type, _lang()),
            [page.caregiver_names.get(c, "?") for c in e.caregiver_ids],
        )
        for e in page.services
    ]
    return render(req, "web/care/page.html", context, status=400 if bound else 200)


def _referrals(req: StaffRequest, page: selectors.CarePage) -> dict[str, Any]:
    """The child's referrals (the loop, open or closed) and those made from each goal (every
    goal a key, for the template's ``get``)."""
    if not req.actor.can(ReferralPerm.VIEW):
        return {"referrals": [], "goal_referrals": {g.pk: [] for g in page.goals}}
    by_goal = referral_selectors.goal_referrals(actor=req.actor, child_id=page.child.pk)
    return {
        "referrals": referral_selectors.child_referrals(actor=req.actor, child_id=page.child.pk),
        "goal_referrals": {g.pk: by_goal.get(g.pk, []) for g in page.goals},
    }


def _apply(form: forms.Form, save: Callable[[], Any]) -> bool:
    """Run the service; its rules' messages land at the form's fields (else at the top)."""
    try:
        save()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return False
    return True


def _done(req: StaffRequest, child: Child, message: str) -> HttpResponse:
    messages.success(req, message)
    return redirect("web:care_page", clinic_slug=req.clinic.slug, child_id=child.pk)


def _post(
    request: HttpRequest,
    child_id: str,
    name: str,
    make: Callable[..., forms.Form],
    save: Callable[..., Any],
    ok: str,
) -> HttpResponse:
    """The shape every care form shares: bind, check, one service, then the page."""
    req = cast(StaffRequest, request)
    child = selectors.care_child(actor=req.actor, child_id=child_id)
    form = make(req, child)
    if form.is_valid() and _apply(form, lambda: save(req, child, form.cleaned_data)):
        return _done(req, child, ok)
    return _page(req, child.pk, {name: form})


@clinic_view(CarePerm.VIEW, phi="read")
@require_GET
def care_page(request: HttpRequest, child_id: str) -> HttpResponse:
    return _page(cast(StaffRequest, request), child_id)


def _levels(req: StaffRequest) -> list[tuple[int, str]]:
    model = selectors.tiers_of(req.actor)
    return [(n, model.label(n, _lang())) for n in model.levels]


@clinic_view(CarePerm.TIER_SET, phi="write")
@require_POST
def care_tier(request: HttpRequest, child_id: str) -> HttpResponse:
    return _post(
        request, child_id, "tier_form",
        lambda req, child: cf.TierForm(req.POST, prefix="tier", levels=_levels(req)),
        lambda req, child, d: services.tier_set(
            actor=req.actor, child=child, tier=d["tier"], reason=d["reason"], suggestion_id=d["suggestion"]
        ),
        _("The tier is set."),
    )  # fmt: skip


@clinic_view(CarePerm.PLAN_EDIT, phi="write")
@require_POST
def care_plan(request: HttpRequest, child_id: str) -> HttpResponse:
    return _post(
        request, child_id, "plan_form",
        lambda req, child: cf.PlanForm(req.POST, prefix="plan"),
        lambda req, child, d: services.plan_open(
            actor=req.actor, child=child, language=d["language"], next_review_on=d["next_review_on"],
            priorities=d["priorities"],
        ),
        _("The care plan is open."),
    )  # fmt: skip


def _open_plan(req: StaffRequest, child: Child) -> Any:
    plan = selectors.care_page(actor=req.actor, child_id=child.pk).plan
    if plan is None:
        raise ValidationError(_("Open a care plan first."))
    return plan


@clinic_view(CarePerm.PLAN_EDIT, phi="write")
@require_POST
def care_goal(request: HttpRequest, child_id: str) -> HttpResponse:
    return _post(
        request, child_id, "goal_form",
        lambda req, child: cf.GoalForm(req.POST, prefix="goal", staff=_staff(req)),
        lambda req, child, d: services.goal_add(
            actor=req.actor, plan=_open_plan(req, child), need=d["need"], text=d["text"], steps=d["steps"],
            owner_id=d["owner"], review_on=d["review_on"], template=d["template"],
        ),
        _("The goal is added to the care plan."),
    )  # fmt: skip


@clinic_view(CarePerm.PLAN_EDIT, phi="write")
@require_POST
def care_goal_close(request: HttpRequest, child_id: str) -> HttpResponse:
    return _post(
        request, child_id, "goal_close_form",
        lambda req, child: cf.GoalCloseForm(req.POST),
        lambda req, child, d: services.goal_close(
            actor=req.actor, goal=selectors.goal_get(actor=req.actor, child=child, goal_id=d["goal"]),
            outcome=d["outcome"],
        ),
        _("The goal is closed."),
    )  # fmt: skip


def _goal_or_none(req: StaffRequest, child: Child, goal_id: str) -> Any:
    if not goal_id:
        return None
    try:
        return selectors.goal_get(actor=req.actor, child=child, goal_id=goal_id)
    except Http404:
        raise ValidationError({"goal": [_("That goal is not this family's.")]}) from None


def _task_form(req: StaffRequest, child: Child) -> forms.Form:
    page = selectors.care_page(actor=req.actor, child_id=child.pk)
    return cf.TaskForm(
        req.POST, prefix="task", staff=_staff(req), goals=page.goals, flags=page.flags, visits=page.visits
    )


@clinic_view(CarePerm.TASK_MANAGE, phi="write")
@require_POST
def care_task(request: HttpRequest, child_id: str) -> HttpResponse:
    return _post(
        request, child_id, "task_form", _task_form,
        lambda req, child, d: services.task_add(
            actor=req.actor, child=child, title=d["title"], owner_id=d["owner"], due_on=d["due_on"],
            goal=_goal_or_none(req, child, d["goal"]), flag_id=d["flag"] or None, visit_id=d["visit"] or None,
        ),
        _("The task is added."),
    )  # fmt: skip


def _task_update(req: StaffRequest, child: Child, d: dict[str, Any]) -> Any:
    task = selectors.task_get(actor=req.actor, child=child, task_id=d["task"])
    if d["action"] == "reassign":
        return services.task_reassign(actor=req.actor, task=task, owner_id=d["owner"], reason=d["note"])
    return services.task_close(actor=req.actor, task=task, status=d["action"], outcome_note=d["note"])


@clinic_view(CarePerm.TASK_MANAGE, phi="write")
@require_POST
def care_task_update(request: HttpRequest, child_id: str) -> HttpResponse:
    return _post(
        request, child_id, "task_update_form",
        lambda req, child: cf.TaskUpdateForm(req.POST, staff=_staff(req)),
        _task_update, _("The task is updated."),
    )  # fmt: skip


def _caregivers(req: StaffRequest, child: Child) -> list[tuple[str, str]]:
    page = selectors.care_page(actor=req.actor, child_id=child.pk)
    return [(str(r.caregiver_id), str(r.caregiver)) for r in page.relationships]


def _note_save(req: StaffRequest, child: Child, d: dict[str, Any]) -> Any:
    page = selectors.care_page(actor=req.actor, child_id=child.pk)
    caregiver = next((r.caregiver for r in page.relationships if str(r.caregiver_id) == d["caregiver"]), None)
    return services.note_write(
        actor=req.actor, child=child, text=d["text"], sensitivity=d["sensitivity"], caregiver=caregiver
    )


@clinic_view(CarePerm.PLAN_EDIT, phi="write")
@require_POST
def care_note(request: HttpRequest, child_id: str) -> HttpResponse:
    return _post(
        request, child_id, "note_form",
        lambda req, child: cf.NoteForm(req.POST, prefix="note", caregivers=_caregivers(req, child)),
        _note_save, _("The note is saved."),
    )  # fmt: skip


@clinic_view(CarePerm.PLAN_EDIT, phi="write")
@require_POST
def care_service(request: HttpRequest, child_id: str) -> HttpResponse:
    return _post(
        request, child_id, "service_form",
        lambda req, child: cf.ServiceForm(
            req.POST, prefix="service", staff=_staff(req), caregivers=_caregivers(req, child)
        ),
        lambda req, child, d: services.service_log(
            actor=req.actor, child=child, service_type=d["service_type"], delivered_on=d["delivered_on"],
            minutes=d["minutes"], place=d["place"], delivered_by_id=d["delivered_by"],
            child_present=d["child_present"], caregiver_ids=d["caregiver_ids"], note=d["note"],
        ),
        _("The service is logged."),
    )  # fmt: skip


def _service_update(req: StaffRequest, child: Child, d: dict[str, Any]) -> Any:
    entry = selectors.entry_get(actor=req.actor, child=child, entry_id=d["entry"])
    if d["action"] == "void":
        return services.service_void(actor=req.actor, entry=entry, reason=d["reason"])
    return services.service_change(
        actor=req.actor, entry=entry, reason=d["reason"], changes={"minutes": d["minutes"]}
    )


@clinic_view(CarePerm.PLAN_EDIT, phi="write")
@require_POST
def care_service_update(request: HttpRequest, child_id: str) -> HttpResponse:
    return _post(
        request, child_id, "service_update_form",
        lambda req, child: cf.ServiceUpdateForm(req.POST),
        _service_update, _("The service entry is updated; the earlier version is kept."),
    )  # fmt: skip


@clinic_view(CarePerm.CASELOAD, phi="read")
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    req = cast(StaffRequest, request)
    work = worklist.my_work(actor=req.actor, pages=req.GET)
    pagers = {key: _pager(req, key, page) for key, page in work.pages.items()}
    return render(req, "web/care/my_work.html", {"work": work, "pagers": pagers})


def _pager(request: HttpRequest, key: str, page: worklist.PageInfo) -> dict[str, object]:
    """The previous and next links of one list, keeping the other lists' pages."""

    def link(number: int) -> str:
        query = request.GET.copy()
        query[key] = str(number)
        return "?" + query.urlencode()

    return {
        "number": page.number,
        "previous": link(page.number - 1) if page.has_previous else "",
        "next": link(page.number + 1) if page.has_next else "",
    }


@clinic_view(CarePerm.CASELOAD, phi="read")
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    req = cast(StaffRequest, request)
    people = worklist.specialists(actor=req.actor)
    person = req.GET.get("person", "") or str(req.user.pk)
    if person not in dict(people):
        return render(req, "web/care/caseload.html", {"people": people, "person": "", "rows": [],
                      "error": _("Choose a staff member of this clinic.")}, status=400)  # fmt: skip
    rows, page = worklist.caseload(actor=req.actor, person_id=person, page=req.GET.get("page"))  # type: ignore[arg-type]
    context = {"people": people, "person": person, "rows": rows, "pager": _pager(req, "page", page)}
    return render(req, "web/care/caseload.html", context)
