"""The signing comparison masks the graduate's ID number until a reviewer reveals it, and logs each reveal.

Guards the finding that the signing detail page and GET /api/v1/signings/{id} showed reviewers the full ID
number (in the comparison and the submitted snapshot) without a SensitiveView row.
"""
from __future__ import annotations

import pytest
from django.test import Client

from gradreg.accounts.models import SensitiveView
from gradreg.common.masking import mask_id_number
from gradreg.signing import services
from gradreg.signing.models import Signing
from tests.conftest import login

pytestmark = pytest.mark.django_db

TERMS = dict(position="软件工程师", job_category="21", work_region="440106", monthly_salary="12000",
             probation_months="3", service_years="2", breach_terms="违约金5000元", archive_unit="", archive_address="",
             hukou_unit="", hukou_address="", other_terms="")


def agreed(w) -> Signing:
    s = services.invitation_create(actor=w.u_employer, name=w.zhangsan.name, id_number=w.zhangsan.id_number,
                                   terms=TERMS)
    return services.signing_act(actor=w.u_zhangsan, pk=s.pk, action="agree")


def client_for(user) -> Client:
    return login(Client(), user)


def views_of(w) -> list[tuple[int, str]]:
    return list(SensitiveView.objects.filter(graduate=w.zhangsan).values_list("viewer_id", "fields"))


def test_page_masks_the_id_number_by_default_and_logs_nothing(world):
    s = agreed(world)
    full = world.zhangsan.id_number
    for user in (world.wang, world.qian):
        html = client_for(user).get(f"/signing/{s.pk}/").content.decode()
        assert "学生信息比对" in html and full not in html and mask_id_number(full) in html
        assert "显示完整身份证号" in html
    assert views_of(world) == []


def test_page_reveal_shows_the_full_number_and_is_logged_each_time(world):
    s = agreed(world)
    c = client_for(world.wang)
    for _ in range(2):
        html = c.get(f"/signing/{s.pk}/", {"reveal": "id_number"}, REMOTE_ADDR="10.1.2.3").content.decode()
        assert world.zhangsan.id_number in html and "每次查看均已记录" in html
    assert views_of(world) == [(world.wang.pk, "id_number")] * 2
    assert set(SensitiveView.objects.values_list("ip", flat=True)) == {"10.1.2.3"}


def test_page_reveal_is_refused_to_other_roles_and_scopes(world):
    s = agreed(world)
    for user in (world.u_zhangsan, world.u_employer):
        r = client_for(user).get(f"/signing/{s.pk}/", {"reveal": "id_number"})
        assert r.status_code == 403 and world.zhangsan.id_number not in r.content.decode()
    for user in (world.zhao, world.sun):  # another department, another school: as if it did not exist
        assert client_for(user).get(f"/signing/{s.pk}/", {"reveal": "id_number"}).status_code == 404
    assert views_of(world) == []


def test_api_masks_by_default_and_reveal_is_logged(world):
    s = agreed(world)
    full, c = world.zhangsan.id_number, client_for(world.qian)
    detail = c.get(f"/api/v1/signings/{s.pk}").json()
    row = next(r for r in detail["compare"] if r["field"] == "id_number")
    assert detail["id_number_revealed"] is False and full not in str(detail)
    assert row["submitted"] == row["current"] == mask_id_number(full) and row["differs"] is False
    assert detail["graduate_snapshot"]["id_number"] == mask_id_number(full)
    assert views_of(world) == []

    shown = c.get(f"/api/v1/signings/{s.pk}", {"reveal": "id_number"}).json()
    assert shown["id_number_revealed"] is True and shown["graduate_snapshot"]["id_number"] == full
    assert next(r for r in shown["compare"] if r["field"] == "id_number")["current"] == full
    assert views_of(world) == [(world.qian.pk, "id_number")]


def test_api_reveal_is_refused_to_other_roles_and_scopes(world):
    s = agreed(world)
    for user in (world.u_zhangsan, world.u_employer):
        r = client_for(user).get(f"/api/v1/signings/{s.pk}", {"reveal": "id_number"})
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
    for user in (world.zhao, world.sun):
        assert client_for(user).get(f"/api/v1/signings/{s.pk}", {"reveal": "id_number"}).status_code == 404
    assert views_of(world) == []
