"""In-app message centre (站内消息)."""
from django.db import models
from django.urls import NoReverseMatch, reverse


class Message(models.Model):
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="messages")
    # the school of the item the message is about (the distribution column); empty for a message about
    # nothing school-bound (an employer's registration review). A plain number: the message centre sits
    # below organisations.
    school_id = models.BigIntegerField(null=True, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    # the page a message opens, by URL name and arguments, resolved when shown
    url_name = models.CharField("链接页面", max_length=100, blank=True)
    url_args = models.JSONField("链接参数", default=list, blank=True)
    link = models.CharField("链接（旧消息的路径）", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内消息"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="msg_unread")]

    @property
    def url(self) -> str:
        """Where the message leads: its named page, or the path an older message stored; "" for none."""
        if self.url_name:
            try:
                return reverse(self.url_name, args=self.url_args)
            except NoReverseMatch:
                return ""
        return self.link
