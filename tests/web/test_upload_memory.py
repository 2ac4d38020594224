"""Uploads against a real `openinno serve` worker: no body is read before the caller
is known, and a worker's memory stays bounded while large files arrive (issue 19,
finding 6: a bogus bearer token's 400 MiB multipart body was read whole before the
401, and uploads were held in memory).

Bodies are generated on the fly and sent chunked (no Content-Length), so only the
server's streaming limits can stop them.  The worker's peak resident memory is the
kernel's own high-water mark (VmHWM in /proc/<pid>/status): no sampling to miss it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from openinno.application import OpenInno
from openinno.files import INCOMING
from tests.conftest import make_settings
from tests.support.server import HttpScene, Server, http_scene, migrate, running_server
from tests.support.story import PASSWORD

MiB = 1024 * 1024
UPLOAD_BYTES = 300 * MiB
CONCURRENT_UPLOADS = 4
# The target: a web worker stays under this while the uploads arrive.
RSS_CEILING_BYTES = 200 * 1000 * 1000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def peak_rss(pid: int) -> int:
    """The process's peak resident memory so far, in bytes (VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    kib = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    assert kib, status
    return int(kib.group(1)) * 1024


def file_bytes(seed: int, size: int) -> Iterator[bytes]:
    """A PNG-looking file of ``size`` bytes, one MiB block (distinct per seed) repeated."""
    block = hashlib.sha256(seed.to_bytes(8, "big")).digest() * (MiB // 32)
    yield PNG_SIGNATURE + block[len(PNG_SIGNATURE) :]
    sent = MiB
    while sent < size:
        piece = block[: min(MiB, size - sent)]
        sent += len(piece)
        yield piece


def expected_sha256(seed: int, size: int) -> str:
    digest = hashlib.sha256()
    for chunk in file_bytes(seed, size):
        digest.update(chunk)
    return digest.hexdigest()


def multipart(
    boundary: str, fields: dict[str, str], file_name: str, chunks: Iterator[bytes]
) -> Iterator[bytes]:
    """A multipart body: the text fields first, then one ``files`` part streamed."""
    for name, value in fields.items():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{file_name}"\r\nContent-Type: image/png\r\n\r\n'
    ).encode()
    yield from chunks
    yield f"\r\n--{boundary}--\r\n".encode()


def post_streamed(
    server: Server,
    path: str,
    fields: dict[str, str],
    chunks: Iterator[bytes],
    headers: dict[str, str],
    cookies: dict[str, str] | None = None,
) -> httpx.Response:
    boundary = secrets.token_hex(16)
    with httpx.Client(base_url=server.url, timeout=300, cookies=cookies) as http:
        return http.post(
            path,
            content=multipart(boundary, fields, "model.png", chunks),
            headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )


def first_response_while_sending(
    server: Server, path: str, headers: dict[str, str], declared: int, sent: int
) -> tuple[int, int]:
    """Announce a body of ``declared`` bytes, send ``sent`` of them, and wait for the
    answer (a generous time: the old code never answered before the whole body).
    The response's status, and how much of the body was sent before it came."""
    boundary = secrets.token_hex(16)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {declared}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + "\r\n"
    ).encode()
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="model.png"\r\nContent-Type: image/png\r\n\r\n'
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        sock.sendall(head + part + PNG_SIGNATURE + b"\x00" * (sent - len(part) - 8))
        response = sock.recv(4096)
    status = int(response.split(b" ", 2)[1])
    return status, sent


@pytest.fixture
def served(tmp_path, request, monkeypatch) -> Iterator[tuple[Server, HttpScene]]:
    """One worker (every upload lands on it) that takes files up to 400 MiB."""
    monkeypatch.setenv("OPENINNO_MAX_FILE_BYTES", str(400 * MiB))
    settings = make_settings("sqlite", tmp_path, request)
    migrate(settings)
    scene = http_scene(settings, CONCURRENT_UPLOADS)
    app = OpenInno(settings)
    try:
        app.register_account("uploader@example.org", PASSWORD, "Uploader")
    finally:
        app.close()
    with running_server(settings, workers=1) as server:
        yield server, scene


def entry_fields(scene: HttpScene, title: str) -> dict[str, str]:
    return {
        "title": title,
        "summary": "A model, photographed.",
        "accepted_terms_sha256": scene.terms,
    }


def incoming(server: Server) -> list[Path]:
    directory = server.settings.files_dir / INCOMING
    return list(directory.iterdir()) if directory.exists() else []


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_four_300_mib_uploads_at_once_stream_to_disk_in_bounded_memory(served):
    server, scene = served
    url = f"/api/v1/challenges/{scene.challenge}/submissions"

    def upload(i: int) -> httpx.Response:
        solver = scene.solvers[i]
        return post_streamed(
            server,
            url,
            entry_fields(scene, f"Model {i}"),
            file_bytes(i, UPLOAD_BYTES),
            solver.auth,
        )

    with ThreadPoolExecutor(CONCURRENT_UPLOADS) as pool:
        responses = list(pool.map(upload, range(CONCURRENT_UPLOADS)))
    peak = peak_rss(server.process.pid)
    assert [r.status_code for r in responses] == [201] * CONCURRENT_UPLOADS, [
        r.text[:300] for r in responses
    ]
    for i, response in enumerate(responses):
        seen = httpx.get(
            f"{server.url}/api/v1/submissions/{response.json()['id']}",
            headers=scene.solvers[i].auth,
        ).json()
        [stored] = seen["files"]
        assert stored["size"] == UPLOAD_BYTES and stored["media_type"] == "image/png"
        assert stored["sha256"] == expected_sha256(i, UPLOAD_BYTES)
        path = server.settings.files_dir / stored["sha256"][:2] / stored["sha256"][2:4]
        assert (path / stored["sha256"]).stat().st_size == UPLOAD_BYTES
    assert incoming(server) == []
    print(f"worker peak RSS with {CONCURRENT_UPLOADS} x 300 MiB uploads: {peak / 1e6:.0f} MB")
    assert peak < RSS_CEILING_BYTES, f"peak RSS {peak / 1e6:.0f} MB"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_files_over_the_limit_are_refused_as_they_stream(served):
    """A file past OPENINNO_MAX_FILE_BYTES (400 MiB here) is refused with 413 once it
    passes the limit, with no Content-Length to go by; nothing of it stays on disk.
    (450 MiB: under the 512 MiB the API used to read whole before its checks.)"""
    server, scene = served
    url = f"/api/v1/challenges/{scene.challenge}/submissions"

    def upload(i: int) -> httpx.Response:
        return post_streamed(
            server,
            url,
            entry_fields(scene, f"Huge {i}"),
            file_bytes(i, 450 * MiB),
            scene.solvers[i].auth,
        )

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(upload, range(2)))
    peak = peak_rss(server.process.pid)
    assert [r.status_code for r in responses] == [413, 413]
    assert responses[0].json()["code"] == "payload_too_large"
    assert incoming(server) == []
    print(f"worker peak RSS refusing 2 x 450 MiB uploads: {peak / 1e6:.0f} MB")
    assert peak < RSS_CEILING_BYTES


@pytest.mark.timeout(300)
def test_no_body_is_read_before_the_caller_is_known(served):
    """A bogus bearer token, an anonymous page post and a page post without its CSRF
    token each get their answer while the client has sent 256 KiB of a 200 MiB body
    (under the request limit, so no Content-Length check answers for them)."""
    server, scene = served
    declared, sent = 200 * MiB, 256 * 1024
    api = f"/api/v1/challenges/{scene.challenge}/submissions"
    page = f"/challenges/{scene.challenge}/submit"
    before = peak_rss(server.process.pid)

    status, _ = first_response_while_sending(
        server, api, {"Authorization": "Bearer bogus"}, declared, sent
    )
    assert status == 401
    status, _ = first_response_while_sending(server, page, {}, declared, sent)
    assert status in (401, 303)  # the pages send the anonymous to the login page

    with httpx.Client(base_url=server.url, timeout=30) as http:
        token = CSRF_FIELD.search(http.get("/login").text)
        assert token
        signed_in = http.post(
            "/login",
            data={
                "email": "uploader@example.org",
                "password": PASSWORD,
                "_csrf_token": token.group(1),
            },
        )
        assert signed_in.status_code == 303, signed_in.text[:300]
        cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    # The session and the CSRF cookie, but no token in the form before its file.
    status, _ = first_response_while_sending(server, page, {"Cookie": cookies}, declared, sent)
    assert status == 403
    assert incoming(server) == []
    assert peak_rss(server.process.pid) - before < 50 * MiB


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_large_file_through_the_entry_page_streams_to_disk(served):
    server, scene = served
    with httpx.Client(base_url=server.url, timeout=300) as http:
        token = CSRF_FIELD.search(http.get("/login").text)
        assert token
        http.post(
            "/login",
            data={
                "email": "uploader@example.org",
                "password": PASSWORD,
                "_csrf_token": token.group(1),
            },
        )
        form = CSRF_FIELD.search(http.get(f"/challenges/{scene.challenge}/submit").text)
        assert form
        boundary = secrets.token_hex(16)
        fields = {
            "_csrf_token": form.group(1),
            "title": "Model by page",
            "summary": "A model, photographed.",
            "accept": "yes",
            "accepted_terms_sha256": scene.terms,
        }
        response = http.post(
            f"/challenges/{scene.challenge}/submit",
            content=multipart(boundary, fields, "model.png", file_bytes(9, UPLOAD_BYTES)),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
    assert response.status_code == 303, response.text[:500]
    digest = expected_sha256(9, UPLOAD_BYTES)
    stored = server.settings.files_dir / digest[:2] / digest[2:4] / digest
    assert stored.stat().st_size == UPLOAD_BYTES
    assert incoming(server) == []
    assert peak_rss(server.process.pid) < RSS_CEILING_BYTES
