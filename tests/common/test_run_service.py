"""run_service: one way a page runs a service and shows its domain errors."""
from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from gradreg.common.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from gradreg.common.views import moved, run_service


class NameForm(forms.Form):
    name = forms.CharField(required=False)
    phone = forms.CharField(required=False)


def request():
    r = RequestFactory().post("/x/")
    r.session = SessionStore()
    r._messages = FallbackStorage(r)
    return r


def flashed(r) -> list[str]:
    return [str(m) for m in get_messages(r)]


def fail(exc):
    def fn():
        raise exc
    return fn


def test_not_found_is_raised_again_with_or_without_a_form():
    for form in (None, NameForm({})):
        with pytest.raises(NotFound):
            run_service(request(), fail(NotFound("不存在")), form=form, redirect_to="/back/")


def test_invalid_goes_to_each_field_of_the_form():
    form = NameForm({})
    form.is_valid()
    r = request()
    done = run_service(r, fail(Invalid({"name": ["姓名有误"], "other": ["整体有误"]})), form=form,
                       redirect_to=lambda v: "/never/")
    assert not done.ok and done.response is None and isinstance(done.error, Invalid)
    assert form.errors["name"] == ["姓名有误"] and form.non_field_errors() == ["整体有误"]
    assert flashed(r) == []


def test_other_refusals_go_to_their_field_or_the_form():
    form = NameForm({})
    form.is_valid()
    run_service(request(), fail(DomainError("电话有误", field="phone")), form=form)
    run_service(request(), fail(Conflict("已被他人处理")), form=form)
    assert form.errors["phone"] == ["电话有误"] and form.non_field_errors() == ["已被他人处理"]


def test_without_a_form_the_message_is_flashed_and_the_page_redirects():
    for exc in (Invalid({"name": ["姓名有误"]}), Forbidden("无权操作"), Conflict("已被他人处理")):
        r = request()
        done = run_service(r, fail(exc), redirect_to="/back/")
        assert not done.ok and done.response.status_code == 302 and done.response["Location"] == "/back/"
        assert flashed(r) == [exc.message]


def test_reraise_names_refusals_for_the_error_page():
    with pytest.raises(Forbidden):
        run_service(request(), fail(Forbidden("无权")), form=NameForm({}), reraise=(Forbidden,))


def test_success_flashes_and_redirects_from_the_result():
    r = request()
    done = run_service(r, lambda: 7, success=lambda v: f"完成 {v}", redirect_to=lambda v: f"/item/{v}/")
    assert done.ok and done.value == 7 and done.response["Location"] == "/item/7/"
    assert flashed(r) == ["完成 7"]
    r = request()
    assert run_service(r, lambda: None, success=moved).response is None and flashed(r) == ["操作成功。"]


def test_a_message_naming_no_field_of_the_form_goes_on_the_field_given():
    form = NameForm({})
    form.is_valid()
    run_service(request(), fail(DomainError("文件无法读取")), form=form, field="name")
    run_service(request(), fail(Invalid({"__all__": ["表头有误"], "phone": ["电话有误"]})), form=form, field="name")
    run_service(request(), fail(Conflict("名单已变化", code="conflict")), form=form, field="name")
    assert form.errors["name"] == ["文件无法读取", "表头有误", "名单已变化"] and form.errors["phone"] == ["电话有误"]
    assert form.non_field_errors() == []
