"""The account pages answer odd input with a page, never a server error (PostgreSQL rejects NUL bytes)."""
from __future__ import annotations

import pytest

ODD = {"page": "9999999999999999999999", "page_size": "-1", "q": "%' --\x00", "next": "//evil.example/\x00"}
PAGES = ["/login/", "/activate/", "/activate/confirm/", "/accounts/", "/accounts/new/",
         "/accounts/{pk}/reset-password/", "/accounts/{pk}/disable/", "/accounts/{pk}/enable/",
         "/accounts/999999/reset-password/", "/password/", "/modules/"]


@pytest.mark.parametrize("who", [None, "u_zhangsan", "wang", "qian", "zhou", "operator"])
def test_account_pages_never_500(client, world, who):
    if who:
        client.force_login(getattr(world, who))
    for url in PAGES:
        url = url.format(pk=world.wang.pk)
        for params in ({}, ODD):
            assert client.get(url, params).status_code < 500, (who, url, params)
        assert client.post(url, {"username": "\x00", "password": "\x00", "code": "\x00", "q": "\x00",
                                 "role": "\x00", "department": "\x00", "exam_no": "\x00"}).status_code < 500, (who, url)
