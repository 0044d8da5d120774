"""The family's pages, under ``/f/<token>/`` (the link sent by text or email, or opened on
the clinic tablet). See ``views/family.py``."""

from __future__ import annotations

from django.urls import path

from dyadcare.web.views import family

urlpatterns = [
    path("", family.family_start, name="family_start"),
    path("language/", family.family_language, name="family_language"),
    path("q/<slug:instrument_id>/", family.family_intro, name="family_intro"),
    path("q/<slug:instrument_id>/<int:number>/", family.family_question, name="family_question"),
    path("review/", family.family_review, name="family_review"),
    path("submit/", family.family_submit, name="family_submit"),
    path("done/", family.family_done, name="family_done"),
    path("<path:rest>", family.family_elsewhere, name="family_elsewhere"),
]
