"""Reading a form with files (an entry, page or API) from the request stream, never
whole in memory.

Litestar's own ``request.form()`` reads the whole body into memory before parsing it,
and a handler's ``data`` is parsed before the handler runs, so before it can check who
is asking.  Here the handler checks first (token, or session and then CSRF), and only
then reads: ``refuse_declared_length`` turns away a Content-Length over the limit
before a byte is read, and ``receive_form`` parses ``multipart/form-data`` as it
arrives (``multipart.PushMultipartParser``), streaming each file part into a temp file
in the file store (``FileStore.receive``: hashed and measured on the way) and refusing
with 413 as soon as a file or the whole body passes its limit, Content-Length or not.
What the command does not take is deleted (``ReceivedForm.discard``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.concurrency import sync_to_thread
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from multipart import MultipartSegment, ParserError, PushMultipartParser, parse_options_header

from openinno.domain.errors import InvalidInput
from openinno.files import FileStore, Receiving, TooLarge, Upload
from openinno.settings import Settings

MULTIPART = "multipart/form-data"
URL_ENCODED = "application/x-www-form-urlencoded"
# The text fields of one form together (title, summary, hidden fields): what a form
# without files may send at all, and what is held in memory of a form with files.
MAX_FIELD_BYTES = 1024 * 1024
# File bytes are handed to a worker thread (hashing, writing) in batches of this size:
# one thread hop per batch rather than per network chunk.
WRITE_BATCH_BYTES = 1024 * 1024
# Parts in one form: the files allowed and room for the fields.
FIELD_PARTS = 32


class MalformedForm(Exception):
    """The body is not the form its Content-Type says."""


@dataclass(frozen=True)
class FormLimits:
    max_request_bytes: int
    max_file_bytes: int
    max_files: int

    @classmethod
    def of(cls, settings: Settings) -> FormLimits:
        return cls(
            settings.request_bytes_limit,
            settings.max_file_bytes,
            settings.max_files_per_submission,
        )


@dataclass
class ReceivedForm:
    """The text fields (in order, repeated names kept) and the files, staged on disk."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, Upload]] = field(default_factory=list)

    def one(self, name: str) -> str:
        return next((v for k, v in self.fields if k == name), "")

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.fields if k == name]

    def discard(self) -> None:
        """Delete the staged files the store has not taken (FileStore.put moves them)."""
        for _, upload in self.files:
            if upload.staged is not None:
                upload.staged.unlink(missing_ok=True)


def too_large(limit: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(detail=f"The body is over the limit of {limit:,} bytes.")


def declared_length(request: Request[Any, Any, Any]) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise MalformedForm("Content-Length is not a number.") from None


def refuse_declared_length(request: Request[Any, Any, Any], limit: int) -> None:
    """413 for a Content-Length over ``limit``, before any of the body is read."""
    length = declared_length(request)
    if length is not None and length > limit:
        raise too_large(limit)


async def _body_chunks(request: Request[Any, Any, Any], limit: int) -> AsyncIterator[bytes]:
    """The body as it arrives, refused (413) once more than ``limit`` bytes came."""
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise too_large(limit)
        yield chunk


async def read_small_body(request: Request[Any, Any, Any], limit: int) -> bytes:
    """A body that is only text (JSON, a form without files), at most ``limit`` bytes."""
    refuse_declared_length(request, limit)
    chunks = [chunk async for chunk in _body_chunks(request, limit)]
    return b"".join(chunks)


def media_type_of(request: Request[Any, Any, Any]) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def receive_form(
    request: Request[Any, Any, Any],
    store: FileStore,
    limits: FormLimits,
    *,
    before_first_file: Callable[[ReceivedForm], None] | None = None,
) -> ReceivedForm:
    """The form of a multipart or urlencoded body.  ``before_first_file`` sees the text
    fields that came before the first file part (the pages check CSRF there) and may
    raise to stop before any file byte is stored.  The caller discards the form."""
    media_type = media_type_of(request)
    if media_type == URL_ENCODED:
        body = await read_small_body(request, MAX_FIELD_BYTES)
        try:
            pairs = parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=FIELD_PARTS)
        except (UnicodeDecodeError, ValueError) as e:
            raise MalformedForm(f"Malformed form: {e}") from None
        form = ReceivedForm(fields=pairs)
        return form
    if media_type != MULTIPART:
        raise MalformedForm(f"Send {MULTIPART} or {URL_ENCODED}.")
    refuse_declared_length(request, limits.max_request_bytes)
    _, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get("boundary")
    if not boundary:
        raise MalformedForm("The multipart Content-Type has no boundary.")
    form = ReceivedForm()
    try:
        await _MultipartReader(store, limits, form, before_first_file).read(
            _body_chunks(request, limits.max_request_bytes),
            boundary,
            declared_length(request),
        )
    except BaseException:
        form.discard()
        raise
    return form


class _MultipartReader:
    def __init__(
        self,
        store: FileStore,
        limits: FormLimits,
        form: ReceivedForm,
        before_first_file: Callable[[ReceivedForm], None] | None,
    ) -> None:
        self.store = store
        self.limits = limits
        self.form = form
        self.before_first_file = before_first_file
        self.field_bytes = 0
        self.segment: MultipartSegment | None = None
        self.text = bytearray()
        self.receiving: Receiving | None = None
        self.batch = bytearray()

    async def read(self, chunks: AsyncIterator[bytes], boundary: str, length: int | None) -> None:
        parser = PushMultipartParser(
            boundary,
            content_length=-1 if length is None else length,
            max_segment_count=self.limits.max_files + FIELD_PARTS,
        )
        try:
            async for chunk in chunks:
                await self._events(parser, chunk)
            await self._events(parser, b"")  # the end: an incomplete body is an error
            if not parser.closed:
                raise MalformedForm("The multipart body ended early.")
        except ParserError as e:
            raise MalformedForm(f"Malformed multipart body: {e}") from None
        except TooLarge as e:
            raise too_large(e.limit) from None
        finally:
            if self.receiving is not None:
                self.receiving.discard()

    async def _events(self, parser: PushMultipartParser, chunk: bytes) -> None:
        for event in parser.parse(chunk):
            if isinstance(event, MultipartSegment):
                await self._start(event)
            elif event is None:
                await self._end()
            else:
                await self._data(event)

    async def _start(self, segment: MultipartSegment) -> None:
        self.segment = segment
        if segment.filename is None:
            self.text.clear()
            return
        if not self.form.files and self.before_first_file is not None:
            self.before_first_file(self.form)
        if len(self.form.files) > self.limits.max_files:
            raise InvalidInput(
                "At most %(max)s files per entry.", field="files", max=self.limits.max_files
            )
        self.receiving = self.store.receive(self.limits.max_file_bytes)

    async def _data(self, data: bytes) -> None:
        if self.receiving is None:
            self.field_bytes += len(data)
            if self.field_bytes > MAX_FIELD_BYTES:
                raise too_large(MAX_FIELD_BYTES)
            self.text += data
            return
        self.batch += data
        if len(self.batch) >= WRITE_BATCH_BYTES:
            await self._flush()

    async def _flush(self) -> None:
        if self.receiving is not None and self.batch:
            batch, self.batch = bytes(self.batch), bytearray()
            await sync_to_thread(self.receiving.write, batch)

    async def _end(self) -> None:
        segment = self.segment
        assert segment is not None
        if self.receiving is None:
            try:
                value = self.text.decode(segment.charset or "utf-8")
            except (UnicodeDecodeError, LookupError):
                raise MalformedForm(f"The field {segment.name!r} is not UTF-8 text.") from None
            self.form.fields.append((segment.name or "", value))
            return
        await self._flush()
        receiving, self.receiving = self.receiving, None
        try:
            upload = await sync_to_thread(
                receiving.finish,
                segment.filename or "",
                segment.content_type or "application/octet-stream",
            )
        except BaseException:
            receiving.discard()
            raise
        self.form.files.append((segment.name or "", upload))
