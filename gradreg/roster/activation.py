"""Graduate self-activation: 考生号 + 身份证号 → one-time code to the roster's phone/e-mail → own password.

No account is ever created with a default password: a graduate proves who they are with the 考生号,
the ID number and a one-time code sent to the phone or e-mail on the roster, then chooses a password.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from gradreg.accounts.models import ActivationCode, Role, User
from gradreg.accounts.services import password_problems, save_new_user
from gradreg.common import ratelimit
from gradreg.common.errors import DomainError
from gradreg.common.masking import mask_email, mask_phone
from gradreg.ems.models import Graduate
from gradreg.ems.validation import check_id_number
from gradreg.notifications.channels import get_sender

from .gates import cohort_may_act, current_cohort

log = logging.getLogger("gradreg.accounts")

CODE_MAX_ATTEMPTS = 5
CODE_RESEND_SECONDS = 60
CODES_PER_DAY = 10
CHANNEL_SMS = "sms"
CHANNEL_EMAIL = "email"
CHANNEL_LABELS = {CHANNEL_SMS: "手机短信", CHANNEL_EMAIL: "电子邮箱"}

# One answer for "no such graduate" and "wrong ID number": the page must not tell which one it was.
NO_MATCH = "考生号与身份证号不匹配，或您不在本年度毕业生名单中。请核对后重试，如有疑问请联系所在院系。"
# Guessing the last digits of an ID number for a known 考生号 would take about a thousand tries; mismatches
# are counted per 考生号 (whether or not it exists, so the limit itself reveals nothing) and per address.
FAILS_PER_EXAM_NO = 10
FAILS_PER_IP = 30
FAIL_WINDOW_SECONDS = 60 * 60
THROTTLED = "核对失败次数过多，请1小时后再试。"


def new_one_time_code() -> str:
    """Six digits from the CSPRNG."""
    return f"{secrets.randbelow(10**6):06d}"


@dataclass(frozen=True)
class ActivationStarted:
    graduate_id: int
    exam_no: str
    channel: str
    sent_to: str  # masked
    expires_at: dt.datetime

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS[self.channel]


def _normalise_id_number(value: str) -> str:
    return value.strip().upper()


def _match_graduate(exam_no: str, id_number: str) -> Graduate:
    """The roster graduate with this 考生号 and ID number (newest cohort first), or NO_MATCH."""
    graduate = (
        Graduate.objects.filter(exam_no=exam_no.strip(), id_number=_normalise_id_number(id_number))
        .order_by("-graduation_year")
        .first()
    )
    if graduate is None:
        raise DomainError(NO_MATCH, code="no_match")
    return graduate


def _fail_keys(exam_no: str, ip: str | None) -> dict[str, int]:
    """Cache key -> limit. The 考生号 is hashed: keys must be short and plain, and hold no personal data."""
    keys = {f"gradreg:activation-fail:exam:{ratelimit.key_part(exam_no.strip().upper())}": FAILS_PER_EXAM_NO}
    if ip:
        keys[f"gradreg:activation-fail:ip:{ip}"] = FAILS_PER_IP
    return keys


def _ensure_not_throttled(exam_no: str, ip: str | None) -> None:
    if ratelimit.exceeded(_fail_keys(exam_no, ip)):
        log.warning("activation check throttled for %s", ip)
        raise DomainError(THROTTLED, code="throttled")


def _count_mismatch(exam_no: str, ip: str | None) -> None:
    ratelimit.hit_all(_fail_keys(exam_no, ip), FAIL_WINDOW_SECONDS)


def _ensure_may_activate(graduate: Graduate) -> None:
    """Only asked once the 考生号 and ID number matched, so these answers reveal nothing new."""
    if User.objects.filter(graduate=graduate).exists() or User.objects.filter(username=graduate.exam_no).exists():
        raise DomainError("您的账号已激活，请直接登录。如忘记密码，请联系所在院系。", code="already_active")
    if not graduate.is_valid:
        raise DomainError(
            "您已从就业管理系统毕业生名单中删除（失效），不能激活账号。如有疑问请联系所在院系。", code="invalid_graduate"
        )
    if not cohort_may_act(graduate.graduation_year):
        if graduate.graduation_year == current_cohort() - 1:
            msg = f"{graduate.graduation_year}届毕业生的办理期限已于{graduate.graduation_year + 1}年1月31日截止，不能再激活账号。"
        else:
            msg = f"{graduate.graduation_year}届为往届毕业生，不能激活账号。"
        raise DomainError(msg, code="cohort_closed")


def _destination(graduate: Graduate, preferred: str) -> tuple[str, str]:
    """(channel, address): the channel asked for, or the other one when the roster lacks it."""
    options = {CHANNEL_SMS: graduate.phone.strip(), CHANNEL_EMAIL: graduate.email.strip()}
    order = [preferred, CHANNEL_EMAIL if preferred == CHANNEL_SMS else CHANNEL_SMS]
    for channel in order:
        if options.get(channel):
            return channel, options[channel]
    raise DomainError(
        "毕业生名单上没有您的手机号码或电子邮箱，无法发送验证码。请联系所在院系在就业管理系统中补充后再激活。",
        code="no_contact",
    )


def masked_address(channel: str, address: str) -> str:
    """The address a code went to, as a page may show it."""
    return mask_phone(address) if channel == CHANNEL_SMS else mask_email(address)


def graduate_activation_start(
    *, exam_no: str, id_number: str, channel: str = CHANNEL_SMS, ip: str | None = None
) -> ActivationStarted:
    """Step 1: check the graduate against the roster and send a 6-digit code to the roster's phone/e-mail."""
    if channel not in CHANNEL_LABELS:
        raise DomainError("请选择验证码的发送方式。", field="channel")
    now = timezone.now()
    _ensure_not_throttled(exam_no, ip)
    id_number, problem = check_id_number(id_number)
    if problem:  # the typed number alone is wrong: nothing about the roster is told
        raise DomainError(f"{problem}。", code="invalid_id_number", field="id_number")
    try:
        graduate = _match_graduate(exam_no, id_number)
    except DomainError:
        _count_mismatch(exam_no, ip)
        log.info("activation check failed from %s", ip)
        raise
    with transaction.atomic():
        # Serialise concurrent requests for one graduate, so the resend limit holds.
        graduate = Graduate.objects.select_for_update().get(pk=graduate.pk)
        _ensure_may_activate(graduate)
        recent = ActivationCode.objects.filter(school_id=graduate.school_id, graduate=graduate,
                                               created_at__gt=now - dt.timedelta(days=1))
        last = recent.order_by("-created_at").first()
        if last is not None and (now - last.created_at).total_seconds() < CODE_RESEND_SECONDS:
            wait = CODE_RESEND_SECONDS - int((now - last.created_at).total_seconds())
            raise DomainError(f"验证码发送过于频繁，请{wait}秒后再试。", code="too_soon")
        if recent.count() >= CODES_PER_DAY:
            raise DomainError("今天获取验证码的次数已达上限，请明天再试。", code="too_many_codes")
        channel, address = _destination(graduate, channel)
        code = new_one_time_code()
        ttl = settings.ACTIVATION_CODE_TTL_SECONDS
        activation = ActivationCode.objects.create(
            graduate=graduate,
            school_id=graduate.school_id,
            code_hash=make_password(code),
            channel=channel,
            sent_to=masked_address(channel, address),
            created_at=now,
            expires_at=now + dt.timedelta(seconds=ttl),
        )
    text = f"【毕业去向登记平台】您的账号激活验证码为{code}，{max(ttl // 60, 1)}分钟内有效。请勿将验证码告诉他人。"
    try:
        get_sender().send(channel=channel, to=address, text=text)
    except Exception:  # the gateway's failure must not leave a code that blocks the retry for a minute
        log.exception("activation code for graduate %s could not be sent by %s", graduate.pk, channel)
        ActivationCode.objects.filter(school_id=graduate.school_id, pk=activation.pk).delete()
        raise DomainError("验证码发送失败，请稍后再试。", code="send_failed") from None
    log.info("activation code sent to graduate %s by %s from %s", graduate.pk, channel, ip)
    return ActivationStarted(
        graduate_id=graduate.pk,
        exam_no=graduate.exam_no,
        channel=channel,
        sent_to=activation.sent_to,
        expires_at=activation.expires_at,
    )


def graduate_activation_confirm(*, graduate_id: int, code: str, password: str, ip: str | None = None) -> User:
    """Step 2: check the code, then create the graduate's account with the password they chose."""
    now = timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        graduate = Graduate.objects.select_for_update().filter(pk=graduate_id).first()
        if graduate is None:
            raise DomainError("激活信息已失效，请重新获取验证码。", code="no_code")
        _ensure_may_activate(graduate)
        activation = (
            ActivationCode.objects.select_for_update().filter(school_id=graduate.school_id, graduate=graduate)
            .order_by("-created_at").first()
        )
        if activation is None or activation.used_at is not None:
            raise DomainError("请先获取验证码。", code="no_code", field="code")
        if activation.attempts >= CODE_MAX_ATTEMPTS:
            raise DomainError("验证码错误次数过多，已失效，请重新获取验证码。", code="too_many_attempts", field="code")
        if activation.expires_at <= now:
            raise DomainError("验证码已过期，请重新获取验证码。", code="expired", field="code")
        user = User(
            username=graduate.exam_no,
            role=Role.GRADUATE,
            graduate=graduate,
            # the graduate's school on the login row: every later request is routed by it (docs/scaling.md)
            school_id=graduate.school_id,
            display_name=graduate.name[:50],
            email=graduate.email,
        )
        problems = password_problems(password, user)
        if problems:
            raise DomainError("".join(problems), code="weak_password", field="password1")
        if not check_password(code, activation.code_hash):
            # Counted in its own statement, committed below: the failure must stick even though we refuse.
            activation.attempts += 1
            activation.save(update_fields=["attempts"])
            left = CODE_MAX_ATTEMPTS - activation.attempts
            wrong = DomainError(
                f"验证码不正确，还可以尝试{left}次。" if left else "验证码错误次数过多，已失效，请重新获取验证码。",
                code="wrong_code",
                field="code",
            )
        else:
            wrong = None
            activation.used_at = now
            activation.save(update_fields=["used_at"])
            user.set_password(password)
            save_new_user(
                user, taken=DomainError("您的账号已激活，请直接登录。", code="already_active"), actor=user,
                action="activate", action_label="激活账号",
                data={"role": Role.GRADUATE, "username": user.username, "channel": activation.channel}, ip=ip,
            )
    if wrong is not None:
        raise wrong
    log.info("graduate %s activated account %s", graduate.pk, user.pk)
    return user
