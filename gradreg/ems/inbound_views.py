"""EMS's inbound endpoint: the platform's (or another client's) signed events, applied exactly once.

The wire format is in docs/ems-protocol.md. No session and no CSRF token: the signature is the credential.
"""
from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gradreg.common.signed_http import SignatureRefused, verify
from gradreg.workflow import outbox

from .sync import PayloadConflict, UnknownTopic

log = logging.getLogger("gradreg.ems.inbound")
MAX_KEY, MAX_TOPIC = 120, 60


def _answer(http_status: int, **body) -> JsonResponse:
    return JsonResponse(body, status=http_status, json_dumps_params={"ensure_ascii": False})


def _use_nonce(client: str, nonce: str) -> bool:
    """Remember the nonce for twice the skew (a timestamp may be that far either side); False when seen."""
    return cache.add(f"ems-inbound-nonce:{client}:{nonce}", 1, timeout=2 * settings.EMS_SIGNATURE_MAX_SKEW_SECONDS)


def _event(body: bytes) -> tuple[str, str, dict]:
    """(topic, key, payload) of the body, or ValueError with the reason in Chinese."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ValueError("请求体不是有效的 UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise ValueError("请求体应为 JSON 对象 {topic, key, payload}")
    topic, key, payload = data.get("topic"), data.get("key"), data.get("payload")
    if not isinstance(topic, str) or not 0 < len(topic) <= MAX_TOPIC:
        raise ValueError(f"topic 应为 1–{MAX_TOPIC} 个字符的文本")
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY:
        raise ValueError(f"key 应为 1–{MAX_KEY} 个字符的文本")
    if not isinstance(payload, dict):
        raise ValueError("payload 应为 JSON 对象")
    return topic, key, payload


@csrf_exempt
@require_POST
def inbound_event(request):
    body = request.body
    try:
        client = verify(request.headers, request.method, request.path, body, keys=settings.EMS_CLIENT_KEYS,
                        max_skew=settings.EMS_SIGNATURE_MAX_SKEW_SECONDS, use_nonce=_use_nonce)
    except SignatureRefused as exc:
        log.warning("inbound event refused (client %r): %s", request.headers.get("X-Gradreg-Client", "")[:60], exc)
        return _answer(401, code="unauthorized", detail=str(exc))
    try:
        topic, key, payload = _event(body)
    except ValueError as exc:
        return _answer(422, code="bad_event", detail=str(exc))
    receiver = outbox.RECEIVERS.get(topic.split(".", 1)[0])
    if receiver is None:
        return _answer(422, code="unknown_topic", detail=f"无法处理的事件类型：{topic}")
    try:
        applied = receiver(topic, key, payload)
    except PayloadConflict as exc:
        return _answer(409, code="conflict", detail=str(exc), key=key)
    except UnknownTopic as exc:
        return _answer(422, code="unknown_topic", detail=str(exc), key=key)
    except (ValueError, KeyError, TypeError) as exc:  # UnknownTopic, BadEvent, a payload missing a field
        log.warning("inbound event %s %s from %s not applied: %r", topic, key, client, exc)
        detail = str(exc) if isinstance(exc, ValueError) else f"事件内容不完整或类型不正确：{exc}"
        return _answer(422, code="bad_event", detail=detail, key=key)
    return _answer(200, status="applied" if applied is not False else "already_applied", key=key)
