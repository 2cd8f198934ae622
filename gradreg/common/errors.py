"""The one family of domain errors. Views, the API and forms translate them in one place each."""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the platform refused the request; `message` is shown to the user in Chinese."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotFound(DomainError):
    """Missing, or outside the actor's scope: both answer the same, so scope cannot be probed."""

    code = "not_found"
    http_status = 404


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    """The item changed under the request (another reviewer acted first, or the state moved on)."""

    code = "conflict"
    http_status = 409


class ReadOnly(DomainError):
    """The graduate's cohort or status allows viewing only."""

    code = "read_only"
    http_status = 403


class Invalid(DomainError):
    """Several fields are wrong at once; `errors` maps each field to its Chinese messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]], *, labels: dict[str, str] | None = None) -> None:
        labels = labels or {}
        self.errors = errors
        text = "；".join(f"{labels.get(f, f)}：{'，'.join(m)}" if f != "__all__" else "，".join(m)
                        for f, m in errors.items())
        super().__init__(text, field=next(iter(errors), None))


def get_in_scope(qs, pk, message: str):
    """Row `pk` of `qs` (the actor's scope already applied), or NotFound(message): a malformed id, a missing
    row and one outside the scope answer alike."""
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(message) from None
