"""In-app message centre (站内消息)."""
from django.db import models


class Message(models.Model):
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="messages")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内消息"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="msg_unread")]
