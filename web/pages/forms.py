"""Reading submitted forms: one value per name (the last wins) or every value."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import UploadFile


def one(data: dict[str, Any], name: str, default: str = "") -> str:
    value = data.get(name, default)
    if isinstance(value, list):
        value = value[-1] if value else default
    if isinstance(value, UploadFile):
        return default
    return str(value) if value is not None else default


def many(data: dict[str, Any], name: str) -> list[Any]:
    value = data.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def values(data: dict[str, Any], *names: str) -> dict[str, str]:
    return {name: one(data, name) for name in names}
