"""Login, logout, choosing a clinic, language, health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from dyadcare.tenancy.selectors import Place, places_for_user
from dyadcare.tenancy.services import place_switch_record
from dyadcare.web.access import actor_for, public_view, staff_view
from dyadcare.web.forms import LoginForm

login = public_view(
    auth_views.LoginView.as_view(
        template_name="web/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)
logout = staff_view(auth_views.LogoutView.as_view())
set_language = public_view(require_POST(django_set_language))


def place_url(place: Place) -> str:
    if place.clinic is not None:
        return reverse("web:clinic_home", kwargs={"clinic_slug": place.clinic.slug})
    return reverse("web:network_home", kwargs={"network_slug": place.network.slug})


@staff_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where a staff member lands: the last clinic they used, or their only one."""
    places = places_for_user(request.user)  # type: ignore[arg-type]
    last = request.session.get("place")
    for place in places:
        key = place.clinic.slug if place.clinic else "n:" + place.network.slug
        if key == last:
            return redirect(place_url(place))
    if len(places) == 1:
        return redirect(place_url(places[0]))
    return redirect("web:places")


@staff_view
def places(request: HttpRequest) -> HttpResponse:
    """Choose a clinic (or network): staff who work in several switch here."""
    mine = places_for_user(request.user)  # type: ignore[arg-type]
    if request.method == "POST":
        wanted = request.POST.get("place", "")
        for place in mine:
            key = place.clinic.slug if place.clinic else "n:" + place.network.slug
            if key == wanted:
                actor = actor_for(request, clinic=place.clinic, network=place.network, roles=place.roles)
                place_switch_record(actor=actor, place_key=key)
                request.session["place"] = key
                return redirect(place_url(place))
    return render(
        request,
        "web/places.html",
        {"choices": [(p, place_url(p)) for p in mine]},
        status=200,
    )


@public_view
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True, "demo": settings.DEMO_MODE})
