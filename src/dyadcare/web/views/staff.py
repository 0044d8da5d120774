"""The clinic's staff: the list, and for clinic administrators, inviting a person, their
roles, licence and NPI, attestations, and disabling or re-enabling their account."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dyadcare.tenancy import staff_admin
from dyadcare.tenancy.models import User
from dyadcare.tenancy.permissions import TenancyPerm
from dyadcare.tenancy.staff import Invitee, invite_renew, staff_invite
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.account_forms import (
    AttestationForm,
    CredentialForm,
    RolesForm,
    StaffInviteForm,
    show_errors,
)
from dyadcare.web.views.network import invite_link_template


@clinic_view(TenancyPerm.STAFF_VIEW, phi="none")
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    req = cast(StaffRequest, request)
    people = staff_admin.clinic_people(actor=req.actor)
    return render(req, "web/staff/list.html", {"people": people})


@clinic_view(TenancyPerm.STAFF_MANAGE, phi="none")
def staff_invite_page(request: HttpRequest) -> HttpResponse:
    req = cast(StaffRequest, request)
    form = StaffInviteForm(req.POST or None)
    if req.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitee = Invitee(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            username=data["username"],
            licence_type=data["licence_type"],
        )
        try:
            user = staff_invite(
                actor=req.actor, invitee=invitee, roles=data["roles"], link_template=invite_link_template(req)
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(req, _("An invitation was emailed to %(email)s.") % {"email": user.email})
            return redirect("web:staff_list", clinic_slug=req.clinic.slug)
    return render(req, "web/staff/invite.html", {"form": form})


def _member(req: StaffRequest, user_id: uuid.UUID) -> staff_admin.StaffMember:
    try:
        return staff_admin.staff_member(actor=req.actor, user_id=user_id)
    except User.DoesNotExist as missing:
        raise Http404 from missing


def _forms(req: StaffRequest, member: staff_admin.StaffMember, action: str) -> dict[str, Any]:
    """The page's forms, the one posted bound to the request."""
    credential = getattr(member.user, "credential", None)
    posted = req.POST if req.method == "POST" else None
    return {
        "roles_form": RolesForm(posted if action == "roles" else None, initial={"roles": member.roles}),
        "credential_form": CredentialForm(posted if action == "credential" else None, instance=credential),
        "attestation_form": AttestationForm(posted if action == "attestation" else None),
    }


def _save(
    req: StaffRequest, member: staff_admin.StaffMember, action: str, forms: dict[str, Any]
) -> str | None:
    """Carry out the posted action; its message, or None when its form shows errors."""
    uid = member.user.pk
    simple: dict[str, tuple[Callable[..., object], str]] = {
        "disable": (staff_admin.staff_disable, _("The account is disabled at this clinic.")),
        "enable": (staff_admin.staff_enable, _("The account is enabled again.")),
    }
    if action in simple:
        service, done = simple[action]
        service(actor=req.actor, user_id=uid)
        return done
    if action == "resend":
        invite_renew(actor=req.actor, user=member.user, link_template=invite_link_template(req))
        return _("A new invitation was emailed; the earlier link no longer works.")
    form = forms.get(f"{action}_form")
    if form is None or not form.is_valid():
        if form is None:
            raise ValidationError(_("Choose what to change."))
        return None
    if action == "roles":
        staff_admin.roles_set(actor=req.actor, user_id=uid, roles=form.cleaned_data["roles"])
    elif action == "credential":
        staff_admin.credential_set(actor=req.actor, user_id=uid, **form.cleaned_data)
    else:
        staff_admin.attestation_add(actor=req.actor, user_id=uid, **form.cleaned_data)
    return _("Changes saved.")


@clinic_view(TenancyPerm.STAFF_MANAGE, phi="none")
def staff_detail(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    req = cast(StaffRequest, request)
    member = _member(req, user_id)
    action = req.POST.get("action", "") if req.method == "POST" else ""
    forms = _forms(req, member, action)
    if req.method == "POST":
        try:
            done = _save(req, member, action, forms)
        except ValidationError as error:
            target = forms.get(f"{action}_form")
            if target is not None:
                show_errors(target, error)
            else:
                messages.error(req, " ".join(error.messages))
                return redirect("web:staff_detail", clinic_slug=req.clinic.slug, user_id=member.user.pk)
        else:
            if done is not None:
                messages.success(req, done)
                return redirect("web:staff_detail", clinic_slug=req.clinic.slug, user_id=member.user.pk)
    context = {"member": member, "attestations": staff_admin.attestations_of(member.user), **forms}
    return render(req, "web/staff/detail.html", context)
