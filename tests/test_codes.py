from django.core.management import call_command

from gradreg.codes.loader import code_map, region_codes_in_use
from gradreg.codes.models import CodeEntry, Region


def test_tables_are_loaded_by_the_migrations(db):
    assert code_map("pyfs") == {"1": "非定向", "21": "定向(不可网签)", "22": "定向(可签约)",
                                "41": "委培(不可网签)", "42": "委培(可签约)"}
    assert code_map("xl")["31"] == "本科生毕业"
    assert Region.objects.get(code="440106").name == "天河区"
    assert "110103" not in region_codes_in_use()  # 崇文区, merged in 2010: historic only
    assert Region.objects.filter(code="110103").exists()  # still there for old ID numbers


def test_load_codes_is_idempotent_and_repairs(db, capsys):
    CodeEntry.objects.filter(table="xl", code="31").update(name="改坏了")
    before = CodeEntry.objects.count(), Region.objects.count()
    call_command("load_codes")
    assert (CodeEntry.objects.count(), Region.objects.count()) == before
    assert CodeEntry.objects.get(table="xl", code="31").name == "本科生毕业"
    assert "gbt2260" in capsys.readouterr().out
