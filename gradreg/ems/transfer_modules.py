"""The two modules of 档案/户口信息 (seed 4), declared once: 档案信息管理 and 户口信息管理.

They have one shape (a registered record per graduate, applications reviewed by 院系 then 学校, direct
registration by the department, batch import, 失效 of seed 4.4); what differs is declared here: the
fields of the info, the code table of its type, who is on the module's roster (the hukou module holds
only graduates whose 户口 moved to the school), whether 快速审核 exists (档案 only), the EMS topic.
Pages, forms, the import, the API and the validator are generated from these declarations.

They sit with EMS because EMS holds this info of record too (`ReportedTransfer`, editable on EMS's own
page, seed 4.3.1); the archives app above builds the modules on them.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, TextChoices


class Kind(TextChoices):
    ARCHIVE = "archive", "档案"
    HUKOU = "hukou", "户口"


@dataclass(frozen=True)
class Field:
    """One field of the info: its column, label, whether required, its kind (text, choice of the module's
    code table, region, postcode, phone), its length."""

    name: str
    label: str
    kind: str = "text"
    required: bool = True
    max_length: int = 200
    help: str = ""


@dataclass(frozen=True)
class Module:
    kind: str
    title: str          # 档案信息管理
    noun: str           # 档案
    code_table: str     # the type's code table (gradreg/codes/data/<table>.csv)
    fields: tuple[Field, ...]
    quick_review: bool  # 快速审核: 档案 only (seed 4.3.2)
    home_origin: str    # the type meaning "back to the 生源地" (快速审核), by name
    order: int          # 选择功能模块
    url: str            # the URL namespace (archives / hukou)

    @property
    def info(self) -> str:
        return f"{self.noun}信息"

    @property
    def topic(self) -> str:
        """The EMS event of registered (or changed) info."""
        return f"ems.{self.kind}_reported"

    @property
    def item_type(self) -> str:
        """The audit chain of a graduate's registered info (its record)."""
        return f"{self.kind}_record"

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def roster_q(self, prefix: str = "") -> Q:
        """Graduates on this module's roster (学生名单管理, seed 4.2 note 3): every graduate for 档案, only
        those whose 户口 moved to the school for 户口."""
        if self.kind == Kind.HUKOU:
            return Q(**{f"{prefix}hukou_moved_to_school": True})
        return Q()

    def on_roster(self, graduate) -> bool:
        return self.kind != Kind.HUKOU or graduate.hukou_moved_to_school


TYPE = "transfer_type"

ARCHIVE = Module(
    kind=Kind.ARCHIVE, title="档案信息管理", noun="档案", code_table="dazdlx", quick_review=True,
    home_origin="转回生源地", order=20, url="archives",
    fields=(
        Field(TYPE, "档案转递类型", "choice", max_length=4),
        Field("unit_name", "档案转递单位名称", max_length=100, help="接收档案的单位全称，如“广州市人才服务中心”"),
        Field("address", "档案转递单位地址", max_length=200),
        Field("region", "所在地", "region", max_length=6, help="6位行政区划代码（GB/T 2260），如440106"),
        Field("postcode", "邮编", "postcode", required=False, max_length=6),
        Field("contact", "档案转递联系人/联系部门", required=False, max_length=50),
        Field("phone", "档案转递联系电话", "phone", required=False, max_length=20,
              help="手机号码，或带区号的固定电话，如020-12345678"),
    ),
)

HUKOU = Module(
    kind=Kind.HUKOU, title="户口信息管理", noun="户口", code_table="hkqy", quick_review=False,
    home_origin="回原籍", order=30, url="hukou",
    fields=(
        Field(TYPE, "户口迁移类型", "choice", max_length=4),
        Field("address", "迁入地址", max_length=200, help="户口迁入的详细地址"),
        Field("region", "所在地", "region", max_length=6, help="6位行政区划代码（GB/T 2260），如440106"),
        Field("unit_name", "户口接收单位（派出所）", required=False, max_length=100,
              help="如“广州市公安局天河区分局某某派出所”"),
    ),
)

MODULES = {Kind.ARCHIVE.value: ARCHIVE, Kind.HUKOU.value: HUKOU}
# every column a record or an application holds, whichever module
INFO_COLUMNS = (TYPE, "unit_name", "address", "region", "postcode", "contact", "phone")


def module(kind: str) -> Module:
    return MODULES[str(kind)]
