"""List the imports of gradreg code that hide inside a function (outside apps.py), one per line as file:line.

An import inside a function escapes the import-layer contract's intent (it runs later, so a cycle
does not show at start-up); `apps.py` is where the framework hooks register things, so it is left out.
One that must stay says why on its own line: `# function-level: <why>` (e.g. a heavy library kept off
the request path); it is listed as explained.
Usage: python scripts/function_imports.py [--strict]   (--strict: exit 1 when an unexplained one is found)
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gradreg", "config")
REASON = "# function-level:"


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def function_imports(path: Path, module: str | None = None) -> list[tuple[int, str]]:
    """(line, imported module) of each gradreg import inside a function of this file (module: its dotted name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module, is_package = module or _module_of(path), path.name == "__init__.py"
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if in_function and isinstance(child, ast.Import):
                found.extend((child.lineno, a.name) for a in child.names if a.name.split(".")[0] == "gradreg")
            elif in_function and isinstance(child, ast.ImportFrom):
                target = _absolute(child, module, is_package)
                if target.split(".")[0] == "gradreg":
                    found.append((child.lineno, target))
            visit(child, inside)

    visit(tree, False)
    return found


def explained(path: Path, line: int) -> bool:
    """Whether the import starting on this line carries a `# function-level: <why>` comment."""
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    reason = text.partition(REASON)[2].strip() if REASON in text else ""
    return bool(reason)


def _app(module: str) -> str:
    return ".".join(module.split(".")[:2])


def scan() -> list[tuple[str, int, str, bool, bool]]:
    """(file, line, imported module, whether it crosses to another app, whether its line says why) of each."""
    rows = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or path.name == "apps.py":
                continue
            app = _app(_module_of(path))
            rows.extend((str(path.relative_to(ROOT)), line, target, _app(target) != app, explained(path, line))
                        for line, target in function_imports(path))
    return rows


def main(argv: list[str]) -> int:
    rows = scan()
    for file, line, target, crosses, why in rows:
        print(f"{file}:{line}: {target}{'' if crosses else '  (same app)'}{'  (explained)' if why else ''}")
    crossing = sum(1 for row in rows if row[3])
    unexplained = [row for row in rows if not row[4]]
    print(f"{len(rows)} function-level gradreg import(s) outside apps.py, {crossing} of them from another app, "
          f"{len(unexplained)} without a `{REASON} <why>` comment", file=sys.stderr)
    return 1 if unexplained and "--strict" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
