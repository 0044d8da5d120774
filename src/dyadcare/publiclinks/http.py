"""The HTTP side of a page reached by a link: what every such page sends and refuses.

The token is in the address, so every page is sent with ``Cache-Control: no-store`` and
``Referrer-Policy: no-referrer``. With no referrer a browser sends ``Origin: null`` on a form
post, which Django's CSRF check refuses; these pages do without it: a post must name the
link's unguessable token, pages that show a record need a SameSite=Strict cookie set after a
check (a date of birth), and a post the browser marks as coming from another site is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from dyadcare.publiclinks.tokens import token_hash
from dyadcare.tenancy.addresses import client_address

LinkView = Callable[..., HttpResponseBase]


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, through the trusted proxies (what the throttle counts)."""
    return client_address(request)


def quiet_path(request: HttpRequest, token: str) -> str:
    """The page, without the token (a key to the record), for the audit log."""
    return request.path.replace(token, "…")


def from_this_site(request: HttpRequest) -> bool:
    """False for a post the browser says came from another site, or whose origin names
    another host."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc == request.get_host()
    return True


def link_page(refuse: Callable[[HttpRequest], HttpResponseBase]) -> Callable[[LinkView], LinkView]:
    """Wrap a view of a link page: posts from other sites get ``refuse(request)``; every
    response is kept out of caches, search engines and referrers."""

    def decorate(view: LinkView) -> LinkView:
        @wraps(view)
        def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST" and not from_this_site(request):
                response = refuse(request)
            else:
                response = view(request, token, *args, **kwargs)
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "no-referrer"
            response["X-Robots-Tag"] = "noindex, nofollow"
            return response

        return csrf_exempt(wrapper)

    return decorate


@dataclass(frozen=True)
class LinkCookie:
    """A signed cookie that proves this browser passed a link's check (HttpOnly,
    SameSite=Strict, sent only to the link's own pages). Its salt names the link, so a new
    link (another token) asks again."""

    name: str
    purpose: str

    def _salt(self, token: str) -> str:
        return f"dyadcare.{self.purpose}.{token_hash(token)}"

    def read(self, request: HttpRequest, token: str, *, max_age: timedelta) -> str | None:
        value = request.get_signed_cookie(self.name, default=None, salt=self._salt(token), max_age=max_age)
        return str(value) if value else None

    def set(
        self,
        response: HttpResponse,
        token: str,
        value: str,
        *,
        path: str,
        max_age: int | None,
        secure: bool,
    ) -> None:
        response.set_signed_cookie(
            self.name,
            value,
            salt=self._salt(token),
            max_age=max_age,
            path=path,
            secure=secure,
            httponly=True,
            samesite="Strict",
        )

    def forget(self, response: HttpResponse, *, path: str) -> None:
        response.delete_cookie(self.name, path=path, samesite="Strict")
