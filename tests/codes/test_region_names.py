"""Region names as pages show them, cached per process like the other code tables."""
from __future__ import annotations

from gradreg.codes import loader
from gradreg.codes.models import Region


def test_a_region_name_is_read_once_and_follows_an_edit(db, django_assert_num_queries, monkeypatch):
    loader.clear_cache()
    with django_assert_num_queries(1):
        first = loader.region_name("440106")
        assert loader.region_name("440106") == first == "440106 广东省天河区"
    Region.objects.filter(code="440106").update(name="天河")
    loader.clear_cache()  # what an operator's edit in the admin and load_codes do
    assert loader.region_name("440106") == "440106 广东省天河"
    Region.objects.filter(code="440106").update(name="天河区")
    now = loader.time.monotonic()
    monkeypatch.setattr(loader.time, "monotonic", lambda: now + loader.CACHE_SECONDS + 1)
    assert loader.region_name("440106") == "440106 广东省天河区"  # other processes: within a minute
    assert loader.region_name("999999") == "999999"
