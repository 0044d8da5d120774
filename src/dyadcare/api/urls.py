"""The FHIR R4 API's routes: none yet (see the package's docstring)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "api"

urlpatterns: list[URLPattern] = []
