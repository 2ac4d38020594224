"""Files measured as they stream (issue 19, finding 6): chunk by chunk they measure
what they measure whole, and a file past its limit is refused and leaves nothing."""

from __future__ import annotations

import hashlib
import itertools
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openinno.files import Content, FileStore, Meter, TooLarge, Upload, sniff_media_type

TEXTISH = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=32).map(str.encode),
    st.sampled_from([b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x8e\x88", b"\xff", b"%PDF-"]),
)


def cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


@given(st.lists(TEXTISH, max_size=12).map(b"".join), st.lists(st.integers(0, 400)))
def test_a_file_measured_in_chunks_is_measured_as_a_whole(data, cuts):
    meter = Meter()
    for chunk in cut(data, cuts):
        meter.update(chunk)
    content = meter.content()
    assert content.size == len(data)
    assert content.sha256 == hashlib.sha256(data).hexdigest()
    try:
        data.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    assert content.utf8 is utf8
    assert content == Content.of(data)


def test_text_is_told_from_the_whole_file_not_its_head():
    text = b"a" * 10_000 + "é".encode()
    assert sniff_media_type(Content.of(text)) == "text/plain"
    # cut inside the last character: not UTF-8 any more, although the head is
    assert sniff_media_type(Content.of(text[:-1])) is None


def test_a_received_file_is_moved_into_the_store_under_its_hash(tmp_path):
    store = FileStore(tmp_path)
    receiving = store.receive(max_bytes=100)
    for chunk in (b"%PDF-1.4 ", b"drawings"):
        receiving.write(chunk)
    upload = receiving.finish("plan.pdf", "application/pdf")
    assert upload.staged is not None and upload.staged.parent == tmp_path / ".incoming"
    digest = store.put(upload)
    assert digest == hashlib.sha256(b"%PDF-1.4 drawings").hexdigest()
    assert store.get(digest) == b"%PDF-1.4 drawings"
    assert list((tmp_path / ".incoming").iterdir()) == []
    # the same bytes again: the store has them, the staged copy goes
    again = store.receive(max_bytes=100)
    again.write(b"%PDF-1.4 drawings")
    staged = again.finish("copy.pdf", "application/pdf")
    assert store.put(staged) == digest and list((tmp_path / ".incoming").iterdir()) == []
    assert b"".join(store.chunks(digest, size=4)) == b"%PDF-1.4 drawings"


def test_a_file_past_its_limit_is_refused_while_it_arrives(tmp_path):
    store = FileStore(tmp_path)
    receiving = store.receive(max_bytes=10)
    receiving.write(b"x" * 10)
    with pytest.raises(TooLarge):
        receiving.write(b"y")
    receiving.discard()
    assert list((tmp_path / ".incoming").iterdir()) == []


def test_bytes_in_memory_are_stored_too(tmp_path):
    store = FileStore(tmp_path)
    digest = store.put(Upload.of_bytes("a.txt", b"hello"))
    assert store.get(digest) == b"hello"


def test_only_long_untouched_staged_files_are_swept(tmp_path):
    """What a worker killed mid-upload left goes at the next start; an upload still
    arriving (written to recently) stays."""
    store = FileStore(tmp_path)
    abandoned, arriving = store.receive(max_bytes=10), store.receive(max_bytes=10)
    now = abandoned.path.stat().st_mtime
    os.utime(abandoned.path, (now - 7200, now - 7200))
    assert store.sweep_incoming(now) == 1
    assert not abandoned.path.exists() and arriving.path.exists()
    assert FileStore(tmp_path / "none").sweep_incoming(now) == 0
