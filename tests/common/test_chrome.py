"""The page chrome built once per process: cached URLs, the module menu's HTML and the pager.

Each cache is shown to give what the template it replaced gave, and to follow a change at once.
"""
from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import clear_url_caches, reverse, set_script_prefix

from gradreg.common import registries as reg
from gradreg.common.pagination import Page, pager_html
from gradreg.common.registries import NavEntry
from gradreg.common.urlcache import cached_reverse
from tests.conftest import login

# the templates as they stood before the chrome was built in Python
OLD_PAGER = """<div class="pager" role="navigation" aria-label="分页">
  <span>共 {{ page.count }} 条，第 {{ page.number }} / {{ page.num_pages }} 页</span>
  {% if page.has_previous %}<a href="?{{ query }}{% if query %}&amp;{% endif %}page={{ page.number|add:'-1' }}">上一页</a>{% endif %}
  {% if page.has_next %}<a href="?{{ query }}{% if query %}&amp;{% endif %}page={{ page.number|add:'1' }}">下一页</a>{% endif %}
</div>"""
OLD_NAV = """{% load navigation %}<nav class="modnav" aria-label="{{ menu_title }}">
  <span class="title">{{ menu_title }}</span>
{% nav_entries menu as entries %}{% for e in entries %}  <a href="{% url e.url_name %}"{% if e.active and e.active == active %} class="active"{% endif %}>{{ e.label }}</a>
{% endfor %}</nav>"""


@pytest.fixture
def scratch_nav(monkeypatch):
    monkeypatch.setattr(reg, "NAV", dict(reg.NAV))


@pytest.mark.parametrize("count,number,query", [
    (0, 1, ""), (45, 1, ""), (45, 2, "status=a&q=%3Cb%3E"), (45, 3, "q=x"), (20, 1, "q=1"), (1000, 7, ""),
])
def test_the_pager_is_the_template_it_replaced(count, number, query):
    page = Page(items=[], count=count, number=number, size=20)
    old = Template(OLD_PAGER).render(Context({"page": page, "query": query}))
    assert pager_html(page, query) == old


@pytest.mark.parametrize("role", ["department", "school", "graduate", "employer", "province", "operator", None])
@pytest.mark.parametrize("menu,title", [(reg.REGISTRATION_MENU, "毕业去向登记与网签"), (reg.EMS_MENU, "就业管理系统")])
@pytest.mark.parametrize("active", ["", "list", "home", "invalid", None])
def test_the_module_menu_is_the_template_it_replaced(role, menu, title, active):
    user = type("U", (), {"role": role})()
    ctx = {"menu": menu, "menu_title": title, "user": user, "active": active}
    old = Template(OLD_NAV).render(Context(ctx))
    new = Template("{% load navigation %}{% module_nav menu menu_title %}").render(Context(ctx))
    assert new == old
    again = Template("{% load navigation %}{% module_nav menu menu_title active %}").render(Context(ctx))
    assert again == old


def test_the_pager_snippet_without_a_query_links_to_bare_pages():
    page = Page(items=[], count=45, number=2, size=20)
    html = Template('{% include "snippets/pager.html" %}').render(Context({"page": page}))
    assert html == pager_html(page, "") + "\n" and 'href="?page=1"' in html


def test_a_menu_entry_registered_later_shows_on_the_next_page(client, world, scratch_nav):
    page = reverse("roster:invalid")
    assert "档案管理" not in login(client, world.wang).get(page).content.decode()
    reg.register_nav(NavEntry(reg.REGISTRATION_MENU, "archives", "档案管理", "roster:invalid", 55,
                              active="invalid", roles=frozenset({"department"})))
    assert '<a href="/roster/invalid/" class="active">档案管理</a>' in client.get(page).content.decode()
    reg.register_nav(NavEntry(reg.REGISTRATION_MENU, "archives", "档案信息", "roster:invalid", 55,
                              roles=frozenset({"department"})))
    html = client.get(page).content.decode()
    assert '<a href="/roster/invalid/">档案信息</a>' in html and "档案管理" not in html


def test_the_menu_follows_the_role_and_the_active_entry(client, world):
    html = login(client, world.wang).get(reverse("roster:list")).content.decode()
    assert '<a href="/roster/graduates/" class="active">学生名单管理</a>' in html
    html = client.get(reverse("roster:invalid")).content.decode()
    assert '<a href="/roster/graduates/">学生名单管理</a>' in html
    html = login(client, world.u_zhangsan).get(reverse("roster:home")).content.decode()
    assert "学生名单管理" not in html and "我的签约" in html



def test_cached_urls_follow_the_urlconf_and_the_script_prefix():
    assert cached_reverse("accounts:home") == reverse("accounts:home")
    with override_settings(ROOT_URLCONF="tests.common.moved_urls"):
        clear_url_caches()
        assert cached_reverse("accounts:home") == "/moved/"
    clear_url_caches()
    assert cached_reverse("accounts:home") == reverse("accounts:home")
    set_script_prefix("/gradreg/")
    try:
        assert cached_reverse("accounts:home") == reverse("accounts:home")
        assert cached_reverse("accounts:home").startswith("/gradreg/")
    finally:
        set_script_prefix("/")
    assert not cached_reverse("accounts:home").startswith("/gradreg/")


OLD_FILTERS = """  {% for field in form %}
  <div><label for="{{ field.id_for_label }}">{{ field.label }}</label>{{ field }}</div>
  {% endfor %}
"""


def test_the_filter_fields_are_the_template_loop_they_replaced():
    from django import forms
    from django.utils.safestring import mark_safe

    class Filters(forms.Form):
        q = forms.CharField(label="姓名<或>考生号", required=False)
        status = forms.ChoiceField(label=mark_safe("<b>状态</b>"), choices=[("", "全部"), ("a", "待审核")],
                                   required=False)
        since = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
        page = forms.IntegerField(required=False, widget=forms.HiddenInput)

    form = Filters({"q": '"x" & <y>', "status": "a", "since": "2026-01-02"})
    old = Template(OLD_FILTERS).render(Context({"form": form}))
    new = Template("  {% load navigation %}{% filter_fields form %}\n").render(Context({"form": form}))
    assert new == old
