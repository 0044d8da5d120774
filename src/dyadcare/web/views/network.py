"""The TA center's view of its network: de-identified counts only; its administrator creates
clinics."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dyadcare.families.aggregates import network_clinic_counts
from dyadcare.tenancy.audit import network_security_events
from dyadcare.tenancy.clinics import clinic_create as clinic_create_service
from dyadcare.tenancy.permissions import TenancyPerm
from dyadcare.tenancy.staff import Invitee
from dyadcare.web.access import StaffRequest, network_view
from dyadcare.web.account_forms import ClinicCreateForm, show_errors


@network_view(TenancyPerm.NETWORK_AGGREGATE_VIEW)
@require_GET
def network_home(request: HttpRequest) -> HttpResponse:
    req = cast(StaffRequest, request)
    rows = network_clinic_counts(network=req.network)
    return render(req, "web/network/home.html", {"rows": rows})


def invite_link_template(request: HttpRequest) -> str:
    """The invitation page's full address, with TOKEN where the token goes."""
    base = settings.PUBLIC_URL or f"{request.scheme}://{request.get_host()}"
    return base + reverse("web:invite_accept", kwargs={"token": "TOKEN"})


@network_view(TenancyPerm.NETWORK_MANAGE)
def clinic_create(request: HttpRequest) -> HttpResponse:
    """A network administrator creates a clinic and invites its first administrator."""
    req = cast(StaffRequest, request)
    form = ClinicCreateForm(req.POST or None)
    if req.method == "POST" and form.is_valid():
        data = form.cleaned_data
        admin = Invitee(
            first_name=data["admin_first_name"],
            last_name=data["admin_last_name"],
            email=data["admin_email"],
            username=data["admin_username"],
        )
        try:
            clinic, _admin = clinic_create_service(
                actor=req.actor,
                network=req.network,
                name=data["name"],
                service_model=data["service_model"],
                languages=data["languages"],
                address=data["address"],
                city=data["city"],
                phone=data["phone"],
                billing_npi=data["billing_npi"],
                tax_id=data["tax_id"],
                first_admin=admin,
                link_template=invite_link_template(req),
            )
        except ValidationError as error:
            show_errors(form, error, ClinicCreateForm.ADMIN_RENAMED)
        else:
            messages.success(
                req,
                _("%(clinic)s is created. %(email)s was sent an invitation to be its administrator.")
                % {"clinic": clinic.name, "email": admin.email},
            )
            return redirect("web:network_home", network_slug=req.network.slug)
    return render(req, "web/network/clinic_new.html", {"form": form})


@network_view(TenancyPerm.NETWORK_SECURITY_VIEW)
@require_GET
def network_security(request: HttpRequest) -> HttpResponse:
    """The network administrator's view of security events: logins, failures, lockouts and
    refused pages of the staff of every clinic of the network."""
    req = cast(StaffRequest, request)
    events = network_security_events(actor=req.actor)
    return render(req, "web/network/security.html", {"events": events})
