"""The family's pages, under ``/f/<token>/`` (the link sent by text or email, or opened on
the clinic tablet). See ``views.py``."""

from __future__ import annotations

from django.urls import path

from dyadcare.family_pages import views

app_name = "family"

urlpatterns = [
    path("", views.family_start, name="start"),
    path("language/", views.family_language, name="language"),
    path("q/<slug:instrument_id>/", views.family_intro, name="intro"),
    path("q/<slug:instrument_id>/<int:number>/", views.family_question, name="question"),
    path("review/", views.family_review, name="review"),
    path("submit/", views.family_submit, name="submit"),
    path("done/", views.family_done, name="done"),
    path("<path:rest>", views.family_elsewhere, name="elsewhere"),
]
