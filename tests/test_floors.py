"""The floors: no function-level import hides an upward dependency in the kit, the shared pages or devtools."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# code whose imports all stand at the top of the module (apps.py aside: the framework hooks)
AT_THE_TOP = ("gradreg/common/", "gradreg/accounts/", "gradreg/api/", "gradreg/devtools/", "gradreg/roster/views.py",
              "gradreg/roster/activation", "gradreg/workflow/outbox.py", "gradreg/workflow/management/", "config/")


def _script():
    spec = importlib.util.spec_from_file_location("function_imports", ROOT / "scripts" / "function_imports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_function_level_imports_in_the_shared_code():
    rows = _script().scan()
    assert [r for r in rows if r[0].startswith(AT_THE_TOP)] == []


def test_the_script_finds_an_import_inside_a_function(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("from gradreg.roster import models\n\n\ndef f():\n    from gradreg.signing import models\n"
                    "    from .errors import DomainError\n")
    found = _script().function_imports(path, "gradreg.common.probe")
    assert found == [(5, "gradreg.signing"), (6, "gradreg.common.errors")]


def test_every_function_level_import_says_why():
    """One that must stay (a heavy library off the request path...) carries `# function-level: <why>`."""
    assert [r[:3] for r in _script().scan() if not r[4]] == []


def test_no_function_level_import_crosses_apps():
    assert [r[:3] for r in _script().scan() if r[3]] == []


def test_the_reason_is_read_from_the_import_line(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    from gradreg.signing import pdf  # function-level: heavy\n"
                    "    from gradreg.roster import models  # function-level:\n    from gradreg.ems import models\n")
    script = _script()
    assert [script.explained(path, line) for line, _ in script.function_imports(path, "gradreg.common.probe")] == [
        True, False, False]


def test_no_page_path_is_written_out():
    """Pages, flows and notifications name their URLs (reverse, {% url %}, url_name); the API declares its routes."""
    pattern = re.compile(r'"/(signing|roster|ems|organisations|accounts|messages)\b|(href|action)="/')
    hits = [f"{path.relative_to(ROOT)}:{n}" for base in ("gradreg", "templates")
            for path in sorted((ROOT / base).rglob("*")) if path.suffix in (".py", ".html")
            and path.name != "api.py" and "api" not in path.relative_to(ROOT).parts[:2]
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert hits == []
