"""Password validators whose messages Django 5.2 leaves untranslated."""
from __future__ import annotations

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    # Django 5.2 changed this msgid to "%d" while its zh_Hans catalogue still has "%(min_length)d",
    # so the stock message would reach users in English.
    def get_error_message(self) -> str:
        return f"密码长度太短。密码必须包含至少 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码必须包含至少 {self.min_length} 个字符。"
