"""操作指南: each module home offers 下载操作指南, a Chinese guide per role from docs/guides/, served as HTML."""
from __future__ import annotations

import pytest
from django.test import Client

from gradreg.signing.guides import GUIDE_ROLES, guide_for, render_guide
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_every_role_with_a_home_has_its_guide():
    for role in GUIDE_ROLES:
        title, body = guide_for(role)
        assert title.startswith("毕业去向登记与网上签约平台操作指南") and "<h2>" in body and "<li>" in body


def test_render_escapes_the_text():
    title, body = render_guide("# 标题\n\n## 一\n- <b>项</b>\n段落 & 说明\n")
    assert title == "标题" and "&lt;b&gt;项&lt;/b&gt;" in body and "<p>段落 &amp; 说明</p>" in body


@pytest.mark.parametrize(("who", "home", "heading"), [
    ("wang", "/roster/", "（院系）"), ("qian", "/roster/", "（学校）"),
    ("u_zhangsan", "/roster/me/", "（毕业生）"), ("u_employer", "/signing/employer/", "（用人单位）"),
])
def test_module_home_offers_the_roles_guide(world, who, home, heading):
    c = login(Client(), getattr(world, who))
    page = c.get(home).content.decode()
    assert "下载操作指南" in page and 'href="/signing/guide/?download=1"' in page
    shown = c.get("/signing/guide/")
    assert shown.status_code == 200 and heading in shown.content.decode()
    file = c.get("/signing/guide/", {"download": "1"})
    assert file.status_code == 200 and file["Content-Disposition"].startswith("attachment;")
    assert heading in file.content.decode() and file.content.decode().startswith("<!doctype html>")


def test_roles_without_a_guide_get_none(world):
    assert login(Client(), world.zhou).get("/signing/guide/").status_code == 404
    assert Client().get("/signing/guide/").status_code == 302  # login first
