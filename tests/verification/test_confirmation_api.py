"""登记确认信息 over the API: the graduate's read and confirm, the staff list, detail and statistics, scope."""
from __future__ import annotations

import json

import pytest

from gradreg.ems.models import DestinationSource
from gradreg.verification.models import Confirmation
from gradreg.verification.models import ConfirmationStatus as CS

from .test_confirmation import report


def post(client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_graduate_reads_and_confirms(world, client):
    client.force_login(world.u_zhangsan)
    r = client.get("/api/v1/confirmation/mine")
    assert r.status_code == 200 and r.json()["status"] == CS.NOT_REPORTED and not r.json()["may_confirm"]
    r = post(client, "/api/v1/confirmation/mine", {"result": "correct"})
    assert r.status_code == 409
    report(world.zhangsan, DestinationSource.EMS_UPLOAD)
    body = client.get("/api/v1/confirmation/mine").json()
    assert body["status"] == CS.UNCONFIRMED and body["may_confirm"] and body["source"] == "ems_upload"
    assert {"label": "毕业去向", "value": "签就业协议形式就业"} in body["destination"]
    r = post(client, "/api/v1/confirmation/mine", {"result": "wrong", "description": ""})
    assert r.status_code == 400 and r.json()["field"] == "description"
    r = post(client, "/api/v1/confirmation/mine", {"result": "maybe"})
    assert r.status_code == 400 and r.json()["field"] == "result"
    r = post(client, "/api/v1/confirmation/mine", {"result": "wrong", "description": "单位所在地有误"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["description"], body["status_label"]) == (CS.WRONG, "单位所在地有误", "确认有误")
    assert [x["action"] for x in body["records"]] == ["confirm_wrong"]


@pytest.mark.parametrize("who", ["wang", "qian", "u_employer"])
def test_only_the_graduate_uses_the_graduate_s_endpoints(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get("/api/v1/confirmation/mine").status_code == 403
    assert post(client, "/api/v1/confirmation/mine", {"result": "correct"}).status_code == 403


def test_the_staff_list_detail_and_statistics(world, client):
    report(world.zhangsan)
    Confirmation.objects.create(graduate=world.zhangsan, school=world.school, department=world.cs, status=CS.WRONG,
                                description="有误")
    client.force_login(world.wang)
    r = client.get("/api/v1/confirmations", {"status": CS.WRONG})
    assert r.status_code == 200
    items = r.json()["items"]
    assert [(x["graduate_id"], x["status"], x["description"], x["source"]) for x in items] == [
        (world.zhangsan.pk, CS.WRONG, "有误", "platform")]
    r = client.get(f"/api/v1/confirmations/{world.zhangsan.pk}")
    assert r.status_code == 200 and r.json()["description"] == "有误"
    r = client.get("/api/v1/confirmations/statistics")
    assert r.status_code == 200
    assert r.json()["by_source"][0] == {"label": "登记系统", "counts": [0, 0, 0, 1], "total": 1}


@pytest.mark.parametrize(("who", "code"), [("zhao", 404), ("sun", 404), ("u_zhangsan", 403), ("u_employer", 403)])
def test_the_staff_endpoints_refuse_other_scopes_and_roles(world, client, who, code):
    report(world.zhangsan)
    client.force_login(getattr(world, who))
    assert client.get(f"/api/v1/confirmations/{world.zhangsan.pk}").status_code == code
    r = client.get("/api/v1/confirmations")
    if code == 403:
        assert r.status_code == 403
        assert client.get("/api/v1/confirmations/statistics").status_code == 403
    else:
        assert world.zhangsan.pk not in [x["graduate_id"] for x in r.json()["items"]]
