"""The root URLconf: one interface per audience, side by side.

- ``/`` the staff pages (``web``), behind a login;
- ``/f/<token>/`` the family's pages (``family_pages``), reached by a link, no account;
- ``/r/<token>/`` a receiving organisation's referral page (``partner_pages``), the same;
- ``/fhir/R4/`` reserved for the FHIR API (``api``).
"""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("f/<str:token>/", include("dyadcare.family_pages.urls")),
    path("r/<str:token>/", include("dyadcare.partner_pages.urls")),
    path("fhir/R4/", include("dyadcare.api.urls")),
    path("", include("dyadcare.web.urls")),
]

handler403 = "dyadcare.web.views.errors.forbidden"
handler404 = "dyadcare.web.views.errors.not_found"
handler500 = "dyadcare.web.views.errors.server_error"
