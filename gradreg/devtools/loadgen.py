"""The HTTP load generator of `manage.py loadtest`: asyncio + aiohttp, keep-alive clients, no Django inside.

A line runs C concurrent clients against one server until a time or a request budget runs out (after a
short warm-up), and reports requests/s and latency percentiles. Sessions log in through the real login
form. Production cookies are `Secure`, which a cookie jar drops over plain http, so each `Account` keeps
its own cookies and sends them itself; POSTs carry the CSRF token read from a page of the session.
"""
from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import aiohttp

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"|value="([^"]+)"\s+name="csrfmiddlewaretoken"')
OK_STATUSES = frozenset(range(200, 400))


class LoadError(Exception):
    """The run cannot go on (a login refused, a page without its form); the message is Chinese."""


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between closest ranks; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def json_line(*, name: str, value: float, unit: str, baseline: float, scale: int, errors: int) -> str:
    """One result as bench prints it (name, value, unit, baseline, ratio, scale), plus the error count."""
    ratio = value / baseline if baseline else None
    return json.dumps({
        "name": name, "value": round(value, 3), "unit": unit, "baseline": round(baseline, 3),
        "ratio": float(f"{ratio:.4g}") if ratio is not None else None, "scale": scale, "errors": errors,
    }, ensure_ascii=False)


def form_token(html: str) -> str | None:
    m = CSRF_INPUT.search(html)
    return (m.group(1) or m.group(2)) if m else None


@dataclass
class Account:
    """One user's session as the server sees it: the cookies it set and the CSRF token of its pages."""

    username: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    def remember(self, response: aiohttp.ClientResponse) -> None:
        """Keep every cookie the answer sets (a Secure flag is no reason to drop one on loopback)."""
        for header in response.headers.getall("Set-Cookie", []):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def headers(self, *, post: bool = False) -> dict[str, str]:
        out = {}
        if self.cookies:
            out["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if post and self.token:
            out["X-CSRFToken"] = self.token
        return out


async def login(http: aiohttp.ClientSession, base: str, username: str, password: str,
                *, token_page: str = "/modules/") -> Account:
    """Log in through /login/ as a browser does, then read a CSRF token for later POSTs from `token_page`."""
    account = Account(username=username)
    async with http.get(f"{base}/login/", allow_redirects=False) as r:
        html = await r.text()
        account.remember(r)
    token = form_token(html)
    if r.status != 200 or not token:
        raise LoadError(f"登录页没有表单（HTTP {r.status}）")
    data = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    async with http.post(f"{base}/login/", data=data, headers=account.headers(), allow_redirects=False) as r:
        await r.read()
        account.remember(r)
    if r.status != 302 or "sessionid" not in account.cookies:
        raise LoadError(f"{username} 登录失败（HTTP {r.status}）")
    async with http.get(f"{base}{token_page}", headers=account.headers(), allow_redirects=False) as r:
        html = await r.text()
        account.remember(r)
    account.token = form_token(html) or ""
    if not account.token:
        raise LoadError(f"{username} 登录后 {token_page} 没有 CSRF 令牌（HTTP {r.status}）")
    return account


@dataclass(frozen=True)
class Req:
    """One request of a line: `kind` names it in the per-kind breakdown; `expect` are the good statuses."""

    path: str
    account: Account | None = None
    method: str = "GET"
    data: dict[str, str] | None = None
    kind: str = ""
    expect: frozenset[int] = OK_STATUSES


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    sent: list[Req] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)  # what the first few errors answered

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def summary(self) -> str:
        return (f"{self.count} 个请求，{self.seconds:.2f} 秒，{self.rps:.1f} 请求/秒，p50 {self.p(50):.1f} ms，"
                f"p95 {self.p(95):.1f} ms，p99 {self.p(99):.1f} ms，错误 {self.errors}")


async def _send(http: aiohttp.ClientSession, base: str, req: Req) -> tuple[int, str]:
    headers = req.account.headers(post=req.method == "POST") if req.account else {}
    async with http.request(req.method, base + req.path, data=req.data, headers=headers,
                            allow_redirects=False) as r:
        body = await r.read()
        if req.account is not None:
            req.account.remember(r)
        return r.status, body[:200].decode(errors="replace") if r.status not in req.expect else ""


async def run_line(base: str, make: Callable[[int], Req | None], *, concurrency: int, seconds: float,
                   max_requests: int, warmup: Callable[[int], Req | None] | None = None,
                   warmup_seconds: float = 1.0) -> Stats:
    """`concurrency` keep-alive clients send make(0), make(1), ... until `seconds` pass or `max_requests`
    were sent (or make returns None); warm-up requests from `warmup` (default `make`) are not counted."""
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        if warmup_seconds > 0:
            await _phase(http, base, warmup or make, concurrency, warmup_seconds, max_requests, Stats())
        stats = Stats()
        await _phase(http, base, make, concurrency, seconds, max_requests, stats)
    return stats


async def _phase(http, base, make, concurrency: int, seconds: float, max_requests: int, stats: Stats) -> None:
    counter = iter(range(max_requests))
    started = time.perf_counter()
    deadline = started + seconds

    async def client() -> None:
        for k in counter:  # shared: each index is taken by exactly one client
            if time.perf_counter() >= deadline:
                return
            req = make(k)
            if req is None:
                return
            t = time.perf_counter()
            try:
                status, sample = await _send(http, base, req)
            except (TimeoutError, aiohttp.ClientError) as e:
                status, sample = 0, type(e).__name__
            ms = (time.perf_counter() - t) * 1000
            stats.latencies_ms.append(ms)
            stats.by_kind.setdefault(req.kind, []).append(ms)
            stats.sent.append(req)
            if status not in req.expect:
                stats.errors += 1
                stats.errors_by_kind[req.kind] = stats.errors_by_kind.get(req.kind, 0) + 1
                if len(stats.samples) < 5:
                    stats.samples.append(f"{req.method} {req.path} → {status} {sample[:120]}")

    await asyncio.gather(*(client() for _ in range(concurrency)))
    stats.seconds = time.perf_counter() - started


async def login_many(base: str, users: Sequence[tuple[str, str]], *, concurrency: int = 4) -> list[Account]:
    """Log every (username, password) in, a few at a time (each login hashes a password on the server)."""
    sem = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=aiohttp.ClientTimeout(total=120)) as http:
        async def one(username: str, password: str) -> Account:
            async with sem:
                return await login(http, base, username, password)

        return list(await asyncio.gather(*(one(u, p) for u, p in users)))


async def wait_until_up(base: str, path: str, *, seconds: float = 60.0) -> None:
    """Poll `path` until it answers (any status below 500)."""
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(base + path, allow_redirects=False) as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise LoadError(f"{base} 在 {seconds:.0f} 秒内没有应答")
            await asyncio.sleep(0.2)
