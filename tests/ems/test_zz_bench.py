import time, functools
from django.core.files.uploadedfile import SimpleUploadedFile
from gradreg.ems import importer
from gradreg.ems.models import Graduate

def timed(mod, name, out):
    fn = getattr(mod, name)
    @functools.wraps(fn)
    def w(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            out.append((name, round(time.perf_counter() - t, 3)))
    return w

def test_bench(world, monkeypatch):
    content = open("/tmp/imp/100k.xlsx", "rb").read()
    up = SimpleUploadedFile("r.xlsx", content)
    out = []
    for n in ["_read_sheet", "_validate", "_roster_lookup", "_insert_rows", "_restore"]:
        monkeypatch.setattr(importer, n, timed(importer, n, out))
    t = time.perf_counter()
    imp = importer.roster_import(actor=world.qian, uploaded_file=up)
    total = time.perf_counter() - t
    print("\nTOTAL", round(total, 2), int(100000 / total), "rows/s", imp.status, imp.errors[:3], out)
    assert Graduate.objects.count() > 100000
