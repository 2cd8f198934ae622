"""The columns of a one-time code sent to a graduate's phone or e-mail (account activation, 实人认证): only its
hash is kept, where it went (masked), when it was sent and lapses, the wrong tries, and when it was used."""
from __future__ import annotations

from django.db import models


class OneTimeCode(models.Model):
    code_hash = models.CharField(max_length=128)
    channel = models.CharField(max_length=10)
    sent_to = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
