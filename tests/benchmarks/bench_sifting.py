"""Sifting entries (issue 27): near-duplicate clustering and entry search.

- Clustering: entries/s added to the duplicate index (MinHash signature and LSH
  buckets, what the projection computes per entry) against hashing the normalised
  text for exact duplicates; recall and precision of near-duplicate pairs on a
  generated set with known duplicates, in two languages (English and Polish word
  stock): edited copies (typos, reordered words) and paraphrases (a fifth of the
  words replaced), against the exact-duplicate baseline's recall.
- Export: entries and reviews as the API streams them (CSV) against PostgreSQL's
  ``COPY ... TO STDOUT`` of the same rows, and the process's peak RSS meanwhile.
- Search: p99 latency of a page of entries matching a word, sorted by score, under 50
  concurrent clients (threads, each its own SQLite connection to one read store),
  against a page by primary key under the same load.

BENCH_SIFTING_ENTRIES (default 20,000; bench-full 1,000,000) sizes the search;
BENCH_SIFTING_IDEAS (default 2,000) the clustering set; BENCH_SIFTING_EXPORT (default
100,000; bench-full 1,000,000) the export's entries (each with a review)."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

from projections.participants.projection import DDL as PARTICIPANTS_DDL
from projections.reviewers.projection import DDL as REVIEWERS_DDL
from projections.sifting import duplicates, queries
from projections.sifting.projection import DDL, SQLITE_DDL
from projections.sifting.queries import Search
from tests.benchmarks.report import Result

ENGLISH = [
    "kite",
    "lift",
    "paper",
    "stick",
    "spring",
    "scale",
    "children",
    "measure",
    "wind",
    "solar",
    "oven",
    "foil",
    "sunlight",
    "pendulum",
    "swing",
    "weight",
    "lever",
    "balance",
    "gear",
    "pulley",
    "magnet",
    "water",
    "wheel",
    "bridge",
    "tower",
    "rocket",
    "balloon",
    "friction",
    "ramp",
    "marble",
    "track",
    "sound",
    "tube",
    "light",
    "prism",
    "lens",
    "mirror",
    "battery",
    "motor",
    "circuit",
    "switch",
    "robot",
    "sensor",
    "garden",
    "seed",
    "soil",
    "plant",
    "bottle",
]
POLISH = [
    "latawiec",
    "siła",
    "papier",
    "patyk",
    "sprężyna",
    "waga",
    "dzieci",
    "mierzyć",
    "wiatr",
    "słońce",
    "piekarnik",
    "folia",
    "wahadło",
    "huśtawka",
    "ciężar",
    "dźwignia",
    "równowaga",
    "koło",
    "zębate",
    "blok",
    "magnes",
    "woda",
    "most",
    "wieża",
    "rakieta",
    "balon",
    "tarcie",
    "rampa",
    "kulka",
    "tor",
    "dźwięk",
    "rura",
    "światło",
    "pryzmat",
    "soczewka",
    "lustro",
    "bateria",
    "silnik",
    "obwód",
    "przełącznik",
    "robot",
    "czujnik",
    "ogród",
    "nasiono",
]


def _vocabulary(seed: int, letters: str, size: int = 5000) -> list[str]:
    """Made-up words of a language's letters, consonant and vowel in turn: a stock as
    varied in its trigrams as real entries' words."""
    rng = random.Random(seed)
    vowels = [c for c in letters if c in "aeiouyąęó"]
    consonants = [c for c in letters if c not in vowels]
    return [
        "".join(rng.choice(consonants if k % 2 == 0 else vowels) for k in range(rng.randint(4, 9)))
        for _ in range(size)
    ]


# Common words of each language (every entry may use them), then a large stock.
ENGLISH_WORDS = ENGLISH + _vocabulary(1, "abcdefghijklmnopqrstuvwxyz")
POLISH_WORDS = POLISH + _vocabulary(2, "aąbcćdeęfghijklłmnńoóprsśtuwyzźż")


def _idea(rng: random.Random, stock: list[str]) -> str:
    return " ".join(rng.choice(stock) for _ in range(rng.randint(25, 45)))


def _typos(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(max(2, len(chars) // 60)):
        i = rng.randrange(len(chars))
        chars[i] = rng.choice("aeioulnrst")
    return "".join(chars)


def _reordered(rng: random.Random, text: str) -> str:
    words = text.split()
    for _ in range(len(words) // 3):
        i, j = rng.randrange(len(words)), rng.randrange(len(words))
        words[i], words[j] = words[j], words[i]
    return " ".join(words)


def _paraphrase(rng: random.Random, text: str, stock: list[str]) -> str:
    return " ".join(rng.choice(stock) if rng.random() < 0.2 else w for w in text.split())


def generated(ideas: int, seed: int = 27) -> tuple[list[str], dict[int, int], dict[int, str]]:
    """Texts, each text's idea, and each copy's kind (originals have none)."""
    rng = random.Random(seed)
    texts: list[str] = []
    idea_of: dict[int, int] = {}
    kind: dict[int, str] = {}
    for n in range(ideas):
        stock = ENGLISH_WORDS if n % 2 == 0 else POLISH_WORDS
        original = _idea(rng, stock)
        texts.append(original)
        idea_of[len(texts) - 1] = n
        if n % 4 == 3:
            continue  # an idea nobody copied
        for name, copy in (
            ("edited", _typos(rng, original)),
            ("edited", _reordered(rng, original)),
            ("paraphrase", _paraphrase(rng, original, stock)),
        ):
            texts.append(copy)
            idea_of[len(texts) - 1] = n
            kind[len(texts) - 1] = name
    return texts, idea_of, kind


def clustering(quick: bool) -> list[Result]:
    ideas = 200 if quick else int(os.environ.get("BENCH_SIFTING_IDEAS", "2000"))
    texts, idea_of, kind = generated(ideas)
    started = time.perf_counter()
    signatures = [duplicates.signature(t) for t in texts]
    index: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, values in enumerate(signatures):
        for key in duplicates.buckets(values):
            index[key].append(i)
    indexed = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    exact: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(texts):
        exact[hashlib.sha256(" ".join(duplicates.normalise(t)).encode()).hexdigest()].append(i)
    hashed = len(texts) / (time.perf_counter() - started)
    candidates = {(a, b) for members in index.values() for a in members for b in members if a < b}
    found = {
        p
        for p in candidates
        if duplicates.similarity(signatures[p[0]], signatures[p[1]]) >= duplicates.SIMILAR
    }
    exact_found = {(a, b) for m in exact.values() for a in m for b in m if a < b}
    results = [
        Result(
            "sifting: entries/s added to the duplicate index",
            indexed,
            "sha256 of the normalised text",
            hashed,
            "entries/s",
        )
    ]
    # Pairs of an original and its copy of each kind: what recall is measured on.
    for name in ("edited", "paraphrase"):
        truth = {
            (min(i, o), max(i, o))
            for i, k in kind.items()
            if k == name
            for o in (i - 1, i - 2, i - 3)
            if o >= 0 and o not in kind and idea_of.get(o) == idea_of[i]
        }
        recall = len(truth & found) / len(truth)
        baseline = len(truth & exact_found) / len(truth)
        results.append(
            Result(
                f"sifting: recall of {name} copies",
                recall,
                "exact duplicates after normalising",
                baseline,
                "share of pairs",
                ">= 0.9 (edited)" if name == "edited" else "",
            )
        )
    precision = sum(idea_of[a] == idea_of[b] for a, b in found) / max(len(found), 1)
    results.append(
        Result(
            "sifting: precision of near-duplicate pairs",
            precision,
            "exact duplicates after normalising",
            sum(idea_of[a] == idea_of[b] for a, b in exact_found) / max(len(exact_found), 1),
            "share of pairs",
            ">= 0.9",
        )
    )
    return results


def _fill(path: Path, entries: int) -> None:
    rng = random.Random(7)
    with sqlite3.connect(path) as conn:
        for statement in (*DDL, *SQLITE_DDL, *REVIEWERS_DDL, *PARTICIPANTS_DDL):
            conn.execute(statement)
        rows = (
            (
                f"{n:032x}",
                "challenge",
                "en",
                f"Entry {n} {rng.choice(ENGLISH)} {rng.choice(ENGLISH)}",
                _idea(rng, ENGLISH_WORDS)[:200],
                1,
                "submitted",
                rng.randrange(50),
                round(rng.random() * 100, 4),
                f"2026-11-{1 + n % 28:02d}T00:00:{n % 60:02d}.000000Z",
                n + 1,
            )
            for n in range(entries)
        )
        conn.executemany(
            "INSERT INTO sf_entries (submission_id, challenge_id, language, title, summary,"
            " version, status, support_count, score, submitted_at, received_position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def _p99(path: Path, clients: int, seconds: float, query: str, params: list) -> float:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        conn = sqlite3.connect(path, check_same_thread=False)
        conn.execute(query, params).fetchall()  # a connection's first query reads the schema
        mine = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            conn.execute(query, params).fetchall()
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statistics.quantiles(latencies, n=100)[98]


def search(quick: bool) -> list[Result]:
    entries = 2_000 if quick else int(os.environ.get("BENCH_SIFTING_ENTRIES", "20000"))
    seconds = 1.0 if quick else 5.0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "read.db"
        _fill(path, entries)
        # The statement a search page runs: words, sorted by score (SQLite).
        sql, params = queries.search_sql(
            SimpleNamespace(dialect="sqlite"),  # type: ignore[arg-type]
            "challenge",
            Search(text="kite", sort="score"),
            after=None,
            limit=21,
        )
        searched = _p99(path, 50, seconds, sql, params)
        by_key = _p99(
            path,
            50,
            seconds,
            "SELECT submission_id, title, score FROM sf_entries WHERE submission_id = ?",
            [f"{entries // 2:032x}"],
        )
    return [
        Result(
            f"sifting: search p99, 50 clients, {entries:,} entries (SQLite)",
            searched,
            "one entry by key, same load",
            by_key,
            "ms",
            "< 50 ms (at 1,000,000)",
        )
    ]


def _rss_mb(field: str = "VmHWM") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def export(quick: bool) -> list[Result]:
    """Entries and their reviews exported as CSV from PostgreSQL (what the API streams)
    against ``COPY ... TO STDOUT`` of the same rows; the process's peak RSS during it."""
    import psycopg
    from psycopg import sql

    from openinno.domain.blind import BLIND
    from projections.db import ReadStore
    from projections.reviewers.projection import DDL as REVIEWERS_DDL
    from projections.sifting.projection import DUPLICATES_DDL, POSTGRES_DDL
    from tests.support.postgres import DEFAULT_URL
    from web import exports as web_exports

    entries = 5_000 if quick else int(os.environ.get("BENCH_SIFTING_EXPORT", "100000"))
    url = os.environ.get("OPENINNO_TEST_POSTGRES_URL", DEFAULT_URL)
    schema = f"bench_sifting_{random.randrange(1 << 30):x}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        for statement in (*DDL, *DUPLICATES_DDL, *POSTGRES_DDL, *REVIEWERS_DDL):
            conn.execute(statement)
        conn.execute(
            "INSERT INTO sf_challenges VALUES ('c', 'en', %s, '[]')",
            (
                '[{"name":"a","weight":50,"min_score":0,"max_score":10},'
                '{"name":"b","weight":50,"min_score":0,"max_score":10}]',
            ),
        )
        with conn.cursor().copy(
            "COPY sf_entries (submission_id, challenge_id, language, title, summary, version,"
            " status, support_count, score, review_count, submitted_at, received_position)"
            " FROM STDIN"
        ) as copy:
            for n in range(entries):
                copy.write_row(
                    (
                        f"{n:032x}",
                        "c",
                        "en",
                        f"=Entry {n}",
                        "A summary of the idea, " * 4,
                        1,
                        "submitted",
                        n % 50,
                        float(n % 100),
                        1,
                        f"2026-11-01T00:00:00.{n:06d}Z",
                        n + 1,
                    )
                )
        with conn.cursor().copy(
            "COPY sf_reviews (review_id, challenge_id, submission_id, round, scores, total)"
            " FROM STDIN"
        ) as copy:
            for n in range(entries):
                copy.write_row((f"r{n:031x}", "c", f"{n:032x}", 1, '{"a":"5","b":"7"}', 60.0))
        conn.execute("ANALYZE")
        try:
            started = time.perf_counter()
            copied = 0
            for table in ("sf_entries", "sf_reviews"):
                with conn.cursor().copy(
                    sql.SQL(
                        "COPY (SELECT * FROM {} WHERE challenge_id = 'c') TO STDOUT"
                        " WITH (FORMAT csv)"
                    ).format(sql.Identifier(table))
                ) as copy:
                    for block in copy:
                        copied += bytes(block).count(b"\n")
            copy_rate = copied / (time.perf_counter() - started)
            store = ReadStore(postgres_conninfo=url, postgres_schema=schema)
            before = _rss_mb("VmRSS")
            Path("/proc/self/clear_refs").write_text("5")
            started = time.perf_counter()
            lines = 0
            for kind in ("entries", "reviews"):
                for chunk in web_exports.chunks(store, "c", kind, "csv", BLIND):  # type: ignore[arg-type]
                    lines += chunk.count("\r\n")
            export_rate = (lines - 2) / (time.perf_counter() - started)
            peak = _rss_mb()
        finally:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
    return [
        Result(
            f"sifting: export rows/s, {entries:,} entries + reviews (CSV, PostgreSQL)",
            export_rate,
            "COPY ... TO STDOUT of the same rows",
            copy_rate,
            "rows/s",
        ),
        Result(
            "sifting: process RSS at the export's peak",
            peak,
            "RSS before the export",
            before,
            "MB",
            "< 150 MB",
        ),
    ]


def run(quick: bool) -> list[Result]:
    return [*clustering(quick), *search(quick), *export(quick)]
