"""Audit events (append-only, hash-chained per item) and the transactional outbox."""
from __future__ import annotations

import functools
import hashlib
import hmac
import json

from django.conf import settings
from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D401
        raise PermissionError("审计记录只能追加，不能修改")

    def delete(self):
        raise PermissionError("审计记录只能追加，不能删除")


class AuditEvent(models.Model):
    item_type = models.CharField(max_length=40)
    item_id = models.BigIntegerField()
    # the item's school: the distribution column (docs/scaling.md). A plain number, not a foreign key, like
    # item_id; outside the hash (see hash_body). Empty for items of no school (an employer's registration).
    school_id = models.BigIntegerField(null=True, blank=True)
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    action_label = models.CharField(max_length=40, blank=True)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # snapshots: what the actor was at that moment, whatever happens to the account later
    actor_name = models.CharField(max_length=50)
    actor_role = models.CharField(max_length=16)
    actor_unit = models.CharField(max_length=200)
    at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item_type", "item_id", "seq"], name="audit_seq_unique")]
        ordering = ["item_type", "item_id", "seq"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录只能追加，不能删除")

    def hash_body(self) -> bytes:
        """The event's content and its predecessor's hash, as the bytes the chain's hash covers.

        `school_id` stays out: it only says where the row is stored, follows from the item, and rows
        written before it existed must keep verifying.
        """
        return hash_body_text(
            item=canonical_json([self.item_type, self.item_id, self.seq]), action=canonical_json(self.action),
            from_state=canonical_json(self.from_state), to_state=canonical_json(self.to_state),
            actor=canonical_json([self.actor_id, self.actor_name, self.actor_role, self.actor_unit]),
            at=canonical_json(self.at.isoformat()), ip=canonical_json(self.ip), reason=canonical_json(self.reason),
            data=canonical_json(self.data), prev=canonical_json(self.prev_hash),
        ).encode("utf-8")

    def compute_hash(self, key: str | None = None) -> str:
        """HMAC-SHA256 of hash_body, keyed with AUDIT_HMAC_KEY (or the key given).

        Without the key nobody can recompute a rewritten row's hash so that the chain still holds.
        """
        mac = chain_mac(key)
        mac.update(self.hash_body())
        return mac.hexdigest()


# what hash_body is made of: each value as json.dumps(value, ensure_ascii=False, sort_keys=True,
# separators=(",", ":"), default=str) gives it (one encoder, reused: the same text, without building one per call)
canonical_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode


def hash_body_text(*, item: str, action: str, from_state: str, to_state: str, actor: str, at: str, ip: str,
                   reason: str, data: str, prev: str) -> str:
    """The hashed text of one event from its parts, each already `canonical_json`: exactly what json.dumps
    makes of the dict {"item", "action", "from", "to", "actor", "at", "ip", "reason", "data", "prev"} with
    sort_keys and compact separators (the keys in sorted order), so a bulk append can encode what its events
    share once and existing chains keep verifying."""
    return (f'{{"action":{action},"actor":{actor},"at":{at},"data":{data},"from":{from_state},"ip":{ip},'
            f'"item":{item},"prev":{prev},"reason":{reason},"to":{to_state}}}')


def chain_mac(key: str | None = None) -> hmac.HMAC:
    """A fresh HMAC-SHA256 keyed with AUDIT_HMAC_KEY (or the key given); feed it one event's hash_body.
    Keying is done once per key and copied (copying a keyed HMAC costs less than keying it again)."""
    return _keyed(settings.AUDIT_HMAC_KEY if key is None else key).copy()


@functools.lru_cache(maxsize=8)
def _keyed(key: str) -> hmac.HMAC:
    return hmac.new(key.encode("utf-8"), digestmod=hashlib.sha256)


class AuditHead(models.Model):
    """The end of one item's chain: how many events it has and the last one's hash.

    Written in the same transaction as every append, so deleting an item's last events (or all of them)
    leaves a head that no longer matches its chain, which verify_audit reports.
    """

    item_type = models.CharField(max_length=40)
    item_id = models.BigIntegerField()
    school_id = models.BigIntegerField(null=True, blank=True)  # as AuditEvent.school_id
    count = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item_type", "item_id"], name="audit_head_unique")]


class OutboxEvent(models.Model):
    """A message for another system, written in the same transaction as the change it reports."""

    class Status(models.TextChoices):
        PENDING = "pending", "待投递"
        SENT = "sent", "已投递"
        FAILED = "failed", "投递失败"
        DISCARDED = "discarded", "已放弃"

    topic = models.CharField(max_length=60)
    # the school of the change reported (the distribution column); empty for a change of no school
    school_id = models.BigIntegerField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    available_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "available_at"], name="outbox_pending")]
        ordering = ["id"]


class ReceivedEvent(models.Model):
    """An event another system (EMS) sent to the platform, applied once: a redelivery of its key is ignored.

    Written in the same transaction as the change the event made (the receiving end of `OutboxEvent`).
    """

    idempotency_key = models.CharField(max_length=120, unique=True)
    topic = models.CharField(max_length=60)
    # the school of the change (the distribution column); empty for an event of no school
    school_id = models.BigIntegerField(null=True, blank=True)
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "已接收的同步事件"
