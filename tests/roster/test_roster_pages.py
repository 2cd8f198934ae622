"""学生名单管理 / 失效信息管理: scope, filters, masking, logging of full views, fixed query counts."""
from __future__ import annotations

import pytest

from gradreg.accounts.models import SensitiveView
from gradreg.ems import services
from gradreg.ems.models import Graduate
from tests import factories as f


def html(r) -> str:
    return r.content.decode()


@pytest.mark.parametrize(
    "who,sees,hidden",
    [
        ("wang", ["张三"], ["李四", "王五", "赵六"]),
        ("zhao", ["李四"], ["张三", "王五", "赵六"]),
        ("qian", ["张三", "李四"], ["王五", "赵六"]),
        ("sun", ["王五"], ["张三", "李四", "赵六"]),
        ("zhou", ["张三", "李四", "王五"], ["赵六"]),
    ],
)
def test_list_is_scoped(client, world, who, sees, hidden):
    client.force_login(getattr(world, who))
    body = html(client.get("/roster/graduates/"))
    for name in sees:
        assert name in body
    for name in hidden:
        assert name not in body


@pytest.mark.parametrize("who", ["u_zhangsan", "u_employer"])
def test_graduates_and_employers_cannot_open_the_list(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get("/roster/graduates/").status_code == 403
    assert client.get(f"/roster/graduates/{world.lisi.pk}/").status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    r = client.get("/roster/graduates/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_list_masks_id_numbers_and_phones(client, world):
    client.force_login(world.wang)
    body = html(client.get("/roster/graduates/"))
    g = world.zhangsan
    assert g.id_number not in body and g.phone not in body
    assert f"{g.id_number[:3]}***********{g.id_number[-4:]}" in body
    assert f"{g.phone[:3]}****{g.phone[-4:]}" in body


def test_detail_shows_full_numbers_and_logs_the_view(client, world):
    client.force_login(world.wang)
    r = client.get(f"/roster/graduates/{world.zhangsan.pk}/")
    assert r.status_code == 200
    assert world.zhangsan.id_number in html(r)
    view = SensitiveView.objects.get()
    assert (view.viewer, view.graduate, view.ip) == (world.wang, world.zhangsan, "127.0.0.1")


def test_province_detail_stays_masked_and_unlogged(client, world):
    client.force_login(world.zhou)
    r = client.get(f"/roster/graduates/{world.zhangsan.pk}/")
    assert r.status_code == 200 and world.zhangsan.id_number not in html(r)
    assert SensitiveView.objects.count() == 0


@pytest.mark.parametrize("who", ["zhao", "sun", "beijing_official"])
def test_detail_outside_scope_is_not_found(client, world, who):
    client.force_login(getattr(world, who))
    r = client.get(f"/roster/graduates/{world.zhangsan.pk}/")
    assert r.status_code == 404
    assert world.zhangsan.id_number not in html(r)


def test_filters(client, world):
    other_major = f.major(world.cs, "080902", "软件工程")
    f.graduate(world.cs, other_major, name="软工甲", education_level="11")
    f.graduate(world.cs, world.cs_major, name="定向乙", training_mode="22", directed_unit="某局")
    f.graduate(world.cs, world.cs_major, name="去年丙", graduation_year=2026)
    client.force_login(world.wang)

    def names(**params):
        body = html(client.get("/roster/graduates/", params))
        return {n for n in ["张三", "软工甲", "定向乙", "去年丙"] if n in body}

    assert names() == {"张三", "软工甲", "定向乙"}  # default: current cohort
    assert names(graduation_year="") == {"张三", "软工甲", "定向乙", "去年丙"}
    assert names(graduation_year=2026) == {"去年丙"}
    assert names(major=other_major.pk, graduation_year="") == {"软工甲"}
    assert names(education_level="11", graduation_year="") == {"软工甲"}
    assert names(training_mode="22", graduation_year="") == {"定向乙"}
    assert names(q="张三", graduation_year="") == {"张三"}
    assert names(q=world.zhangsan.exam_no, graduation_year="") == {"张三"}
    assert names(q=world.zhangsan.student_no, graduation_year="") == {"张三"}


def test_bad_filter_values_do_not_break_the_page(client, world):
    client.force_login(world.wang)
    r = client.get("/roster/graduates/", {"graduation_year": "abc", "major": "x", "page": "-3", "page_size": "9999"})
    assert r.status_code == 200


def test_htmx_request_gets_only_the_table(client, world):
    client.force_login(world.wang)
    r = client.get("/roster/graduates/", {"graduation_year": 2027}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert "<html" not in html(r) and "张三" in html(r)


def test_query_count_is_fixed_whatever_the_page_size(client, world, django_assert_max_num_queries):
    for _ in range(120):
        f.graduate(world.cs, world.cs_major)
    client.force_login(world.qian)
    client.get("/roster/graduates/")  # warm caches (code tables)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (20, 100):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get("/roster/graduates/", {"graduation_year": 2027, "page_size": size})
        assert r.status_code == 200
        assert html(r).count("详细</a>") == size
        counts.append(len(ctx.captured_queries))
    # the COUNT and the page's SELECT: the session, the user and the unread badge come from the cache
    assert counts == [2, 2]


def test_invalid_list_and_restore_through_pages(client, world):
    services.graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk, reason="学籍异动")
    client.force_login(world.wang)
    body = html(client.get("/roster/invalid/"))
    assert "张三" in body and "学籍异动" in body
    assert "张三" not in html(client.get("/roster/graduates/"))
    # a department user sees the list but cannot restore
    assert client.post(f"/ems/graduates/{world.zhangsan.pk}/restore/").status_code == 403
    client.force_login(world.qian)
    r = client.post(f"/ems/graduates/{world.zhangsan.pk}/restore/")
    assert r.status_code == 302
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.is_valid and world.zhangsan.restored_at is not None
    detail = html(client.get(f"/roster/graduates/{world.zhangsan.pk}/"))
    assert "从名单删除（失效）" in detail and "恢复网签数据" in detail  # the timeline


def test_a_refused_delete_or_restore_is_flashed_on_the_graduate_page(client, world):
    client.force_login(world.qian)
    detail = f"/roster/graduates/{world.zhangsan.pk}/"
    r = client.post(f"/ems/graduates/{world.zhangsan.pk}/restore/")
    assert r.status_code == 302 and r["Location"] == detail
    assert "该毕业生当前有效，无需恢复。" in html(client.get(detail))
    assert client.post(f"/ems/graduates/{world.zhangsan.pk}/delete/", {"reason": "学籍异动"})["Location"] == detail
    r = client.post(f"/ems/graduates/{world.zhangsan.pk}/delete/", {"reason": "再次删除"}, follow=True)
    assert r.redirect_chain == [(detail, 302)] and "该毕业生已失效。" in html(r)
    world.zhangsan.refresh_from_db()
    assert not world.zhangsan.is_valid and world.zhangsan.invalid_reason == "学籍异动"


def test_other_school_cannot_invalidate(client, world):
    client.force_login(world.sun)
    assert client.post(f"/ems/graduates/{world.zhangsan.pk}/delete/").status_code == 404
    assert Graduate.objects.get(pk=world.zhangsan.pk).is_valid


def test_school_edits_basic_info(client, world):
    client.force_login(world.qian)
    g = world.zhangsan
    form = client.get(f"/ems/graduates/{g.pk}/edit/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(department=g.department_id, major=g.major_id, phone="13900001111", hukou_moved_to_school="on")
    data["graduation_date"] = "2027-06-30"
    r = client.post(f"/ems/graduates/{g.pk}/edit/", data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    g.refresh_from_db()
    assert g.phone == "13900001111" and g.hukou_moved_to_school


def test_edit_rejects_bad_values_field_by_field(client, world):
    client.force_login(world.qian)
    g = world.zhangsan
    form = client.get(f"/ems/graduates/{g.pk}/edit/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(id_number=g.id_number[:-1] + ("0" if g.id_number[-1] != "0" else "1"), origin_region="999999",
                phone="12345", department=g.department_id, major=g.major_id, graduation_date="2027-06-30")
    r = client.post(f"/ems/graduates/{g.pk}/edit/", data)
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert "校验位" in errors["id_number"][0]
    assert "GB/T 2260" in errors["origin_region"][0]
    assert "11位" in errors["phone"][0]
    g.refresh_from_db()
    assert g.phone == world.zhangsan.phone


def test_department_user_cannot_edit_in_ems(client, world):
    client.force_login(world.wang)
    assert client.get(f"/ems/graduates/{world.zhangsan.pk}/edit/").status_code == 403


def test_graduate_sees_own_info(client, world):
    client.force_login(world.u_zhangsan)
    body = html(client.get("/roster/"))
    assert "我的基本信息" in body and world.zhangsan.id_number in body and "李四" not in body


def test_home_counts_for_staff(client, world):
    client.force_login(world.qian)
    body = html(client.get("/roster/"))
    assert "名单内有效毕业生：<strong>2</strong>" in body


def test_pager_keeps_the_default_cohort_filter(client, world):
    for _ in range(25):
        f.graduate(world.cs, world.cs_major)
    for _ in range(3):
        f.graduate(world.cs, world.cs_major, graduation_year=2026)
    client.force_login(world.wang)
    r = client.get("/roster/graduates/")
    assert "共 26 条" in html(r)
    assert "graduation_year=2027&amp;page=2" in html(r)


def test_list_escapes_what_the_roster_holds(client, world):
    f.graduate(world.cs, world.cs_major, name="<script>alert(1)</script>")
    client.force_login(world.wang)
    body = html(client.get("/roster/graduates/"))
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_invalid_list_offers_restore_to_the_school_only(client, world):
    services.graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk, reason="学籍异动")
    client.force_login(world.qian)
    body = html(client.get("/roster/invalid/"))
    assert f'action="/ems/graduates/{world.zhangsan.pk}/restore/"' in body and "csrfmiddlewaretoken" in body
    assert f'href="/roster/graduates/{world.zhangsan.pk}/">详细</a>' in body
    client.force_login(world.wang)
    body = html(client.get("/roster/invalid/"))
    assert "恢复网签数据</button>" not in body and "张三" in body
