"""实人认证 (real-person authentication) before a 核验授权: one small provider interface, chosen by the setting
`IDENTITY_PROVIDER` (a dotted path to an `IdentityProvider` class).

A provider has two steps: `start` (for a graduate: send what proves them, tell where, masked) and `finish`
(the typed ID number and code: passed, or refused with one answer). The built-in provider is not a face
check: it checks the typed ID number against the roster's and a six-digit code sent by SMS or e-mail to the
roster's phone or e-mail through the code sender (`gradreg.notifications.channels.get_sender`), never the
in-app message centre, which proves nothing about who reads it. The code is stored as a hash
(`IdentityCheck`), lives `IDENTITY_CODE_TTL_SECONDS`, is used once, allows `IDENTITY_CODE_ATTEMPTS` tries,
may be resent after `IDENTITY_CODE_RESEND_SECONDS` and at most `IDENTITY_CODES_PER_DAY` times a day. A
wrong ID number and a wrong code get the same answer and count alike, per check, per graduate and per
client address (the shared cache, an hour's window).
"""
from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gradreg.common import ratelimit
from gradreg.common.errors import DomainError, Invalid
from gradreg.ems.models import Graduate
from gradreg.notifications.channels import get_sender
from gradreg.roster.activation import CHANNEL_EMAIL, CHANNEL_LABELS, CHANNEL_SMS, masked_address, new_one_time_code

from .models import IdentityCheck

log = logging.getLogger("gradreg.verification")

BUILTIN_NAME = "平台内置实人认证（身份证号核对 + 短信/邮件验证码）"
# one answer for a wrong ID number and a wrong code: a guesser learns neither
MISMATCH = "身份证号或验证码不正确"
THROTTLED = "实人认证失败次数过多，请1小时后再试。"
FAIL_WINDOW_SECONDS = 60 * 60
ID_NUMBER_MAX = 18
CODE_LENGTH = 6


@dataclass(frozen=True)
class Started:
    """What `start` sent and where (masked), and until when it may be used."""

    provider: str
    channel: str
    sent_to: str
    expires_at: dt.datetime

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)


@dataclass(frozen=True)
class Result:
    """`finish`'s answer: passed, or the refusal to show (its attempts already counted and kept)."""

    passed: bool
    provider: str
    error: DomainError | None = None


class IdentityProvider:
    """The 实人认证 interface. `key` is kept on the grant; `name` is what the graduate's page calls it."""

    key = ""
    name = ""
    channels: tuple[tuple[str, str], ...] = ()

    def start(self, graduate: Graduate, *, channel: str, ip: str | None = None) -> Started:  # pragma: no cover
        raise NotImplementedError

    def pending(self, graduate: Graduate) -> Started | None:  # pragma: no cover
        """A started check not yet finished nor expired (the page shows its step two)."""
        raise NotImplementedError

    def finish(self, graduate: Graduate, *, id_number: object, code: object, ip: str | None = None) -> Result:
        raise NotImplementedError  # pragma: no cover


def get_provider() -> IdentityProvider:
    return import_string(settings.IDENTITY_PROVIDER)()


def normalise_id_number(value: str) -> str:
    """Full-width digits and letters, spaces and case forgiven: "４４０１０６ ... x" reads as "440106...X"."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def clean_inputs(id_number: object, code: object) -> tuple[str, str]:
    """The typed ID number and code, or Invalid naming the field: wrong type, too long, control characters."""
    errors: dict[str, list[str]] = {}
    texts = {}
    for name, value, limit, label in (("id_number", id_number, 40, "身份证号"), ("code", code, 20, "验证码")):
        text = value if isinstance(value, str) else None
        if text is None or not text.strip():
            errors[name] = [f"请填写{label}。"]
        elif len(text) > limit or any(unicodedata.category(ch) == "Cc" for ch in text):
            errors[name] = [f"{label}格式不正确。"]
        else:
            texts[name] = text
    if errors:
        raise Invalid(errors)
    id_text, code_text = normalise_id_number(texts["id_number"]), texts["code"].strip()
    if len(id_text) != ID_NUMBER_MAX or not (id_text[:17].isdigit() and (id_text[17].isdigit() or id_text[17] == "X")):
        raise Invalid({"id_number": ["请输入18位身份证号码。"]})
    if len(code_text) != CODE_LENGTH or not code_text.isdigit():
        raise Invalid({"code": ["请输入6位数字验证码。"]})
    return id_text, code_text


class BuiltinProvider(IdentityProvider):
    """身份证号核对 + a one-time code by SMS or e-mail to the roster's own phone or e-mail."""

    key = "builtin"
    name = BUILTIN_NAME
    channels = ((CHANNEL_SMS, "手机短信"), (CHANNEL_EMAIL, "电子邮箱"))

    # -- step one

    def start(self, graduate: Graduate, *, channel: str, ip: str | None = None) -> Started:
        if channel not in dict(self.channels):
            raise Invalid({"channel": ["请选择验证码的发送方式（手机短信或电子邮箱）。"]})
        if ratelimit.exceeded(self._fail_keys(graduate, ip)):
            raise DomainError(THROTTLED, code="throttled")
        now = timezone.now()
        address = (graduate.phone if channel == CHANNEL_SMS else graduate.email).strip()
        if not address:
            where = "手机号码" if channel == CHANNEL_SMS else "电子邮箱"
            raise DomainError(f"毕业生名单上没有您的{where}，请选择另一种方式，或联系所在院系在就业管理系统中补充。",
                              code="no_contact", field="channel")
        with transaction.atomic():
            # one graduate's requests in turn, so the resend limit holds under concurrent clicks
            Graduate.objects.select_for_update(of=("self",)).filter(pk=graduate.pk).first()
            recent = IdentityCheck.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk, created_at__gt=now - dt.timedelta(days=1))
            last = recent.order_by("-created_at").first()
            wait = settings.IDENTITY_CODE_RESEND_SECONDS
            if last is not None and (now - last.created_at).total_seconds() < wait:
                left = wait - int((now - last.created_at).total_seconds())
                raise DomainError(f"验证码发送过于频繁，请{left}秒后再试。", code="too_soon")
            if recent.count() >= settings.IDENTITY_CODES_PER_DAY:
                raise DomainError("今天获取验证码的次数已达上限，请明天再试。", code="too_many_codes")
            code = new_one_time_code()
            ttl = settings.IDENTITY_CODE_TTL_SECONDS
            check = IdentityCheck.objects.create(
                graduate_id=graduate.pk, school_id=graduate.school_id, code_hash=make_password(code),
                channel=channel, sent_to=masked_address(channel, address), created_at=now,
                expires_at=now + dt.timedelta(seconds=ttl))
        text = (f"【毕业去向登记平台】您正在进行核验授权的实人认证，验证码为{code}，{max(ttl // 60, 1)}分钟内有效。"
                "请勿将验证码告诉他人。")
        try:
            get_sender().send(channel=channel, to=address, text=text)
        except Exception:  # a failed send must not leave a code that blocks the retry for a minute
            log.exception("identity code for graduate %s could not be sent by %s", graduate.pk, channel)
            IdentityCheck.objects.filter(school_id=graduate.school_id, pk=check.pk).delete()
            raise DomainError("验证码发送失败，请稍后再试。", code="send_failed") from None
        log.info("identity code sent to graduate %s by %s from %s", graduate.pk, channel, ip)
        return Started(self.key, channel, check.sent_to, check.expires_at)

    def pending(self, graduate: Graduate) -> Started | None:
        check = (IdentityCheck.objects.filter(school_id=graduate.school_id, graduate_id=graduate.pk, used_at__isnull=True,
                                              expires_at__gt=timezone.now(),
                                              attempts__lt=settings.IDENTITY_CODE_ATTEMPTS)
                 .order_by("-created_at").first())
        return Started(self.key, check.channel, check.sent_to, check.expires_at) if check else None

    # -- step two

    def finish(self, graduate: Graduate, *, id_number: object, code: object, ip: str | None = None) -> Result:
        id_text, code_text = clean_inputs(id_number, code)
        keys = self._fail_keys(graduate, ip)
        if ratelimit.exceeded(keys):
            return self._refused(DomainError(THROTTLED, code="throttled"))
        now = timezone.now()
        with transaction.atomic():
            check = (IdentityCheck.objects.select_for_update().filter(school_id=graduate.school_id, graduate_id=graduate.pk)
                     .order_by("-created_at").first())
            if check is None or check.used_at is not None:
                return self._refused(DomainError("请先获取验证码。", code="no_code", field="code"))
            if check.attempts >= settings.IDENTITY_CODE_ATTEMPTS:
                return self._refused(DomainError("验证码错误次数过多，已失效，请重新获取验证码。",
                                                 code="too_many_attempts", field="code"))
            if check.expires_at <= now:
                return self._refused(DomainError("验证码已过期，请重新获取验证码。", code="expired", field="code"))
            # both compared whatever the first gives, so the time taken tells nothing either
            same_id = id_text == normalise_id_number(graduate.id_number)
            same_code = check_password(code_text, check.code_hash)
            if same_id and same_code:
                check.used_at = now
                check.save(update_fields=["used_at"])
                return Result(True, self.key)
            check.attempts += 1
            check.save(update_fields=["attempts"])
        ratelimit.hit_all(keys, FAIL_WINDOW_SECONDS)
        log.info("identity check failed for graduate %s from %s", graduate.pk, ip)
        left = settings.IDENTITY_CODE_ATTEMPTS - check.attempts
        message = f"{MISMATCH}，还可以尝试{left}次。" if left > 0 else f"{MISMATCH}。验证码已失效，请重新获取验证码。"
        return self._refused(DomainError(message, code="mismatch", field="code"))

    def _refused(self, error: DomainError) -> Result:
        return Result(False, self.key, error)

    @staticmethod
    def _fail_keys(graduate: Graduate, ip: str | None) -> dict[str, int]:
        keys = {f"gradreg:identity-fail:graduate:{graduate.pk}": settings.IDENTITY_FAILS_PER_GRADUATE}
        if ip:
            keys[f"gradreg:identity-fail:ip:{ratelimit.key_part(ip)}"] = settings.IDENTITY_FAILS_PER_ADDRESS
        return keys
