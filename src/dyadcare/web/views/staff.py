"""The clinic's staff: clinic administrators invite a person to the clinic."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dyadcare.tenancy.permissions import TenancyPerm
from dyadcare.tenancy.staff import Invitee, staff_invite
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.account_forms import StaffInviteForm, show_errors
from dyadcare.web.views.network import invite_link_template


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
