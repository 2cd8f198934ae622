"""Building blocks shared by seed_demo, seed_scale and bench: names, regions, valid identifiers.

Everything here is deterministic (a function of an index or of a seeded Random), so the seed
commands can be re-run and produce the same rows, which is what makes them idempotent.
"""
from __future__ import annotations

import datetime as dt
import unicodedata

from stdnum.cn import ric

from gradreg.common.ids import make_id_number

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
    from gradreg.codes.models import Region

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
