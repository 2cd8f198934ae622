"""Building blocks shared by seed_demo, seed_scale and bench: names, regions, valid identifiers, employers.

Everything here is deterministic (a function of an index or of a seeded Random), so the seed
commands can be re-run and produce the same rows, which is what makes them idempotent.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence

from stdnum.cn import ric

from gradreg.codes.models import Region
from gradreg.common.ids import make_credit_code, make_id_number

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
