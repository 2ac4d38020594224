"""docs/events.md cannot fall behind the code.

Every event class nested in an aggregate of ``openinno.domain.AGGREGATES`` must be
named in the catalogue as ``Aggregate.EventName``.  Events the domain declares
must each have their own ``### `Aggregate.EventName` `` section that names every
payload field; the catalogue must not describe events that no longer exist; and
the value objects carried inside events must list their fields too.
"""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path

import msgspec
import pytest
from eventsourcing.domain import Aggregate

from openinno.domain import AGGREGATES
from openinno.domain import values as value_objects

CATALOGUE = Path(__file__).resolve().parents[1] / "docs" / "events.md"
# Stored around every payload (or set by the library): documented once, up front.
ENVELOPE = ("originator_id", "originator_version", "originator_topic", "timestamp")
# Base classes the library generates inside every aggregate; never recorded.
LIBRARY_BASES = {"Event", "Created"}


def nested_events(aggregate: type[Aggregate]) -> dict[str, type[Aggregate.Event]]:
    return {
        name: value
        for name, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, Aggregate.Event)
    }


def declared_in_source(aggregate: type[Aggregate], name: str) -> bool:
    """True for event classes written in the aggregate's body (not made by the library)."""
    return re.search(rf"^    class {name}\(", inspect.getsource(aggregate), re.M) is not None


def payload_fields(cls: type) -> list[str]:
    hints = typing.get_type_hints(cls)
    return [
        name
        for name, hint in hints.items()
        if name not in ENVELOPE and typing.get_origin(hint) is not typing.ClassVar
    ]


def sections(text: str) -> dict[str, str]:
    """`### `Name`` heading -> the text up to the next heading of any level."""
    found: dict[str, str] = {}
    for match in re.finditer(r"^### `([\w.]+)`\n(.*?)(?=^#{1,3} |\Z)", text, re.M | re.S):
        found[match.group(1)] = match.group(2)
    return found


@pytest.fixture(scope="module")
def catalogue() -> str:
    return CATALOGUE.read_text(encoding="utf-8")


def declared_events() -> list[tuple[str, type]]:
    return [
        (f"{aggregate.__name__}.{name}", cls)
        for aggregate in AGGREGATES
        for name, cls in nested_events(aggregate).items()
        if declared_in_source(aggregate, name)
    ]


def test_every_nested_event_class_is_named_in_the_catalogue(catalogue: str) -> None:
    missing = [
        f"{aggregate.__name__}.{name}"
        for aggregate in AGGREGATES
        for name in nested_events(aggregate)
        if f"`{aggregate.__name__}.{name}`" not in catalogue
    ]
    assert not missing, f"docs/events.md does not mention: {', '.join(missing)}"


def test_only_the_library_generates_event_classes() -> None:
    generated = {
        name
        for aggregate in AGGREGATES
        for name in nested_events(aggregate)
        if not declared_in_source(aggregate, name)
    }
    assert generated <= LIBRARY_BASES


@pytest.mark.parametrize(("qualname", "cls"), declared_events(), ids=lambda v: str(v))
def test_each_declared_event_has_a_section_naming_its_fields(
    catalogue: str, qualname: str, cls: type
) -> None:
    section = sections(catalogue).get(qualname)
    assert section is not None, f"docs/events.md has no '### `{qualname}`' section"
    missing = [f for f in payload_fields(cls) if f"`{f}`" not in section]
    assert not missing, f"{qualname}: fields not described: {', '.join(missing)}"
    assert "Caused by" in section, f"{qualname}: say which command (and role) causes it"


def test_the_catalogue_describes_no_event_that_does_not_exist(catalogue: str) -> None:
    real = {qualname for qualname, _ in declared_events()}
    aggregates = {a.__name__ for a in AGGREGATES}
    described = {name for name in sections(catalogue) if name.split(".")[0] in aggregates}
    assert described - real == set()
    for aggregate in aggregates:
        assert re.search(rf"^## {aggregate}\b", catalogue, re.M), f"no section for {aggregate}"


def test_the_envelope_fields_are_described(catalogue: str) -> None:
    for name in ENVELOPE:
        assert f"`{name}`" in catalogue


def test_value_objects_inside_events_list_their_fields(catalogue: str) -> None:
    structs = [
        cls
        for cls in vars(value_objects).values()
        if isinstance(cls, type) and issubclass(cls, msgspec.Struct) and cls is not msgspec.Struct
    ]
    assert structs
    found = sections(catalogue)
    for cls in structs:
        section = found.get(cls.__name__)
        assert section is not None, f"docs/events.md has no '### `{cls.__name__}`' section"
        missing = [f for f in cls.__struct_fields__ if f"`{f}`" not in section]
        assert not missing, f"{cls.__name__}: fields not described: {', '.join(missing)}"
