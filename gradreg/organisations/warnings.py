"""Warned employers (预警单位, SPEC 3) as a user may see them, on any page that names an employer.

An employer registered on the platform is matched by its id; one a graduate typed in (an offline
signing, a 补登, a registration) by its 统一社会信用代码, as soon as the code names a warned employer.
"""
from __future__ import annotations

from typing import Any

from gradreg.common.roles import Role

from .selectors import (
    employer_warnings,
    normalise_credit_code,
    viewer_school_id,
    warned_employers_by_credit_code,
)


def warning_for(user, employer_ids, credit_codes=()) -> dict[int | str, Any]:
    """Warned-employer flags for the employers on a page, as this user may see them (one or two queries).

    Keyed by employer id, and by 统一社会信用代码 for the codes given: an employer the graduate typed in
    (线下签约) has no id but is still warned when its code names a warned employer. Read with `warning_of`.
    """
    ids = {i for i in employer_ids if i}
    codes = {c for c in credit_codes if c}
    if not (ids or codes) or user.role == Role.EMPLOYER:
        return {}
    # only a flagged employer's code can carry a warning: no query for the codes of unflagged ones
    by_code = warned_employers_by_credit_code(codes)
    warn: dict[int | str, Any] = dict(employer_warnings(viewer_school_id=viewer_school_id(user),
                                                        employer_ids=ids | set(by_code.values())))
    warn.update({code: warn[pk] for code, pk in by_code.items()})
    return warn


def warning_of(warn: dict, employer_id: int | None, credit_code: str = "") -> Any:
    """One item's warning from `warning_for`: by its employer, else by the credit code typed in."""
    if employer_id:
        return warn.get(employer_id)
    return warn.get(normalise_credit_code(credit_code))


def typed_codes(rows) -> list[str]:
    """The credit codes of the rows that name no registered employer (typed in by the graduate)."""
    return [r["credit_code"] for r in rows if not r["employer_id"] and r.get("credit_code")]


def item_warning(user, employer_id: int | None, credit_code: str = "") -> Any:
    """The warning on one item's employer, as this user may see it."""
    return warning_of(warning_for(user, [employer_id], [] if employer_id else [credit_code]), employer_id, credit_code)


def typed_warning(user, typed: Any) -> Any:
    """The warning on a 统一社会信用代码 as a graduate is typing it (a form's value, a query parameter): cut to
    a length no code with its spaces exceeds, so a pasted page is never looked up whole."""
    return item_warning(user, None, str(typed or "").replace("\x00", "")[:40])
