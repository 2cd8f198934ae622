"""No input produces a 500: every page, every role, odd query strings and ids."""
from __future__ import annotations

import pytest

PAGES = [
    "/", "/modules/", "/password/", "/roster/", "/roster/graduates/", "/roster/invalid/", "/roster/me/",
    "/roster/graduates/{g}/", "/roster/graduates/999999/", "/ems/", "/ems/training-mode/",
    "/ems/training-mode/999999/", "/ems/training-mode/new/{g}/", "/ems/graduates/{g}/edit/", "/messages/",
    "/api/v1/me", "/api/v1/roster/graduates", "/api/v1/roster/graduates/{g}", "/api/v1/training-mode-changes",
    "/api/v1/training-mode-changes/999999", "/nope/",
]
ODD = {"page": "9999999999999999999999", "page_size": "-1", "graduation_year": "二〇二七", "major": "1 OR 1=1",
       "q": "%' --\x00", "status": "<script>", "department": "[]"}


@pytest.mark.parametrize("who", [None, "u_zhangsan", "u_employer", "wang", "qian", "zhou", "operator"])
def test_every_page_answers_without_a_server_error(client, world, who):
    if who:
        client.force_login(getattr(world, who))
    for url in PAGES:
        url = url.format(g=world.zhangsan.pk)
        for params in ({}, ODD):
            r = client.get(url, params)
            assert r.status_code < 500, (who, url, params, r.status_code)


def test_posts_with_garbage(client, world):
    client.force_login(world.qian)
    for url in [f"/ems/training-mode/{1}/approve/", f"/ems/graduates/{world.zhangsan.pk}/edit/",
                f"/ems/graduates/{world.lisi.pk}/restore/", "/messages/abc/read/"]:
        r = client.post(url, {"reason": "x" * 5000, "phone": "\x00"})
        assert r.status_code < 500, (url, r.status_code)
