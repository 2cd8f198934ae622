"""Building blocks shared by seed_demo, seed_scale and bench: names, regions, valid identifiers, employers,
destinations and a stand-in proof file.

Everything here is deterministic (a function of an index or of a seeded Random), so the seed
commands can be re-run and produce the same rows, which is what makes them idempotent.
"""
from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from types import SimpleNamespace

from PIL import Image, ImageDraw
from stdnum.cn import ric

from gradreg.codes.loader import code_map
from gradreg.codes.models import Region
from gradreg.common.ids import make_credit_code, make_id_number
from gradreg.roster.snapshot import take_snapshot

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫")
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华玉萍红建文辉力兰志鹏斌宇浩凯晨晓婷雪琳欣怡佳嘉子涵"
    "梓轩博文思远雨萱若曦俊杰家豪嘉怡诗琪梦瑶天宇浩然子墨一诺欣妍昊然宇轩晨阳紫涵语桐可馨泽宇睿哲雅琪心怡"
    "佳琪思彤锦程海燕国庆春梅秋菊冬梅立新振华永强卫东丹丹颖慧敬宁昕悦铭航煜祺瑾瑜"
)

# 定向/委培单位 for training modes 21/22/41/42
DIRECTED_UNITS = (
    "广东省人民医院", "广州市教育局", "深圳市南山区教育局", "佛山市公安局", "中山大学附属第一医院",
    "湛江市农业农村局", "韶关市乡村振兴局", "梅州市人民医院",
)
INVALID_REASONS = (
    "学籍异动（休学），就业管理系统名单已删除",
    "学籍异动（退学）",
    "延期毕业，转入下一届",
    "重复上报，就业管理系统已删除",
)


def mix(x: int) -> int:
    """A 32-bit integer hash: attributes drawn from it do not follow the index's arithmetic patterns."""
    x = ((x ^ (x >> 16)) * 0x45D9F3B) & 0xFFFFFFFF
    x = ((x ^ (x >> 16)) * 0x45D9F3B) & 0xFFFFFFFF
    return x ^ (x >> 16)


# the graduate columns a bulk-written item reads: its scope, its list columns and its EMS snapshot
GRADUATE_FIELDS = (
    "id", "exam_no", "student_no", "name", "gender", "id_number", "ethnicity", "political_status", "education_level",
    "school_id", "department_id", "major_id", "schooling_years", "training_mode", "graduation_year", "graduation_date",
)


class Snapshots:
    """`take_snapshot` of a graduate given as a row of GRADUATE_FIELDS (bulk seeding reads no model instance).

    The school, department and major are stand-ins with just the `name` take_snapshot reads, so the
    snapshot is exactly what it makes of the graduate, and the review's EMS comparison passes.
    """

    def __init__(self, layout):
        self.schools = {s.pk: SimpleNamespace(name=s.name) for s, _ in layout}
        self.departments = {d.pk: SimpleNamespace(name=d.name) for _, entries in layout for d, _ in entries}
        self.majors = {m.pk: SimpleNamespace(name=m.name) for _, entries in layout for _, ms in entries for m in ms}

    def __call__(self, g: dict) -> dict[str, str]:
        return take_snapshot(SimpleNamespace(
            name=g["name"], id_number=g["id_number"], education_level=g["education_level"],
            school=self.schools[g["school_id"]], major=self.majors[g["major_id"]], gender=g["gender"],
            ethnicity=g["ethnicity"], political_status=g["political_status"],
            department=self.departments[g["department_id"]], schooling_years=g["schooling_years"],
            student_no=g["student_no"], graduation_date=g["graduation_date"], exam_no=g["exam_no"],
        ))


def name_for(i: int) -> str:
    """A plausible Chinese name for index i (roughly a third have two-character given names)."""
    if i % 97 == 0:
        surname = COMPOUND_SURNAMES[(i // 97) % len(COMPOUND_SURNAMES)]
    else:
        surname = SURNAMES[(i * 7 + i // 13) % len(SURNAMES)]
    a = GIVEN_CHARS[(i * 31 + 7) % len(GIVEN_CHARS)]
    if i % 3 == 0:
        return surname + a
    b = GIVEN_CHARS[(i * 17 + i // 5 + 3) % len(GIVEN_CHARS)]
    return surname + a + b


# GB 11643 ID number with a correct check digit (seq 0-999, odd = male)
id_number = make_id_number


def birth_region_codes(*, prefix: str = "", born_from: int = 1990) -> list[str]:
    """County-level region codes in use today that were also valid in `born_from` (so an ID number
    with that birthplace and a birth date from that year on passes stdnum's birthplace check)."""

    qs = Region.objects.filter(valid_to="").exclude(code__endswith="00").exclude(name__in=["市辖区", "县", "省直辖县级行政区划"])
    if prefix:
        qs = qs.filter(code__startswith=prefix)
    out = []
    for code, valid_from in qs.order_by("code").values_list("code", "valid_from"):
        if valid_from and int(valid_from) > born_from:
            continue
        if ric.is_valid(id_number(code, dt.date(born_from, 1, 1), 1)):
            out.append(code)
    return out


def phone_for(i: int) -> str:
    return f"1{'35789'[i % 5]}{(i * 7_777_777 + 12_345_678) % 1_000_000_000:09d}"


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain-text table that lines up with Chinese (double-width) characters."""
    widths = [display_width(h) for h in headers]
    for r in rows:
        widths = [max(w, display_width(c)) for w, c in zip(widths, r)]

    def line(cells):
        return "  ".join(c + " " * (w - display_width(c)) for c, w in zip(cells, widths)).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])


# --- employers and agreement terms (seed_scale --signings) ----------------------------------------

EMPLOYER_CITIES = ("广州", "深圳", "佛山", "东莞", "珠海", "中山", "惠州", "汕头", "江门", "湛江")
EMPLOYER_CITY_CODES = ("4401", "4403", "4406", "4419", "4404", "4420", "4413", "4405", "4407", "4408")
EMPLOYER_WORDS = (
    "云启", "数联", "智造", "华信", "粤海", "恒达", "新创", "博远", "鼎盛", "瑞丰", "启明", "南方", "汇通", "同创", "宏图",
    "天择", "海纳", "明德", "星河", "致远", "嘉和", "万象", "远航", "立信", "德润", "中科", "金桥", "锦绣", "合众", "优品",
)
# (kind of business, 单位性质, 行业, 岗位 per 职位类别)
EMPLOYER_KINDS = (
    ("科技", "39", "34", (("13", "软件开发工程师"), ("13", "测试工程师"), ("29", "产品经理"))),
    ("信息技术", "32", "34", (("13", "运维工程师"), ("13", "数据分析师"), ("30", "项目助理"))),
    ("建设工程", "31", "24", (("13", "施工员"), ("13", "结构设计师"), ("30", "资料员"))),
    ("电子", "39", "22", (("13", "硬件工程师"), ("60", "生产技术员"), ("13", "工艺工程师"))),
    ("生物医药", "32", "38", (("11", "研发助理"), ("19", "质量检验员"), ("40", "医药代表"))),
    ("金融服务", "31", "35", (("22", "客户经理"), ("21", "风险管理专员"), ("22", "柜员"))),
    ("教育咨询", "39", "42", (("24", "课程讲师"), ("30", "教务专员"), ("40", "课程顾问"))),
    ("物流", "39", "32", (("30", "调度员"), ("40", "仓储主管"), ("21", "运营专员"))),
    ("文化传媒", "39", "44", (("27", "编辑"), ("25", "视觉设计师"), ("40", "新媒体运营"))),
    ("机械制造", "31", "22", (("13", "机械设计工程师"), ("60", "数控技术员"), ("13", "设备工程师"))),
)
EMPLOYER_CONTACTS = ("陈经理", "林女士", "黄工", "何先生", "梁女士", "张主管", "李经理", "吴女士", "周先生", "郑老师")
SCALE_EMPLOYERS = len(EMPLOYER_CITIES) * len(EMPLOYER_WORDS) * len(EMPLOYER_KINDS)  # 3,000 distinct names
SCALE_EMPLOYER_CODE_BASE = 7_000_000  # credit-code numbers of scale employers (seed_demo uses 101-105 and 201-202)


def employer_for(k: int, regions: Sequence[str]) -> dict[str, str]:
    """Employer k (0 <= k < SCALE_EMPLOYERS) of the benchmark pool: name, codes and contact, never repeated.

    `regions`: region codes in use; the employer is placed in a county of its city (or the city itself).
    """
    city = EMPLOYER_CITIES[k % len(EMPLOYER_CITIES)]
    prefix = EMPLOYER_CITY_CODES[k % len(EMPLOYER_CITIES)]
    counties = [c for c in regions if c.startswith(prefix) and not c.endswith("00")] or [f"{prefix}00"]
    word = EMPLOYER_WORDS[(k // len(EMPLOYER_CITIES)) % len(EMPLOYER_WORDS)]
    kind, nature, industry, _ = EMPLOYER_KINDS[(k // (len(EMPLOYER_CITIES) * len(EMPLOYER_WORDS))) % len(EMPLOYER_KINDS)]
    name = f"{city}{word}{kind}有限公司"
    return {
        "name": name,
        "credit_code": make_credit_code(SCALE_EMPLOYER_CODE_BASE + k),
        "nature_code": nature,
        "industry_code": industry,
        "region_code": counties[(k // len(EMPLOYER_CITIES)) % len(counties)],
        "address": f"{city}市{word}路{k % 300 + 1}号",
        "contact_name": EMPLOYER_CONTACTS[k % len(EMPLOYER_CONTACTS)],
        "contact_phone": phone_for(k + 7_000_000),
    }


def positions_for(k: int) -> tuple[tuple[str, str], ...]:
    """(职位类别, 岗位名称) pairs that suit employer k's line of business."""
    return EMPLOYER_KINDS[(k // (len(EMPLOYER_CITIES) * len(EMPLOYER_WORDS))) % len(EMPLOYER_KINDS)][3]


# --- destinations (seed_demo, seed_scale --destinations) ------------------------------------------

STARTUP_CODE_BASE = 6_000_000  # credit-code numbers of graduates' own businesses: apart from employers'
DOMESTIC_INSTITUTIONS = ("中山大学", "华南理工大学", "暨南大学", "华南师范大学", "深圳大学", "广东工业大学",
                         "南方科技大学", "广州大学")
# (country, institution) for 出国出境深造, and (country, employer) for work abroad and international bodies
ABROAD_INSTITUTIONS = (("GB", "伦敦大学学院"), ("HK", "香港大学"), ("SG", "新加坡国立大学"), ("AU", "悉尼大学"),
                       ("US", "加州大学洛杉矶分校"), ("JP", "早稻田大学"), ("DE", "慕尼黑工业大学"), ("MO", "澳门大学"))
ABROAD_EMPLOYERS = (("SG", "新加坡星海科技私人有限公司"), ("HK", "香港利丰贸易有限公司"), ("CH", "世界卫生组织"),
                    ("US", "联合国开发计划署"), ("JP", "东京樱花商事株式会社"), ("GB", "伦敦博远咨询有限公司"))
PROJECT_UNITS = ("韶关市乳源瑶族自治县教育局", "梅州市大埔县人民政府", "清远市连山壮族瑶族自治县农业农村局",
                 "湛江市徐闻县卫生健康局", "河源市紫金县乡村振兴局", "云浮市罗定市教育局")
STUDY_MAJORS = ("计算机技术", "软件工程", "金融", "电子信息", "土木水利", "应用统计", "翻译", "会计")
WORK_CONTENTS = ("自由撰稿", "独立设计", "网络主播", "软件外包开发", "摄影摄像", "家教辅导")
STARTUP_KINDS = ("文化传播工作室", "电子商务有限公司", "软件开发工作室", "农产品专业合作社", "餐饮管理有限公司")
ARCHIVE_UNITS = (("广州市人才服务中心", "广州市天河区天河路1号"), ("深圳市人才交流服务中心", "深圳市福田区深南大道8005号"),
                 ("佛山市人力资源服务中心", "佛山市禅城区汾江中路1号"))
# 升学层次 of each 境内升学 sub-type (the field is a choice: the sub-type decides it)
STUDY_LEVELS = {"专升本": "专科升本科", "考研": "硕士研究生", "第二学士学位": "第二学士学位"}


def _sorted_codes(table: str) -> list[str]:
    return sorted(code_map(table))


def destination_values(dtype, k: int, *, graduation_year: int, regions: Sequence[str],
                       employer: dict[str, str] | None = None) -> dict[str, str]:
    """Variant k of what a graduate types in for destination type `dtype` (gradreg.codes.destinations).

    Generated from the type's field specs, so a type added to the taxonomy gets values too: every required
    field; the optional ones and the 档案/户口 receiving info on even variants; one member of each either-or
    group in turn. `employer` (as `employer_for` gives it) is the unit of an employment; by default the
    scale pool's employer k. Values pass `gradreg.destinations.validation.clean_destination`.
    """
    fields = {f.name for f in dtype.fields}
    if employer is None:
        employer = employer_for(k % SCALE_EMPLOYERS, regions)
    abroad = "country" in fields
    country, abroad_name = (ABROAD_EMPLOYERS[k % len(ABROAD_EMPLOYERS)] if "unit_name" in fields
                            else ABROAD_INSTITUTIONS[k % len(ABROAD_INSTITUTIONS)])
    positions = positions_for(k % SCALE_EMPLOYERS)
    job, position = positions[k % len(positions)]
    city = EMPLOYER_CITIES[k % len(EMPLOYER_CITIES)]
    texts = {
        "unit_name": abroad_name if abroad else PROJECT_UNITS[k % len(PROJECT_UNITS)] if "project_place" in fields
        else employer["name"],
        "position": position,
        "institution": abroad_name if abroad else DOMESTIC_INSTITUTIONS[k % len(DOMESTIC_INSTITUTIONS)],
        "major": STUDY_MAJORS[k % len(STUDY_MAJORS)],
        "company_name": f"{city}{EMPLOYER_WORDS[k % len(EMPLOYER_WORDS)]}{STARTUP_KINDS[k % len(STARTUP_KINDS)]}",
        "licence_no": f"{employer['region_code']}{600_000_000 + k:09d}",
        "work_content": WORK_CONTENTS[k % len(WORK_CONTENTS)],
        "paper_no": f"GD{graduation_year}{k % 1_000_000:06d}",
    }
    by_name = {
        "credit_code": make_credit_code(STARTUP_CODE_BASE + k) if "company_name" in fields else employer["credit_code"],
        "unit_nature": employer["nature_code"],
        "unit_industry": employer["industry_code"],
        "unit_region": employer["region_code"],
        "job_category": job,
        "country": country,
        "start_date": f"{graduation_year}-07-{1 + k % 28:02d}",
        "signed_date": f"{graduation_year}-{3 + k % 4:02d}-{1 + k % 28:02d}",
        "study_level": STUDY_LEVELS.get(dtype.subtype, ""),
    }
    out: dict[str, str] = {}
    for spec in dtype.fields:
        if spec.one_of and spec.name != spec.one_of[k % len(spec.one_of)]:
            continue  # the group's other member carries it this time
        if not spec.required and not spec.one_of and k % 2:
            continue
        value = texts.get(spec.name) or by_name.get(spec.name)
        if not value:
            if spec.kind == "text":
                value = f"{spec.label}{k + 1}"[: spec.max_length]
            elif spec.code_table:
                codes = _sorted_codes(spec.code_table)
                value = codes[k % len(codes)]
            elif spec.kind == "region":
                value = regions[(k * 7 + 3) % len(regions)]
            elif spec.kind == "date":
                value = by_name["start_date"]
            elif spec.kind == "years":
                value = str(2 + k % 2)
            elif spec.choices:
                value = spec.choices[k % len(spec.choices)]
            else:
                raise ValueError(f"no generated value for field {spec.name} of kind {spec.kind}")
        out[spec.name] = value
    if dtype.archive_hukou and k % 2 == 0:
        unit, address = ARCHIVE_UNITS[(k // 2) % len(ARCHIVE_UNITS)]
        out.update(archive_unit=unit, archive_address=address)
        if k % 4 == 0:
            out.update(hukou_unit=unit, hukou_address=address)
    return out


def proof_png(title: str = "") -> bytes:
    """A small, valid PNG standing in for a scanned proof (an admission letter, a contract...)."""
    im = Image.new("RGB", (420, 300), "white")
    draw = ImageDraw.Draw(im)
    draw.rectangle((10, 10, 409, 289), outline=(180, 30, 30), width=4)
    draw.ellipse((300, 190, 390, 280), outline=(200, 30, 30), width=3)  # the seal
    for row in range(6):
        draw.line((40, 60 + 30 * row, 380 - 40 * (row % 3), 60 + 30 * row), fill=(60, 60, 60), width=3)
    if title:
        draw.text((40, 24), title.encode("ascii", "ignore").decode() or "proof", fill=(0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()
