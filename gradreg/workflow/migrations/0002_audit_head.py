"""Key the audit hash chain and anchor each item's end.

Until now each event's hash was a plain SHA-256 of its content and its predecessor's hash, which anyone
with write access to the database could recompute after rewriting a row; and nothing recorded where an
item's chain ended, so deleting its last events went unnoticed.

This migration
1. creates AuditHead (one row per item: how many events it has and the last one's hash);
2. checks every existing chain with the old unkeyed hash. An intact chain is re-chained under
   AUDIT_HMAC_KEY (each event's prev_hash and hash recomputed as HMAC-SHA256; its content is untouched).
   A chain that is already broken is left exactly as it is, so verify_audit goes on reporting it: re-keying
   it would launder the tampering. The number of chains of each kind is printed;
3. records each item's head from its (re-chained or untouched) chain.

Reversing it re-chains intact chains with the old unkeyed hash and drops the heads.
"""
import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64


def _body(e) -> bytes:
    # frozen copy of AuditEvent.compute_hash's body at this migration
    body = {
        "item": [e.item_type, e.item_id, e.seq],
        "action": e.action,
        "from": e.from_state,
        "to": e.to_state,
        "actor": [e.actor_id, e.actor_name, e.actor_role, e.actor_unit],
        "at": e.at.isoformat(),
        "ip": e.ip,
        "reason": e.reason,
        "data": e.data,
        "prev": e.prev_hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def _plain(e) -> str:
    return hashlib.sha256(_body(e)).hexdigest()


def _keyed(e) -> str:
    return hmac.new(settings.AUDIT_HMAC_KEY.encode("utf-8"), _body(e), hashlib.sha256).hexdigest()


def _intact(chain, digest) -> bool:
    prev = GENESIS
    for expected, e in enumerate(chain, start=1):
        if e.seq != expected or e.prev_hash != prev or digest(e) != e.hash:
            return False
        prev = e.hash
    return True


def _chains(AuditEvent):
    chain, current = [], None
    for e in AuditEvent.objects.order_by("item_type", "item_id", "seq").iterator(chunk_size=2000):
        if (e.item_type, e.item_id) != current:
            if chain:
                yield chain
            chain, current = [], (e.item_type, e.item_id)
        chain.append(e)
    if chain:
        yield chain


def _rechain(apps, old, new, *, heads: bool):
    AuditEvent = apps.get_model("workflow", "AuditEvent")
    AuditHead = apps.get_model("workflow", "AuditHead")
    rechained = broken = 0
    for chain in _chains(AuditEvent):
        if _intact(chain, old):
            prev = GENESIS
            for e in chain:
                e.prev_hash = prev
                e.hash = new(e)
                prev = e.hash
            AuditEvent.objects.bulk_update(chain, ["prev_hash", "hash"], batch_size=500)
            rechained += 1
        else:
            broken += 1
        if heads:
            last = chain[-1]
            AuditHead.objects.create(item_type=last.item_type, item_id=last.item_id, count=last.seq,
                                     last_hash=last.hash)
    if rechained or broken:
        print(f"\n  审计链重新计算：{rechained} 个条目；已损坏未改动（verify_audit 将报告）：{broken} 个条目")


def forwards(apps, schema_editor):
    _rechain(apps, _plain, _keyed, heads=True)


def backwards(apps, schema_editor):
    _rechain(apps, _keyed, _plain, heads=False)


class Migration(migrations.Migration):

    dependencies = [
        ('workflow', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('item_type', models.CharField(max_length=40)),
                ('item_id', models.BigIntegerField()),
                ('count', models.PositiveIntegerField(default=0)),
                ('last_hash', models.CharField(max_length=64)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('item_type', 'item_id'), name='audit_head_unique')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
