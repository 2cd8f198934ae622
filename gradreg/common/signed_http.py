"""Signed requests between the platform and EMS (docs/ems-protocol.md): who sent it, when, and that the body
is the one signed.

The sender adds four headers; the receiver checks the client, the clock (within a skew window), that the
nonce was never used within that window, and the HMAC-SHA256 signature (in constant time).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping

CLIENT, TIMESTAMP, NONCE, SIGNATURE = (
    "X-Gradreg-Client", "X-Gradreg-Timestamp", "X-Gradreg-Nonce", "X-Gradreg-Signature")
MAX_HEADER = 200


class SignatureRefused(Exception):
    """The request is not trusted; the message (Chinese) says why, for the answer and the log."""


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The string signed: method, path, timestamp, nonce and the body's SHA-256, one per line."""
    return "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()])


def signature(key: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(key.encode("utf-8"), canonical(method, path, timestamp, nonce, body).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def signed_headers(client_id: str, key: str, method: str, path: str, body: bytes, *,
                   now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    """The four headers for one request; a fresh 128-bit nonce unless one is given (the doc's example)."""
    timestamp = str(int(now if now is not None else time.time()))
    nonce = nonce or secrets.token_hex(16)
    return {CLIENT: client_id, TIMESTAMP: timestamp, NONCE: nonce,
            SIGNATURE: signature(key, method, path, timestamp, nonce, body)}


def parse_keys(raw: str) -> dict[str, str]:
    """"id1:key1,id2:key2" → {id1: key1, id2: key2} (the receiver's clients, from the environment)."""
    keys = {}
    for part in raw.split(","):
        client, sep, key = part.strip().partition(":")
        if part.strip() and (not sep or not client or not key):
            raise ValueError(f"EMS_CLIENT_KEYS: expected id:key, got {part.strip()!r}")
        if client:
            keys[client] = key
    return keys


def verify(headers: Mapping[str, str], method: str, path: str, body: bytes, *, keys: Mapping[str, str],
           max_skew: int, use_nonce: Callable[[str, str], bool], now: float | None = None) -> str:
    """The client id of a trusted request, else SignatureRefused.

    `use_nonce(client, nonce)` records the nonce and answers False when it was already used; it is asked
    only after the signature is good, so nobody can burn another client's nonces.
    """
    values = {name: headers.get(name) or "" for name in (CLIENT, TIMESTAMP, NONCE, SIGNATURE)}
    if not all(values.values()):
        raise SignatureRefused("缺少签名信息（客户端、时间戳、随机数或签名）")
    if any(len(v) > MAX_HEADER or "\x00" in v for v in values.values()):
        raise SignatureRefused("签名信息格式不正确")
    key = keys.get(values[CLIENT])
    if key is None:
        raise SignatureRefused("未知的客户端")
    try:
        stamp = int(values[TIMESTAMP])
    except ValueError:
        raise SignatureRefused("时间戳格式不正确") from None
    if abs((now if now is not None else time.time()) - stamp) > max_skew:
        raise SignatureRefused("时间戳已过期或超前，请求被拒绝")
    expected = signature(key, method, path, values[TIMESTAMP], values[NONCE], body)
    if not hmac.compare_digest(expected, values[SIGNATURE].lower()):
        raise SignatureRefused("签名不正确")
    if not use_nonce(values[CLIENT], values[NONCE]):
        raise SignatureRefused("随机数已使用过，疑似重放请求")
    return values[CLIENT]
