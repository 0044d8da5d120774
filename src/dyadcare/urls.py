from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("dyadcare.web.urls")),
]

handler403 = "dyadcare.web.views.errors.forbidden"
handler404 = "dyadcare.web.views.errors.not_found"
handler500 = "dyadcare.web.views.errors.server_error"
