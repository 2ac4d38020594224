"""Every msgid the platform shows: the pages' strings (templates and page code) and the
domain's messages (every DomainError constructor's template, every ``Term`` and ``N_``
constant), extracted from the source, never listed by hand.  tests/web/pages/test_i18n.py
checks every catalogue against this set; ``make messages`` writes it to
web/i18n/messages.pot (``python -m web.i18n_catalogue``) before ``pybabel update``, so an
update never drops the domain's messages from the catalogues."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parents[1]
METHODS = [("web/templates/**.html", "jinja2"), ("web/pages/**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


SOURCE_ROOTS = ("src", "web", "projections")
# Constants a message is made of: a Term (a word put into a template) and N_ (a
# template kept in a constant, such as NOT_FOUND).
MARKERS = {"Term", "N_"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _sources() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(), str(path)))
        for root in SOURCE_ROOTS
        for path in sorted((ROOT / root).rglob("*.py"))
    ]


def domain_error_classes(sources: list[tuple[Path, ast.Module]]) -> set[str]:
    """DomainError and every class that derives from it, anywhere in the source."""
    classes = {"DomainError"}
    while True:
        more = {
            node.name
            for _, tree in sources
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and node.name not in classes
            and any(_name(base) in classes for base in node.bases)
        }
        if not more:
            return classes
        classes |= more


def domain_messages() -> tuple[set[str], list[str]]:
    """The message templates of the source, and where a message is built in a way no
    catalogue can hold (an f-string, a concatenation, a ``%`` or ``.format``)."""
    sources = _sources()
    errors = domain_error_classes(sources)
    found: set[str] = set()
    built: list[str] = []

    def collect(node: ast.expr, where: str) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, ast.IfExp):
            collect(node.body, where)
            collect(node.orelse, where)
        elif isinstance(node, ast.Name | ast.Attribute | ast.Subscript):
            pass  # a constant marked where it is defined (N_), or a message passed on
        elif isinstance(node, ast.Call) and _name(node.func) in ("gettext", "_"):
            pass  # translated already, by the page
        else:
            built.append(f"{where}: {ast.unparse(node)[:80]}")

    for path, tree in sources:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            message = node.args[0] if node.args else None
            if message is None:
                message = next((k.value for k in node.keywords if k.arg == "message"), None)
            if message is not None and (name in errors or name in MARKERS):
                collect(message, where)
    return found, built


def used_msgids() -> set[str]:
    found: set[str] = set(domain_messages()[0])
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=METHODS,
        keywords=KEYWORDS,
        options_map={"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        found.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return found


def write_template(path: Path) -> int:
    """Write every used msgid, sorted, to ``path`` (a .pot); how many there are."""
    catalog = Catalog(project="openinno", fuzzy=False)
    for message in sorted(used_msgids()):
        catalog.add(message)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False, sort_output=True)
    return len(catalog)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "web" / "i18n" / "messages.pot"
    print(f"{write_template(target)} messages written to {target}")
