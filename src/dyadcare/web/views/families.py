"""Children and caregivers: search, the child page, and the forms that register and edit."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dyadcare.families import selectors, services
from dyadcare.families.choices import RACE_ETHNICITY_WITH_DECLINED
from dyadcare.families.models import Caregiver, Child
from dyadcare.families.permissions import FamilyPerm
from dyadcare.screening.history import caregiver_results_over_time, child_results_over_time
from dyadcare.touchpoints.selectors import child_schedule_get
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.forms import CaregiverForm, ChildForm, RelationshipForm
from dyadcare.web.paging import CappedPaginator

PAGE_SIZE = 25


def _staff(request: HttpRequest) -> StaffRequest:
    return cast(StaffRequest, request)


def _save(form: Any, save: Any, found: list[Any] | None = None, actor: Any = None) -> Any:
    """Run a service; a rule it enforces beyond the form lands on the form's fields. Possible
    duplicates go to ``found``, to be shown with the form and a reason asked for."""
    try:
        return save()
    except services.PossibleDuplicates as exc:
        if found is not None:
            found.extend(exc.duplicates)
            selectors.duplicates_shown(actor=actor, duplicates=exc.duplicates)
        form.add_error(
            None,
            _(
                "The clinic may have this person already: check the records listed. "
                "To register anyway, say why this is someone else."
            ),
        )
        return None
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


def _reason(req: HttpRequest) -> str:
    return req.POST.get("duplicate_reason", "")[:300]


@clinic_view(FamilyPerm.VIEW, phi="read")
@require_GET
def child_list(request: HttpRequest) -> HttpResponse:
    """The clinic's children with a search box; htmx swaps in the results as one types."""
    req = _staff(request)
    query = request.GET.get("q", "")[:100]
    children = selectors.child_search(actor=req.actor, query=query)
    page = CappedPaginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"query": query, "page": page}
    template = "web/children/_results.html" if request.headers.get("HX-Request") else "web/children/list.html"
    return render(request, template, context)


@clinic_view(FamilyPerm.VIEW, phi="read")
@require_GET
def child_detail(request: HttpRequest, child_id: str) -> HttpResponse:
    req = _staff(request)
    record = selectors.child_record(actor=req.actor, child_id=child_id)
    labels = dict(RACE_ETHNICITY_WITH_DECLINED)
    race_labels = [labels.get(code, code) for code in record.child.race_ethnicity]
    schedule = child_schedule_get(actor=req.actor, child=record.child)
    language = (get_language() or "en").split("-")[0]
    category_labels = {
        i.category: schedule.bundle.label(i.category, language) for i in schedule.due_today.items
    }
    return render(
        request,
        "web/children/detail.html",
        {
            "record": record,
            "child": record.child,
            "race_labels": race_labels,
            "schedule": schedule,
            "category_labels": category_labels,
            "history": child_results_over_time(actor=req.actor, child=record.child),
        },
    )


@clinic_view(FamilyPerm.EDIT, phi="write")
@require_http_methods(["GET", "POST"])
def child_create(request: HttpRequest) -> HttpResponse:
    return _child_form(_staff(request), Child(clinic=_staff(request).clinic), sibling_of=None)


@clinic_view(FamilyPerm.EDIT, phi="read")
@require_http_methods(["GET", "POST"])
def child_add_sibling(request: HttpRequest, child_id: str) -> HttpResponse:
    """Register a brother or sister: same household, family name and language, and the
    option to link the same caregivers."""
    req = _staff(request)
    sibling = selectors.child_get(actor=req.actor, child_id=child_id)
    child = Child(
        clinic=req.clinic,
        household_id=sibling.household_id,
        family_name=sibling.family_name,
        preferred_language=sibling.preferred_language,
        race_ethnicity=list(sibling.race_ethnicity),
        race_ethnicity_detail=sibling.race_ethnicity_detail,
    )
    return _child_form(req, child, sibling_of=sibling)


@clinic_view(FamilyPerm.EDIT, phi="read")
@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, child_id: str) -> HttpResponse:
    req = _staff(request)
    child = selectors.child_get(actor=req.actor, child_id=child_id)
    return _child_form(req, child, sibling_of=None)


def _child_form(req: StaffRequest, child: Child, *, sibling_of: Child | None) -> HttpResponse:
    creating = child._state.adding
    form = ChildForm(req.POST or None, instance=child)
    sibling_links = selectors.caregivers_of(actor=req.actor, child_id=sibling_of.pk) if sibling_of else []
    duplicates: list[Any] = []
    if req.method == "POST" and form.is_valid():
        if sibling_of is not None:
            saved = _save(
                form,
                lambda: services.sibling_register(
                    actor=req.actor,
                    child=form.save(commit=False),
                    sibling_of=sibling_of,
                    caregiver_ids=req.POST.getlist("copy_caregiver"),
                    duplicate_reason=_reason(req),
                ),
                duplicates,
                req.actor,
            )
        else:
            saved = _save(
                form,
                lambda: services.child_save(
                    actor=req.actor,
                    child=form.save(commit=False),
                    changed=form.changed_data,
                    duplicate_reason=_reason(req),
                ),
                duplicates,
                req.actor,
            )
        if saved is not None:
            if creating:
                messages.success(req, _("%(name)s is registered.") % {"name": saved.full_name})
            else:
                messages.success(req, _("Changes saved."))
            return redirect("web:child_detail", clinic_slug=req.clinic.slug, child_id=saved.pk)
    status = 422 if req.method == "POST" else 200
    return render(
        req,
        "web/children/form.html",
        {
            "form": form,
            "child": child,
            "creating": creating,
            "sibling_of": sibling_of,
            "sibling_links": sibling_links,
            "duplicates": duplicates,
            "duplicate_reason": _reason(req),
        },
        status=status,
    )


@clinic_view(FamilyPerm.EDIT, phi="read")
@require_http_methods(["GET", "POST"])
def caregiver_add(request: HttpRequest, child_id: str) -> HttpResponse:
    """Add a caregiver to a child: a new person, or one the clinic already knows."""
    req = _staff(request)
    child = selectors.child_get(actor=req.actor, child_id=child_id)
    form = CaregiverForm(
        req.POST or None,
        instance=Caregiver(
            clinic=req.clinic,
            family_name=child.family_name,
            preferred_language=child.preferred_language,
            household_id=child.household_id,
        ),
        prefix="cg",
    )
    link_form = RelationshipForm(req.POST or None, prefix="rel")
    query = req.GET.get("q", "").strip()[:100]
    matches = list(selectors.caregiver_search(actor=req.actor, query=query)[:10]) if query else []
    duplicates: list[Any] = []
    if req.method == "POST" and form.is_valid() and link_form.is_valid():
        link = _save(
            form,
            lambda: services.caregiver_add_to_child(
                actor=req.actor,
                child=child,
                caregiver=form.save(commit=False),
                duplicate_reason=_reason(req),
                **link_form.cleaned_data,
            ),
            duplicates,
            req.actor,
        )
        if link is not None:
            messages.success(req, _("%(name)s is added.") % {"name": link.caregiver.full_name})
            return redirect("web:child_detail", clinic_slug=req.clinic.slug, child_id=child.pk)
    status = 422 if req.method == "POST" else 200
    return render(
        req,
        "web/caregivers/add.html",
        {
            "child": child,
            "form": form,
            "link_form": link_form,
            "query": query,
            "matches": matches,
            "duplicates": duplicates,
            "duplicate_reason": _reason(req),
        },
        status=status,
    )


@clinic_view(FamilyPerm.EDIT, phi="write")
@require_POST
def caregiver_link_existing(request: HttpRequest, child_id: str, caregiver_id: str) -> HttpResponse:
    req = _staff(request)
    child = selectors.child_get(actor=req.actor, child_id=child_id)
    caregiver = selectors.caregiver_get(actor=req.actor, caregiver_id=caregiver_id)
    link_form = RelationshipForm(req.POST, prefix="rel")
    if not link_form.is_valid():
        messages.error(req, _("Choose how this caregiver is related to the child."))
        return redirect("web:caregiver_add", clinic_slug=req.clinic.slug, child_id=child.pk)
    services.caregiver_link(actor=req.actor, child=child, caregiver=caregiver, **link_form.cleaned_data)
    messages.success(req, _("%(name)s is added.") % {"name": caregiver.full_name})
    return redirect("web:child_detail", clinic_slug=req.clinic.slug, child_id=child.pk)


@clinic_view(FamilyPerm.EDIT, phi="read")
@require_http_methods(["GET", "POST"])
def relationship_edit(request: HttpRequest, child_id: str, link_id: str) -> HttpResponse:
    """Change how a caregiver is related to a child, or remove the link."""
    req = _staff(request)
    child = selectors.child_get(actor=req.actor, child_id=child_id)
    link = selectors.relationship_get(actor=req.actor, child=child, link_id=link_id)
    if req.method == "POST" and req.POST.get("remove"):
        services.caregiver_unlink(actor=req.actor, link=link)
        messages.success(
            req,
            _("%(name)s no longer appears as this child's caregiver.") % {"name": link.caregiver.full_name},
        )
        return redirect("web:child_detail", clinic_slug=req.clinic.slug, child_id=child.pk)
    form = RelationshipForm(
        req.POST or None,
        prefix="rel",
        initial={
            "relationship": link.relationship,
            "is_primary": link.is_primary,
            "legal_guardian": link.legal_guardian,
            "lives_with_child": link.lives_with_child,
        },
    )
    if req.method == "POST" and form.is_valid():
        services.caregiver_link(actor=req.actor, child=child, caregiver=link.caregiver, **form.cleaned_data)
        messages.success(req, _("Changes saved."))
        return redirect("web:child_detail", clinic_slug=req.clinic.slug, child_id=child.pk)
    return render(req, "web/caregivers/relationship.html", {"child": child, "link": link, "form": form})


@clinic_view(FamilyPerm.VIEW, phi="read")
@require_GET
def caregiver_detail(request: HttpRequest, caregiver_id: str) -> HttpResponse:
    req = _staff(request)
    record = selectors.caregiver_record(actor=req.actor, caregiver_id=caregiver_id)
    history = caregiver_results_over_time(actor=req.actor, caregiver=record.caregiver)
    return render(
        req,
        "web/caregivers/detail.html",
        {"caregiver": record.caregiver, "links": record.children, "history": history},
    )


@clinic_view(FamilyPerm.EDIT, phi="read")
@require_http_methods(["GET", "POST"])
def caregiver_edit(request: HttpRequest, caregiver_id: str) -> HttpResponse:
    req = _staff(request)
    caregiver = selectors.caregiver_get(actor=req.actor, caregiver_id=caregiver_id)
    form = CaregiverForm(req.POST or None, instance=caregiver, prefix="cg")
    if req.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda: services.caregiver_save(
                actor=req.actor, caregiver=form.save(commit=False), changed=form.changed_data
            ),
        )
        if saved is not None:
            messages.success(req, _("Changes saved."))
            return redirect("web:caregiver_detail", clinic_slug=req.clinic.slug, caregiver_id=saved.pk)
    status = 422 if req.method == "POST" else 200
    return render(req, "web/caregivers/edit.html", {"caregiver": caregiver, "form": form}, status=status)
