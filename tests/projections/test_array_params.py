"""Set-based statements' array parameters sent as array literals where they can be
(``projections.db.array_param``): the server reads the same arrays as from the lists."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from projections.db import array_param

pytestmark = pytest.mark.postgres

ALPHABET = 'ab-:+.Zż0_{}",\\ \t\nNUL'


@pytest.fixture
def conn(postgres_url: str) -> Iterator[Any]:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        yield connection


def roundtrip(conn: Any, value: Any, sql_type: str) -> Any:
    return conn.execute(f"SELECT %s::{sql_type}[]", (value,)).fetchone()[0]


def test_texts_and_integers_become_literals_and_other_lists_stay_lists():
    assert array_param(["a", "b-1:2+3.4", None]) == "{a,b-1:2+3.4,NULL}"
    assert array_param([1, None, -3]) == "{1,NULL,-3}"
    assert array_param(["a b", None, "null"]) == '{"a b",NULL,"null"}'
    assert array_param(["", 'say "hi"', "C:\\x"]) == '{"","say \\"hi\\"","C:\\\\x"}'
    for kept in ([True], [1.5], [], [b"x"]):
        assert array_param(kept) is kept


def test_the_server_reads_what_the_list_would_give(conn: Any):
    rng = random.Random(4)
    literals = with_text = 0
    for _ in range(300):
        size = rng.randint(1, 6)
        texts = [
            None if rng.random() < 0.1 else "".join(rng.choices(ALPHABET, k=rng.randint(0, 5)))
            for _ in range(size)
        ]
        if rng.random() < 0.5:
            texts = [None if t is None else t.strip('{}",\\ \t\nNUL') or "x" for t in texts]
        value = array_param(texts)
        literals += isinstance(value, str)
        with_text += any(t is not None for t in texts)
        assert roundtrip(conn, value, "text") == texts, texts
        numbers = [
            None if rng.random() < 0.1 else rng.randint(-(2**40), 2**40) for _ in range(size)
        ]
        assert roundtrip(conn, array_param(numbers), "bigint") == numbers, numbers
    assert literals == with_text  # every list holding text, quoted or not
