"""The benchmark's HTTP clients: signing browser sessions in over loopback (cookies, CSRF tokens)."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import click


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _fetch(url: str, cookies: dict[str, str], data: dict[str, str] | None = None) -> tuple[int, str]:
    """GET or POST (form) without following redirects; keep the cookies it sets (Secure ones too)."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body)  # noqa: S310  (our own loopback URL)
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        response = _opener.open(req, timeout=60)
    except urllib.error.HTTPError as exc:
        response = exc
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return response.status, response.read().decode("utf-8", "replace")


def sign_in(
    base: str, username: str, password: str, form_page: str | None = None
) -> tuple[dict[str, str], str]:
    """Sign in over HTTP; return the cookies and (from `form_page`) a CSRF token valid for the session."""
    cookies: dict[str, str] = {}
    status, page = _fetch(base + "/login", cookies)
    match = _CSRF.search(page)
    if status != 200 or not match:
        raise click.ClickException(f"the sign-in page answered {status}")
    status, _page = _fetch(
        base + "/login", cookies, {"csrf_token": match.group(1), "username": username, "password": password}
    )
    if status != 302:
        raise click.ClickException(f"sign-in as {username} answered {status}, not a redirect")
    if not form_page:
        return cookies, ""
    status, page = _fetch(base + form_page, cookies)
    match = _CSRF.search(page)
    if status != 200 or not match:
        raise click.ClickException(f"{form_page} answered {status} after signing in as {username}")
    return cookies, match.group(1)


def cookie_header(cookies: dict[str, str]) -> str:
    """Return the Cookie header line of a session, as a request line of wrk's file carries it."""
    return "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())
