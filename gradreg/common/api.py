"""What every module's API file shares: the problem schema, common bodies, and the router registry.

A module owns its API file (`gradreg/<app>/api.py`) and adds its routers in its `apps.py`
(`register_router(router, order=...)`); `gradreg.api.urls` mounts every registered router under
/api/v1, in `order`, so a new module never edits `gradreg/api/`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ninja import Schema


class Problem(Schema):
    code: str
    detail: str
    field: str | None = None


# The statuses the API itself or Django answer without a domain error, in the one format.
STATUS_PROBLEMS = {
    400: ("bad_request", "请求格式不正确。"),
    401: ("not_authenticated", "请先登录。"),
    403: ("forbidden", "您无权执行此操作。"),
    404: ("not_found", "未找到请求的内容。"),
    405: ("method_not_allowed", "该地址不支持此请求方法。"),
    413: ("too_large", "请求内容过大，请精简后重试。"),
    415: ("unsupported_media_type", "请求体应为 JSON（Content-Type: application/json）。"),
    429: ("throttled", "请求过于频繁，请稍后再试。"),
    500: ("server_error", "服务器内部错误，请稍后再试。"),
}


def status_problem(status: int) -> dict:
    """`{code, detail, field}` for a bare HTTP status (the class's meaning when the status is not listed)."""
    code, detail = STATUS_PROBLEMS.get(status) or STATUS_PROBLEMS[500 if status >= 500 else 400]
    return {"code": code, "detail": detail, "field": None}


class ReasonIn(Schema):
    reason: str = ""


class AuditEventOut(Schema):
    seq: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor_name: str
    actor_role: str
    actor_unit: str
    at: dt.datetime
    reason: str


# ---- the router registry ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RegisteredRouter:
    router: Any  # a ninja.Router
    order: int
    prefix: str = ""
    # the module name operation ids are made of; an API file that moved keeps its clients' ids
    operation_ids_as: str = ""


ROUTERS: list[RegisteredRouter] = []


def register_router(router, *, order: int, prefix: str = "", operation_ids_as: str = "") -> None:
    """Mount `router` under /api/v1/`prefix`; `order` places its operations in the OpenAPI document.

    Operation ids are "<module>_<function>"; `operation_ids_as` names the module they keep using
    after the API file moved (say "gradreg.api.roster"), so generated clients do not break.
    """
    if any(r.router is router for r in ROUTERS):
        return  # apps.ready() may run twice in one process (tests); a router mounts once
    ROUTERS.append(RegisteredRouter(router, order, prefix, operation_ids_as))


def registered_routers() -> list[RegisteredRouter]:
    return sorted(ROUTERS, key=lambda r: r.order)
