"""The floor every page benchmark measures against: an empty staff page behind the same
access check (``clinic_view``), middleware, session and base template as every clinic page,
and nothing else. It ships only with the benchmarks: ``bench_settings`` points
``ROOT_URLCONF`` at this module, which serves the application's URLs plus this one page, so
the floor is never part of the application.

A page's cost divided by the floor's, both measured in the same run and interleaved, is a
figure that survives a noisy, shared machine; absolute milliseconds do not.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from dyadcare import urls as app_urls
from dyadcare.families.permissions import FamilyPerm
from dyadcare.web.access import clinic_view

FLOOR_PATH = "bench-floor/"
_TEMPLATE = engines["django"].from_string(
    '{% extends "web/base.html" %}{% block title %}Floor{% endblock %}{% block content %}{% endblock %}'
)


@clinic_view(FamilyPerm.VIEW, phi="none")
def floor(request: HttpRequest) -> HttpResponse:
    """An empty page of the clinic: the least any staff page can cost."""
    return HttpResponse(_TEMPLATE.render({}, request))


urlpatterns = [
    path(f"c/<slug:clinic_slug>/{FLOOR_PATH}", floor, name="bench_floor"),
    *app_urls.urlpatterns,
]

handler403 = app_urls.handler403
handler404 = app_urls.handler404
handler500 = app_urls.handler500
