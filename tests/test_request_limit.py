from django.test import Client, override_settings


@override_settings(MAX_REQUEST_BYTES=10_000)
def test_oversized_body_is_refused_in_chinese(world):
    c = Client()
    c.force_login(world.qian)
    r = c.post("/ems/import/", data=b"x" * 20_000, content_type="application/octet-stream")
    assert r.status_code == 413 and "上传内容过大" in r.content.decode()
    r = c.post("/api/v1/training-mode-changes", data=b"x" * 20_000, content_type="application/json")
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_bad_request_page_is_chinese(client, db):
    r = client.get("/login/", HTTP_HOST="evil.example.com")
    assert r.status_code == 400 and "请求无效" in r.content.decode()
