"""The dependency rule, read from the imports: `openinno` never imports the read
side or the web; `projections` takes only the domain's event classes from openinno."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imports(package: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, node.module


def top(module: str) -> str:
    return module.split(".")[0]


def test_openinno_imports_neither_projections_nor_web():
    offending = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in imports(ROOT / "src" / "openinno")
        if top(module) in ("projections", "web")
    ]
    assert offending == []


def test_projections_import_only_the_domain_from_openinno():
    offending = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in imports(ROOT / "projections")
        if top(module) == "web"
        or (top(module) == "openinno" and not module.startswith("openinno.domain"))
    ]
    assert offending == []
