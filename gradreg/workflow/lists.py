"""One declared list drives a list page, its htmx filter, its .xlsx exports and its API page.

A module declares a `ListSpec` (what to search, the filter form, the columns, the row decoration,
the default filter, the export) and gets:
- `spec.view`: the page, or only its table when htmx asks (HX-Request), with database pagination:
  one COUNT and one page SELECT, a fixed number of queries whatever the page size;
- `spec.export_view` / `spec.returned_export_view`: "下载当前查询数据" and, where the module returns
  items for correction, "导出退回修改学生名单" (every item ever returned, whatever its state now);
- `spec.api_page(actor, qs, page, size, item=...)`: the same rows, the same pagination, for the API.

The table body is rendered in Python in one pass (the template engine costs about 0.1 ms a row on a
hot list); cells are escaped values, small HTML built with format_html, or template fragments.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape as _escape
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from gradreg.common.errors import Invalid
from gradreg.common.pagination import MAX_PAGE_SIZE, Page, page_query, paginate
from gradreg.common.views import client_ip, run_service
from gradreg.common.xlsx import xlsx_response

from .batch import BatchResult, perform_many
from .states import StateSet

Row = dict[str, Any]
# rows per fetch of an export: the iterator holds two fetches at once, so this bounds its memory
EXPORT_CHUNK = 500
PAGE_TEMPLATE = "snippets/list_page.html"
BATCH_TEMPLATE = "snippets/batch_result.html"
TABLE_TEMPLATE = "snippets/list_table.html"


# ---- cells ------------------------------------------------------------------------------------------------

def cell_text(value: Any) -> str:
    """A value as a list cell shows it: dates as 'Y-m-d H:i' in local time, None as blank."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def cell(value: Any) -> str:
    """A value as escaped cell text (what Django's escape gives, without a SafeString per cell)."""
    return _escape(cell_text(value))


@dataclass(frozen=True)
class Column:
    """One column of a list table.

    The cell is, first found: `cells(ctx)` (once a page: a function row -> escaped HTML), `html(row,
    ctx)` (HTML the caller built with format_html), `template` (a fragment rendered with `r` = the row
    and the page's context), or `value` (a row key, or a function of the row), escaped.
    """

    header: str
    value: str | Callable[[Row], Any] = ""
    html: Callable[[Row, Mapping[str, Any]], str] | None = None
    template: str | None = None
    cells: Callable[[Mapping[str, Any]], Callable[[Row], str]] | None = None

    def renderer(self, ctx: Mapping[str, Any]) -> Callable[[Row], str]:
        if self.cells is not None:
            return self.cells(ctx)
        if self.html is not None:
            fn = self.html
            return lambda r: fn(r, ctx)
        if self.template is not None:
            tpl = get_template(self.template).template
            base = dict(ctx)
            return lambda r: tpl.render(Context({**base, "r": r}, autoescape=True))
        if callable(self.value):
            fn_v = self.value
            return lambda r: cell(fn_v(r))
        key = self.value
        return lambda r: cell(r[key])


def status_column(header: str, label: str = "status_label", tone: str = "status_class") -> Column:
    """The coloured state of an item (its label and tone are set by the row decoration)."""
    return Column(header, cells=lambda ctx: lambda r: f'<span class="status {cell(r[tone])}">{cell(r[label])}</span>')


def truncated(key: str, chars: int) -> Callable[[Row], str]:
    return lambda r: Truncator(r[key] or "").chars(chars)


def link_column(header: str, url_name: str, label: str | Callable[[Row, Mapping[str, Any]], str] = "查看",
                *, pk: str = "id") -> Column:
    """A link to each row's page: `url_name` reversed once a page, each row's id put into it."""
    sentinel = "987654321"

    def cells(ctx: Mapping[str, Any]) -> Callable[[Row], str]:
        head, tail = reverse(url_name, args=[sentinel]).split(sentinel)
        head, tail = _escape(head), _escape(tail)
        if callable(label):
            return lambda r: f'<a href="{head}{cell(r[pk])}{tail}">{cell(label(r, ctx))}</a>'
        text = cell(label)
        return lambda r: f'<a href="{head}{cell(r[pk])}{tail}">{text}</a>'

    return Column(header, cells=cells)


def review_link(r: Row, ctx: Mapping[str, Any]) -> str:
    """A review list's link label: the school's 审核/鉴证 (`review_label` of the page) when the row waits for
    this reviewer, else 查看."""
    return ctx.get("review_label", "审核") if r["waits_for_me"] else "查看"


def warned_cell(key: str) -> Callable[[Row, Mapping[str, Any]], str]:
    """A unit's name (row[key]) with the 预警单位 label when the row's `warning` is one this user may see:
    what snippets/employer_warning.html renders, without a template render per row."""
    def html(r: Row, ctx: Mapping[str, Any]) -> str:
        warning = r["warning"]
        label = ""
        if warning:
            label = format_html('<span class="warn-label" title="{}">预警单位</span>\n', warning.explanation) \
                if warning.warned else "\n"
        return f"{cell(r[key])} {label}"

    return html


# ---- row decoration ----------------------------------------------------------------------------------------

INVALID_LABEL = "失效"


def label_state(row: Row, states: StateSet, mine: Sequence[str] | frozenset[str]) -> None:
    """A row's state as the lists show it: `status_label`, `status_class` (its tone) and `waits_for_me`
    (`mine`: the states waiting for this user's role, `states.waiting_for(role)`)."""
    status = row["status"]
    row["status_label"] = states.label(status)
    row["status_class"] = states.tone(status)
    row["waits_for_me"] = status in mine


def mark_invalid(row: Row, valid: str = "graduate_valid") -> None:
    """An item of an invalid graduate keeps its state, frozen: marked 失效, waiting for no one (seed 3.6)."""
    if row.get(valid, True):
        return
    row["status_label"] = f"{INVALID_LABEL}（{row['status_label']}）"
    row["status_class"] = "bad"
    row["waits_for_me"] = False


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    body: SafeString


def render_table(columns: Sequence[Column], rows: Sequence[Row], ctx: Mapping[str, Any], *,
                 empty: str, empty_class: str = "") -> Table:
    """The table's header texts and its <tbody> rows, rendered in one pass."""
    headers = [c.header for c in columns]
    if not rows:
        cls = format_html(' class="{}"', empty_class) if empty_class else ""
        return Table(headers, format_html('<tr><td colspan="{}"{}>{}</td></tr>', len(columns), cls, empty))
    renderers = [c.renderer(ctx) for c in columns]
    out = ["<tr>" + "".join([f"<td>{render(r)}</td>" for render in renderers]) + "</tr>" for r in rows]
    return Table(headers, mark_safe("\n".join(out)))  # noqa: S308 - every cell is escaped or built by format_html


# ---- exports ----------------------------------------------------------------------------------------------

def export_rows(qs: QuerySet, columns: Sequence[tuple[str, str]], labels: Mapping[str, Mapping]) -> Iterator[list]:
    """Rows of an export: `values_list` of the columns' fields, 500 at a time, coded values labelled."""
    fields = [f for _, f in columns]
    for values in qs.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK):
        yield [labels[f].get(v, v) if f in labels else v for f, v in zip(fields, values)]


@dataclass(frozen=True)
class Export:
    """The .xlsx of a list: (header, field) columns, labels for coded fields, the file's title and sheet."""

    title: str
    sheet: str
    columns: tuple[tuple[str, str], ...]
    labels: Mapping[str, Mapping] = field(default_factory=dict)

    def filename(self, returned: bool) -> str:
        kind = "退回修改学生名单" if returned else "查询数据"
        return f"{self.title}-{kind}-{timezone.localtime():%Y%m%d%H%M}.xlsx"

    def response(self, qs: QuerySet, *, returned: bool = False):
        return xlsx_response(filename=self.filename(returned), sheet=self.sheet,
                             headers=[h for h, _ in self.columns], rows=export_rows(qs, self.columns, self.labels))


# ---- batch moves ------------------------------------------------------------------------------------------

# 批量审核 of a two-level review: the school's own 审核/鉴证 fills "{review}"
REVIEW_ACTIONS = (("approve", "{review}通过"), ("return", "退回修改"), ("reject", "{review}不通过"))

@dataclass(frozen=True)
class Batch:
    """批量审核 on a list: the service moving one item, the actions offered, who may use it.

    act(actor=, pk=, action=, reason=, category=, ip=) moves one item (scope, role and state checked
    there); actions are (action, label) with "{review}" for the school's 审核/鉴证 wording; rows whose
    decorated `selectable` flag is true get a checkbox; `title` names an item in the results.
    """

    act: Callable[..., Any]
    actions: tuple[tuple[str, str], ...]
    ensure: Callable[[Any], None]
    categories: Sequence[tuple[str, str]] = ()
    selectable: str = "waits_for_me"
    title: str = "graduate_name"

    def action_choices(self, review_label: str = "审核") -> list[tuple[str, str]]:
        return [(a, label.format(review=review_label)) for a, label in self.actions]

    def column(self) -> Column:
        """A checkbox on each row waiting for this user, tied to the page's 批量审核 form."""
        flag = self.selectable

        def cells(ctx: Mapping[str, Any]) -> Callable[[Row], str]:
            return lambda r: (f'<input type="checkbox" name="ids" value="{cell(r["id"])}" form="batch-form" '
                              'aria-label="选择">' if r.get(flag) else "")

        return Column("选择", cells=cells)


# ---- the spec ---------------------------------------------------------------------------------------------

def default_state(provider: Callable[[str], str | None], param: str = "status") -> Callable[[Any], dict[str, str]]:
    """Defaults that open a list on what waits for the user's role (`provider(role)`, e.g. a StateSet's)."""
    return lambda user: {param: provider(user.role) or ""}


@dataclass(frozen=True)
class ListSpec:
    """A list page, its filter, its exports and its API page, declared once.

    name: the URL namespace and prefix: "signing:review" names signing:review_list, signing:review_export,
    signing:review_export_returned and signing:review_batch; a namespace alone ("destinations:") names
    destinations:list, destinations:export… (`url_name`).
    form: builds the bound filter form from the query and the user.
    search: the scoped, filtered and ordered queryset for the user and the form (it refuses wrong roles).
    rows: the page's row shape (e.g. `.values(...)`), applied after counting.
    decorate: adds display values to the page's rows (labels, tones, flags), in a fixed number of queries.
    defaults: filter values the list opens on, for keys the query does not give (`default_state(...)`);
    with `defaults_when_blank` only when the query is empty. Given `states` (the StateSet of the
    items' status) and no defaults, the list opens on `states.default_for(role)`.
    returns: the field flagging items ever returned for correction; gives "导出退回修改学生名单".
    batch: 批量审核 on the list (its `url_name("batch")`); detail: the URL name of one item's page.
    """

    name: str
    title: str
    form: Callable[[QueryDict, Any], forms.Form]
    search: Callable[[Any, forms.Form], QuerySet]
    rows: Callable[[QuerySet], QuerySet]
    columns: tuple[Column, ...]
    template: str = PAGE_TEMPLATE
    nav: str = ""
    # the module menu the page shows (a menu of gradreg.common.registries) and its title
    menu: str = "registration"
    menu_title: str = "毕业去向登记与网签"
    decorate: Callable[[list[Row], Any], None] | None = None
    defaults: Callable[[Any], Mapping[str, str]] | None = None
    defaults_when_blank: bool = False
    context: Callable[[HttpRequest], Mapping[str, Any]] | None = None
    empty: str = "没有符合条件的记录。"
    empty_class: str = "hint"
    htmx: bool = True
    page_size: int = 20
    max_page_size: int = MAX_PAGE_SIZE
    export: Export | None = None
    returns: str = ""
    state_param: str = "status"
    batch: Batch | None = None
    detail: str = ""
    states: StateSet | None = None

    def __post_init__(self) -> None:
        if self.defaults is None and self.states is not None:  # the table says what the list opens on
            object.__setattr__(self, "defaults", default_state(self.states.default_for, self.state_param))

    # -- filters and rows

    def params(self, request: HttpRequest) -> QueryDict:
        return self.with_defaults(request.GET.copy(), request.user)

    def with_defaults(self, params: QueryDict, user) -> QueryDict:
        """`params` (mutable) with the list's defaults for the keys it lacks: a key given empty stays empty."""
        if self.defaults is not None and not (self.defaults_when_blank and params):
            for key, value in self.defaults(user).items():
                if key not in params:
                    params[key] = value
        return params

    def bind(self, params: QueryDict, user) -> forms.Form:
        return self.form(params, user)

    def queryset(self, user, params: Mapping[str, Any]) -> QuerySet:
        """The list's rows for filter values given as a mapping (the API's query): defaults, form, search."""
        query = QueryDict(mutable=True)
        for key, value in params.items():
            if value is not None:
                query[key] = value.isoformat() if isinstance(value, dt.date) else str(value)
        return self.search(user, self.bind(self.with_defaults(query, user), user))

    def page(self, user, qs: QuerySet, number: Any = 1, size: Any = None) -> Page:
        """One decorated page of `qs`: a COUNT, a page SELECT, and the decoration's fixed queries."""
        page = paginate(qs, number, self.page_size if size is None else size, rows=self.rows,
                        max_size=self.max_page_size, default_size=self.page_size)
        if self.decorate is not None:
            self.decorate(page.items, user)
        return page

    def api_page(self, user, qs: QuerySet, number: Any, size: Any, *, item: Callable[[Row, Any], dict]) -> dict:
        """The API's {items, count} of the same rows and pagination as the page."""
        page = self.page(user, qs, number, size)
        return {"items": [item(r, user) for r in page.items], "count": page.count}

    # -- the page

    def url_name(self, what: str) -> str:
        """The URL name of the list's `what` (list, export, export_returned, batch)."""
        return f"{self.name}{what}" if self.name.endswith(":") else f"{self.name}_{what}"

    def export_url(self) -> str:
        return reverse(self.url_name("export")) if self.export else ""

    def list_url(self) -> str:
        return reverse(self.url_name("list"))

    def batch_url(self) -> str:
        return reverse(self.url_name("batch")) if self.batch else ""

    def returned_url(self) -> str:
        return reverse(self.url_name("export_returned")) if self.export and self.returns else ""

    def render(self, request: HttpRequest, *, form: forms.Form, page: Page, params: QueryDict,
               extra: Mapping[str, Any] | None = None, partial: bool | None = None) -> HttpResponse:
        """The page (or, for htmx, its table) of rows already decorated."""
        ctx: dict[str, Any] = dict(self.context(request) if extra is None and self.context else extra or {})
        ctx.update({"list": self, "form": form, "page": page, "query": page_query(params)})
        cell_ctx = {**ctx, "request": request, "user": request.user}
        if any(c.template for c in self.columns):
            cell_ctx["csrf_token"] = get_token(request)
        columns = self.columns
        if self.batch is not None:
            columns = (self.batch.column(), *columns)
            ctx["batch_actions"] = self.batch.action_choices(ctx.get("review_label", "审核"))
        ctx["table"] = render_table(columns, page.items, cell_ctx, empty=self.empty, empty_class=self.empty_class)
        if partial is None:
            partial = self.htmx and bool(request.headers.get("HX-Request"))
        # the export links carry the query: an htmx swap sends them again (out of band) with the new one
        ctx["oob_exports"] = partial
        return render(request, TABLE_TEMPLATE if partial else self.template, ctx)

    def respond(self, request: HttpRequest) -> HttpResponse:
        params = self.params(request)
        form = self.bind(params, request.user)
        page = self.page(request.user, self.search(request.user, form), params.get("page"), params.get("page_size"))
        return self.render(request, form=form, page=page, params=params)

    def export_response(self, request: HttpRequest, *, returned: bool = False):
        """下载当前查询数据; or 导出退回修改学生名单: every item ever returned, whatever its state now."""
        assert self.export is not None
        params = self.params(request)
        if returned:
            params[self.state_param] = ""
        qs = self.search(request.user, self.bind(params, request.user))
        if returned:
            qs = qs.filter(**{self.returns: True})
        return self.export.response(qs, returned=returned)

    def run_batch(self, actor, ids, action: str, reason: str = "", category: str = "",
                  ip: str | None = None) -> list[BatchResult]:
        """批量审核: `action` on each of `ids` (distinct, capped), one transaction each, a result per item."""
        assert self.batch is not None
        self.batch.ensure(actor)
        if action not in dict(self.batch.actions):
            raise Invalid({"action": ["请选择批量审核的操作。"]})
        return perform_many(lambda pk: self.batch.act(actor=actor, pk=pk, action=action, reason=reason,
                                                      category=category, ip=ip), ids)

    def batch_titles(self, actor, results: Sequence[BatchResult]) -> dict[int, str]:
        """The names of the batch's items the actor may see (an item outside the scope stays a number)."""
        qs = self.queryset(actor, {self.state_param: ""}).filter(pk__in=[r.pk for r in results])
        return dict(qs.order_by().values_list("id", self.batch.title))

    def batch_response(self, request: HttpRequest) -> HttpResponse:
        post = request.POST
        self.batch.ensure(request.user)  # a wrong role gets the 403 page, as the list itself answers
        done = run_service(request, lambda: self.run_batch(
            request.user, post.getlist("ids"), post.get("action", ""), (post.get("reason") or "").strip()[:1000],
            post.get("category", ""), client_ip(request)))
        if not done.ok:
            return redirect(self.list_url())
        titles = self.batch_titles(request.user, done.value)
        rows = [{"result": r, "title": titles.get(r.pk, ""),
                 "url": reverse(self.detail, args=[r.pk]) if self.detail and r.pk in titles else ""}
                for r in done.value]
        return render(request, BATCH_TEMPLATE, {
            "list": self, "rows": rows, "succeeded": sum(r.ok for r in done.value),
            "failed": sum(not r.ok for r in done.value),
        })

    @property
    def view(self) -> Callable[[HttpRequest], HttpResponse]:
        return _view(self.respond, self.title)

    @property
    def batch_view(self) -> Callable[[HttpRequest], HttpResponse]:
        return _view(require_POST(self.batch_response), f"{self.title}-batch")

    @property
    def export_view(self) -> Callable[[HttpRequest], HttpResponse]:
        return _view(lambda request: self.export_response(request), f"{self.title}-export")

    @property
    def returned_export_view(self) -> Callable[[HttpRequest], HttpResponse]:
        return _view(lambda request: self.export_response(request, returned=True), f"{self.title}-returned")


def _view(fn: Callable[[HttpRequest], HttpResponse], name: str) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        return fn(request)

    view.__name__ = view.__qualname__ = f"list_view[{name}]"
    return login_required(view)
