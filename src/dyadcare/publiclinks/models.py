"""Requests with a link that matched nothing, counted per address to slow down guessing."""

from __future__ import annotations

from django.db import models


class LinkAttempt(models.Model):
    """A request with a link of ``kind`` (``family``, later ``referral``) that matched no record."""

    kind = models.CharField(max_length=20, default="family")
    ip = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "ip", "at"], name="link_attempt_kind_ip_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ip} {self.at}"
