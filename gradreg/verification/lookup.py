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

import datetime as dt
import hashlib
import logging
import threading
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, connections, router
from django.utils import timezone

from gradreg.archives.models import RecordState, TransferRecord
from gradreg.common import ratelimit
from gradreg.ems.models import Graduate, ReportedDestination

from . import codeformat, windows
from .models import CodeType, LookupOutcome, SheetKind, SheetLookup, TransferCode, VerificationGrant
from .sheets import Sheet, sheet_for

log = logging.getLogger(__name__)

UNVERIFIABLE = "无法核验"
UNVERIFIABLE_DETAIL = ("未能查询到对应的去向登记信息表：姓名或编号有误，或编号已失效、已超过在线核验服务期。"
                       "请与毕业生本人或其学校核实。")
THROTTLED = "查询过于频繁，请10分钟后再试。"
WINDOW_SECONDS = 10 * 60


class Throttled(Exception):
    """Too many look-ups from this address, or of this code, in the window."""


def allow(ip: str | None, code_digest: str = "") -> bool:
    """Count one look-up for the address (and the code), in one round trip; False once either has used up its
    window's share."""
    keys = [f"gradreg:sheet-lookups:ip:{ip or 'unknown'}"]
    limits = [settings.SHEET_LOOKUPS_PER_ADDRESS]
    if code_digest:
        keys.append(f"gradreg:sheet-lookups:code:{code_digest[:32]}")
        limits.append(settings.SHEET_LOOKUPS_PER_CODE)
    ok = all(n <= limit for n, limit in zip(ratelimit.hit_many(keys, WINDOW_SECONDS), limits, strict=True))
    if not ok:
        log.warning("sheet look-up throttled for %s", ip)
    return ok


def same_name(typed: object, name: str) -> bool:
    """The typed name is the graduate's (width and surrounding spaces forgiven, nothing else)."""
    if not isinstance(typed, str) or len(typed) > 100:
        return False
    return unicodedata.normalize("NFKC", typed).strip() == unicodedata.normalize("NFKC", name).strip()


# ---- one lean query per look-up --------------------------------------------------------------------------
#
# A look-up asks the database, every time, whether the code verifies now (never a cached answer): one
# statement reads the code's own state, its graduate's validity, window and name, and a fingerprint of what the
# sheet shows (the graduate's printed columns, EMS's destination, the registered 档案/户口 info's version).
# The sheet itself (`Sheet`, with its QR code) is kept by each process under that fingerprint, so a
# scanned sheet is built once per change, not once per scan; the names of the school and the major, the
# only printed values outside the fingerprint, are re-read at most every SHEET_CACHE_SECONDS.

SHEET_CACHE_SECONDS = 10 * 60
_PRINTED = ("name", "gender", "origin_region", "major_id", "education_level", "graduation_date")
_DESTINATION = ("destination", "subtype", "employer_name", "employer_region")


def _probe_sql(model) -> str:
    g, rd, tr = Graduate._meta.db_table, ReportedDestination._meta.db_table, TransferRecord._meta.db_table
    own = ("x.stale_at IS NULL" if model is TransferCode
           else "CASE WHEN x.ended_at IS NULL AND x.expires_at > %s THEN 1 ELSE 0 END")
    return (
        f"SELECT x.code, x.qr_token, {own}, g.id, g.school_id, g.is_valid, "
        + ", ".join(f"g.{c}" for c in _PRINTED) + ", "
        + ", ".join(f"rd.{c}" for c in _DESTINATION) + ", rd.updated_at, tr.version "
        f"FROM {model._meta.db_table} x JOIN {g} g ON g.id = x.graduate_id AND g.school_id = x.school_id "
        f"LEFT JOIN {rd} rd ON rd.graduate_id = g.id AND rd.school_id = g.school_id "
        f"LEFT JOIN {tr} tr ON tr.graduate_id = g.id AND tr.school_id = g.school_id AND tr.kind = %s "
        f"AND tr.state = %s WHERE x.{{by}} = %s" + (" AND x.kind = %s" if model is TransferCode else ""))


_SQL = {model: _probe_sql(model) for model in (TransferCode, VerificationGrant)}


@dataclass(frozen=True)
class Hit:
    """What the lean query tells of a code: whose, whether it is current, and what its sheet would show."""

    code_type: str
    code: str
    qr_token: str
    current: bool  # the grant is live / the 转递编号 is not stale
    graduate_id: int
    school_id: int
    is_valid: bool
    graduation_date: dt.date
    name: str
    fingerprint: str


def _probe(model, kind: str, by: str, value: str) -> Hit | None:
    params: list = []
    if model is VerificationGrant:
        params.append(connection.ops.adapt_datetimefield_value(timezone.now()))
    params += [kind, RecordState.REGISTERED, value]
    if model is TransferCode:
        params.append(kind)
    with connection.cursor() as cursor:
        cursor.execute(_SQL[model].format(by=by), params)
        row = cursor.fetchone()
    if row is None:
        return None
    code, token, current, graduate_id, school_id, is_valid = row[:6]
    printed = row[6:6 + len(_PRINTED)]
    graduated = printed[-1]
    if isinstance(graduated, str):  # SQLite answers a date as text
        graduated = dt.date.fromisoformat(graduated)
    code_type = CodeType.TRANSFER if model is TransferCode else CodeType.VERIFY
    fingerprint = hashlib.sha256(repr((kind, code_type, code, token, row[3:])).encode()).hexdigest()
    return Hit(code_type, code, token, bool(current), graduate_id, school_id, bool(is_valid), graduated,
               printed[0], fingerprint)


def _by_code(kind: str, code: str) -> Hit | None:
    return _probe(VerificationGrant, kind, "code", code) or _probe(TransferCode, kind, "code", code)


def _by_token(kind: str, token: str) -> Hit | None:
    """A grant's token serves either sheet; a 转递编号's only its own. The 转递编号 is asked first: a receiving
    agency scans the sheet the school issued (tokens are random, so no token names both)."""
    return _probe(TransferCode, kind, "qr_token", token) or _probe(VerificationGrant, kind, "qr_token", token)


def _in_window(hit: Hit) -> bool:
    if hit.code_type == CodeType.VERIFY:
        return windows.is_open(windows.verify_code_until(hit.graduation_date))
    return windows.is_open(windows.transfer_code_until(hit.graduation_date))


_BUILT: OrderedDict[str, tuple[float, Sheet]] = OrderedDict()
_BUILT_MAX = 2048
_built_lock = threading.Lock()


def _built(hit: Hit, kind: str) -> Sheet:
    """The sheet of a code that verifies: kept by the process under its fingerprint (the most recent 2,048, each
    at most SHEET_CACHE_SECONDS), or built. Nothing to invalidate: a change of what it shows is a new key."""
    now = time.monotonic()
    with _built_lock:
        kept = _BUILT.get(hit.fingerprint)
        if kept is not None and kept[0] > now:
            _BUILT.move_to_end(hit.fingerprint)
            return kept[1]
    graduate = Graduate.objects.select_related("school", "major").get(pk=hit.graduate_id)
    sheet = sheet_for(graduate, kind).with_code(hit.code_type, hit.code, hit.qr_token)
    with _built_lock:
        _BUILT[hit.fingerprint] = (now + SHEET_CACHE_SECONDS, sheet)
        while len(_BUILT) > _BUILT_MAX:
            _BUILT.popitem(last=False)
    return sheet


def _sheet(hit: Hit | None, kind: str, name: object | None) -> Sheet | None:
    if hit is None or not hit.current or not hit.is_valid or not _in_window(hit):
        return None
    if name is not None and not same_name(name, hit.name):
        return None
    return _built(hit, kind)


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
    # one round trip: the transaction, its asynchronous commit and the row in one batch of statements
    values = [connection.ops.adapt_datetimefield_value(timezone.now()), row.ip, row.kind, row.method,
              row.outcome, row.code_type, row.code_digest, row.graduate_id, row.school_id]
    try:
        with connection.cursor() as cursor:
            cursor.execute(_LOG_SQL, values)
    except Exception:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")
        raise


_LOG_SQL = (f"BEGIN; SET LOCAL synchronous_commit TO OFF; INSERT INTO {SheetLookup._meta.db_table} "
            "(at, ip, kind, method, outcome, code_type, code_digest, graduate_id, school_id) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s); COMMIT")


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
