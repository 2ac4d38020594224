"""Test and benchmark stores get their own write key, as `openinno keys generate`
makes one: the applications built on them then prove every event they record."""

from __future__ import annotations

from pathlib import Path

from openinno.persistence import write_proof


def give_write_key(data_dir: Path) -> None:
    """A fresh write key at ``<data_dir>/write-key`` unless one is there."""
    path = data_dir / "write-key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_bytes(write_proof.generate_key_text())
