"""Posting JSON to another system (EMS, an SMS/e-mail gateway): only a 2xx answer counts as received."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit


class PostFailed(Exception):
    """The other system did not confirm: `status` is its HTTP answer, or None if it was not reached."""

    def __init__(self, status: int | None, reason: str) -> None:
        super().__init__(f"HTTP {status}" if status is not None else reason)
        self.status = status
        self.reason = reason


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET and report its 200 as success
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, body: Any, *, timeout: float, headers: dict[str, str] | None = None,
              sign: Callable[[str, bytes], dict[str, str]] | None = None) -> None:
    """POST `body` as UTF-8 JSON; raises PostFailed unless the answer is 2xx (a redirect is a failure).

    `sign(path, data)` gives headers computed over the exact bytes sent (gradreg.common.signed_http).
    """
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    extra = sign(urlsplit(url).path or "/", data) if sign else {}
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {}), **extra},
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise PostFailed(exc.code, str(exc.reason)) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise PostFailed(None, str(getattr(exc, "reason", exc))) from exc
    if not 200 <= status < 300:
        raise PostFailed(status, "")
