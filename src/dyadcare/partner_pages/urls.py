"""The receiving organisation's pages, under ``/r/<token>/``."""

from __future__ import annotations

from django.urls import path

from dyadcare.partner_pages import views

app_name = "partner"

urlpatterns = [
    path("", views.referral_page, name="referral"),
    path("<path:rest>", views.elsewhere, name="elsewhere"),
]
