"""The module guide stays true: every `gradreg.…` name it mentions imports, every file path it names exists.

Fast and without a database: names are imported (and their attributes looked up), paths are looked
for on disk. A dotted name inside quotes is a string value (an OpenAPI operation-id prefix such as
`operation_ids_as="gradreg.api.signing"`), not a reference, and is left out.
"""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ("docs/adding-a-module.md", "README.md")
NAME = re.compile(r"(?<![\w.\"'/])gradreg(?:\.\w+)+")
PATH = re.compile(r"(?<![\w./<>-])((?:gradreg|tests|templates|docs|scripts|config|static)/[\w./-]*\w)(?![\w<>])")
TOP_FILES = re.compile(r"`(\.importlinter|Makefile|README\.md|requirements\.lock|\.ci/run)`")
APPS = "common|codes|notifications|workflow|organisations|accounts|ems|roster|signing|employers|api|devtools"
# short forms in backticks: `workflow.engine.perform` (two dots at least: `ems.signing_completed` is an
# outbox topic), `roster/live.py` (under gradreg/), `snippets/list_page.html` (under templates/)
SHORT_NAME = re.compile(rf"`((?:{APPS})(?:\.\w+){{2,}})")
SHORT_PY = re.compile(rf"`((?:{APPS})/[\w/]+\.py)`")
TEMPLATE = re.compile(r"`([\w/]+\.html)`")


def _text(guide: str) -> str:
    return (ROOT / guide).read_text(encoding="utf-8")


def dotted_names(text: str) -> set[str]:
    return set(NAME.findall(text)) | {f"gradreg.{n}" for n in SHORT_NAME.findall(text)}


def file_paths(text: str) -> set[str]:
    paths = set(PATH.findall(text)) | set(TOP_FILES.findall(text))
    paths |= {f"gradreg/{p}" for p in SHORT_PY.findall(text)}
    return paths | {p if p.startswith("templates/") else f"templates/{p}" for p in TEMPLATE.findall(text)}


def resolve(name: str) -> object:
    """Import the longest module prefix of `name`, then look the rest up as attributes."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError as e:
            if e.name and not ".".join(parts[:cut]).startswith(e.name):
                raise  # the module exists but imports something missing
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(name)


def test_the_guide_exists_and_is_short():
    lines = _text("docs/adding-a-module.md").splitlines()
    assert 150 <= len(lines) <= 380, len(lines)


def test_the_extractors_find_what_they_should():
    text = ('see `gradreg.workflow.engine.perform`, `gradreg/signing/flows.py` and `.importlinter`; '
            'operation_ids_as="gradreg.api.signing", `<app>/api.py`, gradreg/<app>/api.py, '
            '`roster.live.register_live_source(fn)`, `ems.signing_completed`, `roster/live.py`, '
            '`snippets/list_page.html`.')
    assert dotted_names(text) == {"gradreg.workflow.engine.perform", "gradreg.roster.live.register_live_source"}
    assert file_paths(text) == {"gradreg/signing/flows.py", ".importlinter", "gradreg/roster/live.py",
                                "templates/snippets/list_page.html"}


@pytest.mark.parametrize("guide", GUIDES)
def test_every_dotted_name_imports(guide):
    names = dotted_names(_text(guide))
    assert names
    missing = []
    for name in sorted(names):
        try:
            resolve(name)
        except (ImportError, AttributeError) as e:
            missing.append(f"{name}: {e}")
    assert not missing, missing


@pytest.mark.parametrize("guide", GUIDES)
def test_every_file_path_exists(guide):
    paths = file_paths(_text(guide))
    assert paths
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, missing


def test_every_excerpt_line_stands_in_the_code():
    """The guide's code excerpts are copied, not paraphrased: each line (but "…" cuts) is in a source file."""
    sources = [p.read_text(encoding="utf-8") for top in ("gradreg", "tests") for p in (ROOT / top).rglob("*.py")]
    blocks = re.findall(r"```python\n(.*?)```", _text("docs/adding-a-module.md"), re.S)
    assert blocks
    lines = [line for block in blocks for line in block.splitlines() if line.strip() and "…" not in line]
    assert not [line for line in lines if not any(line in source for source in sources)]


def test_the_guide_links_from_the_readme():
    assert "docs/adding-a-module.md" in _text("README.md")
