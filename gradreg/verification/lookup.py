"""The public look-up of a 去向登记信息表 (seed 6.3): 姓名 + 核验编号 or 转递编号, or the QR code's address.

A code verifies while it is current and inside its window (`windows`):
- a 核验编号 while its 核验授权 is 生效中 (not ended by an important change, not past `expires_at`) and until the
  graduation date + 6 months;
- a 转递编号 for its own sheet, while not stale (an important change) and until 31 March after graduation.
The graduate must still be on the roster (not 失效). A wrong name, a wrong code, a stale, superseded or expired
code all get the same answer (None → "无法核验"), so the page tells a guesser nothing. Each client address and
each typed code get a bounded number of look-ups (the shared cache counts); every look-up is logged
(`SheetLookup`, the code as a digest).
"""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from gradreg.common import ratelimit
from gradreg.ems.models import Graduate

from . import codeformat, windows
from .models import CodeType, LookupOutcome, SheetKind, SheetLookup, TransferCode, VerificationGrant
from .sheets import Sheet, sheet_for

log = logging.getLogger(__name__)

UNVERIFIABLE = "无法核验"
UNVERIFIABLE_DETAIL = ("未能查询到对应的去向登记信息表：姓名或编号有误，或编号已失效、已超过在线核验服务期。"
                       "请与毕业生本人或其学校核实。")
THROTTLED = "查询过于频繁，请10分钟后再试。"
WINDOW_SECONDS = 10 * 60
PER_ADDRESS = 30  # settings.SHEET_LOOKUPS_PER_ADDRESS
PER_CODE = 10  # settings.SHEET_LOOKUPS_PER_CODE


class Throttled(Exception):
    """Too many look-ups from this address, or of this code, in the window."""


def _count(key: str, limit: int) -> bool:
    return ratelimit.hit(key, WINDOW_SECONDS) <= limit


def allow(ip: str | None, code_digest: str = "") -> bool:
    """Count one look-up for the address (and the code); False once either has used up its window's share."""
    ok = _count(f"gradreg:sheet-lookups:ip:{ip or 'unknown'}",
                getattr(settings, "SHEET_LOOKUPS_PER_ADDRESS", PER_ADDRESS))
    if code_digest:
        ok = _count(f"gradreg:sheet-lookups:code:{code_digest[:32]}",
                    getattr(settings, "SHEET_LOOKUPS_PER_CODE", PER_CODE)) and ok
    if not ok:
        log.warning("sheet look-up throttled for %s", ip)
    return ok


def same_name(typed: object, name: str) -> bool:
    """The typed name is the graduate's (width and surrounding spaces forgiven, nothing else)."""
    if not isinstance(typed, str) or len(typed) > 100:
        return False
    return unicodedata.normalize("NFKC", typed).strip() == unicodedata.normalize("NFKC", name).strip()


# One query finds the code, its graduate and what the sheet shows of them (EMS's destination included).
WITH_GRADUATE = ("graduate__school", "graduate__major", "graduate__reported_destination")


@dataclass(frozen=True)
class Hit:
    code_type: str
    code: str
    qr_token: str
    graduate: Graduate

    @property
    def graduate_id(self) -> int:
        return self.graduate.pk


def grant_is_live(grant: VerificationGrant, now=None) -> bool:
    return grant.ended_at is None and grant.expires_at > (now or timezone.now())


def _grant_hit(grant: VerificationGrant | None) -> Hit | None:
    if grant is None or not grant_is_live(grant):
        return None
    return Hit(CodeType.VERIFY, grant.code, grant.qr_token, grant.graduate)


def _transfer_hit(tc: TransferCode | None) -> Hit | None:
    if tc is None or tc.stale_at is not None:
        return None
    return Hit(CodeType.TRANSFER, tc.code, tc.qr_token, tc.graduate)


def _by_code(kind: str, code: str) -> Hit | None:
    return (_grant_hit(VerificationGrant.objects.select_related(*WITH_GRADUATE).filter(code=code).first())
            or _transfer_hit(TransferCode.objects.select_related(*WITH_GRADUATE).filter(code=code, kind=kind).first()))


def _by_token(kind: str, token: str) -> Hit | None:
    """A grant's token serves either sheet; a 转递编号's only its own. The 转递编号 is asked first: a receiving
    agency scans the sheet the school issued (tokens are random, so no token names both)."""
    return (_transfer_hit(TransferCode.objects.select_related(*WITH_GRADUATE).filter(qr_token=token, kind=kind)
                          .first())
            or _grant_hit(VerificationGrant.objects.select_related(*WITH_GRADUATE).filter(qr_token=token).first()))


def _in_window(hit: Hit, graduate: Graduate) -> bool:
    if hit.code_type == CodeType.VERIFY:
        return windows.is_open(windows.verify_code_until(graduate.graduation_date))
    return windows.is_open(windows.transfer_code_until(graduate.graduation_date))


def _sheet(hit: Hit | None, kind: str, name: object | None) -> Sheet | None:
    if hit is None:
        return None
    graduate = hit.graduate
    if not graduate.is_valid or not _in_window(hit, graduate):
        return None
    if name is not None and not same_name(name, graduate.name):
        return None
    return sheet_for(graduate, kind).with_code(hit.code_type, hit.code, hit.qr_token)


def current_sheet(kind: str, code: str) -> Sheet | None:
    """The sheet `code` verifies now (the same rules as a look-up), or None; neither counted nor logged: the
    document check calls it for a file whose platform signature already held."""
    return _sheet(_by_code(SheetKind(kind).value, code), kind, None)


def log_lookup(kind: str, method: str, ip: str | None, outcome: str, *, digest: str = "",
               sheet: Sheet | None = None, code_type: str = "") -> None:
    """One `SheetLookup` row. On PostgreSQL its commit does not wait for the WAL to reach the disk (the row is
    written, in order, a fraction of a second later): a public look-up is a read whose log must not cost it an
    fsync; a database crash can lose the last instant's log rows, never anything else."""
    row = SheetLookup(kind=kind, method=method, ip=ip, outcome=outcome, code_digest=digest,
                      code_type=sheet.code_type if sheet else code_type,
                      graduate_id=sheet.graduate_id if sheet else None, school_id=sheet.school_id if sheet else None)
    connection = connections[router.db_for_write(SheetLookup)]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        row.save(force_insert=True)  # inside a caller's transaction: its commit decides
        return
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        row.save(force_insert=True, using=connection.alias)


def by_name_and_code(kind: str, *, name: object, code: object, ip: str | None, method: str) -> Sheet | None:
    """姓名 + 核验编号/转递编号 → the sheet, or None (无法核验). Raises Throttled."""
    kind = SheetKind(kind).value
    stored = codeformat.read(code)
    digest = codeformat.digest(stored or str(code)[:64])
    if not allow(ip, digest):
        log_lookup(kind, method, ip, LookupOutcome.THROTTLED, digest=digest)
        raise Throttled
    sheet = _sheet(_by_code(kind, stored), kind, name) if stored else None
    log_lookup(kind, method, ip, LookupOutcome.SHOWN if sheet else LookupOutcome.REFUSED, digest=digest, sheet=sheet)
    return sheet


def by_qr(kind: str, token: str, *, ip: str | None, method: str) -> Sheet | None:
    """The QR code's address (`verification:sheet_qr`: the sheet and the token) → the sheet, or None (无法核验).
    Raises Throttled."""
    kind = SheetKind(kind).value
    digest = codeformat.digest(token[:64])
    if not allow(ip, digest):
        log_lookup(kind, method, ip, LookupOutcome.THROTTLED, digest=digest)
        raise Throttled
    sheet = _sheet(_by_token(kind, token), kind, None) if len(token) <= 32 else None
    log_lookup(kind, method, ip, LookupOutcome.SHOWN if sheet else LookupOutcome.REFUSED, digest=digest, sheet=sheet)
    return sheet
