"""Stored-event mapping with msgspec.

The library ships only a JSON transcoder that tags every UUID, datetime and
Decimal by hand.  Here each event class's own type hints are the schema: the
payload is plain JSON (UUIDs, datetimes and decimals as strings, value objects
as objects) and decoding converts it back to the annotated types.  Old
payloads still load: fields added later carry defaults, and a class with
``class_version > 1`` upcasts the raw dict before it is typed.

Payloads are written in canonical JSON (keys sorted at every depth: the form the
ledger's leaves use) and, when the mapper has a write key, sealed with a write
proof (write_proof.py) before compression and encryption.

Personal fields (openinno.domain.personal_fields) are encrypted under their person's key before
the payload is canonicalised and sealed, and decrypted on the way out, so the ledger's
leaves commit to the encrypted form and a shredded key erases them (decision 0032).
"""

from __future__ import annotations

import dataclasses
import typing
from functools import cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import get_topic, resolve_topic

from openinno.domain.personal_fields import PERSONAL
from openinno.persistence.write_proof import WriteKey, seal, unseal
from openinno.privacy import sealing

if TYPE_CHECKING:
    from openinno.privacy.keys import PersonalKeys

# Decoding this drops the person's keys from the process's cache (openinno.privacy.keys).
_ERASED_TOPIC = "openinno.domain.account:Account.Erased"

_ENVELOPE = frozenset({"originator_id", "originator_version"})
_encoder = msgspec.json.Encoder(decimal_format="string", uuid_format="canonical")
# Sorted: the payload bytes are already the canonical form a write proof covers.
_canonical_encoder = msgspec.json.Encoder(
    decimal_format="string", uuid_format="canonical", order="sorted"
)
_raw_decoder = msgspec.json.Decoder(dict[str, Any])


class MsgspecTranscoder(Transcoder):
    """Untyped JSON in and out; the typed work happens in :class:`MsgspecMapper`."""

    def encode(self, obj: Any) -> bytes:
        return _encoder.encode(obj)

    def decode(self, data: bytes) -> Any:
        return _raw_decoder.decode(data)


@cache
def _payload_type(event_class: type) -> type[msgspec.Struct]:
    """A msgspec Struct mirroring the event's fields, minus the envelope."""
    hints = typing.get_type_hints(event_class)
    defaults: dict[str, Any] = {}
    if dataclasses.is_dataclass(event_class):
        for f in dataclasses.fields(event_class):
            if f.default is not dataclasses.MISSING:
                defaults[f.name] = f.default
            elif f.default_factory is not dataclasses.MISSING:
                defaults[f.name] = msgspec.field(default_factory=f.default_factory)
    fields: list[Any] = []
    for name, hint in hints.items():
        if name in _ENVELOPE or typing.get_origin(hint) is typing.ClassVar:
            continue
        if name in defaults:
            fields.append((name, hint, defaults[name]))
        else:
            fields.append((name, hint))
    return msgspec.defstruct(
        f"{event_class.__qualname__}Payload", fields, kw_only=True, forbid_unknown_fields=False
    )


@cache
def _typed_decoder(event_class: type) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(_payload_type(event_class))


class MsgspecMapper(Mapper[UUID]):
    # Set by the application from OPENINNO_WRITE_KEY_FILE; without it events are
    # stored unproven, and the ledger will not admit them.
    write_key: WriteKey | None = None
    # Set by the application: the per-person keys personal fields are encrypted under.
    # Without them personal fields are stored as given, and sealed ones read as erased.
    personal: PersonalKeys | None = None

    def _open(self, topic: str, data: bytes, originator_id: Any, version: int) -> dict[str, Any]:
        """A personal payload's raw dict, its personal fields opened."""
        raw = _raw_decoder.decode(data)
        sealing.open_sealed(self.personal, topic, raw, str(originator_id), version)
        if topic == _ERASED_TOPIC and self.personal is not None:
            self.personal.forget(str(originator_id))
        return raw

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        topic = get_topic(type(domain_event))
        if self.personal is not None and topic in PERSONAL:
            state = _raw_decoder.decode(_encoder.encode(state))
            sealing.seal(self.personal, topic, state, str(originator_id), originator_version)
        data = _canonical_encoder.encode(state)
        if self.write_key is not None:
            data = seal(self.write_key.prove(originator_id, originator_version, topic, data), data)
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=topic,
            state=data,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        cls = resolve_topic(stored_event.topic)
        data = stored_event.state
        try:
            if self.cipher:
                data = self.cipher.decrypt(data)
            if self.compressor:
                data = self.compressor.decompress(data)
            payload = unseal(data)[1]
            if stored_event.topic in PERSONAL or stored_event.topic == _ERASED_TOPIC:
                raw = self._open(
                    stored_event.topic,
                    payload,
                    stored_event.originator_id,
                    stored_event.originator_version,
                )
                state = convert_payload(cls, raw)
            else:
                state = decode_payload(cls, payload)
        except Exception as e:
            msg = (
                f"Failed to decode stored event {stored_event.topic} "
                f"{stored_event.originator_id}@{stored_event.originator_version}: {e}"
            )
            raise MapperDeserialisationError(msg) from e
        originator_id = stored_event.originator_id
        state["originator_id"] = (
            originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
        )
        state["originator_version"] = stored_event.originator_version
        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", state)
        return typing.cast(DomainEventProtocol[UUID], domain_event)

    def to_payload(self, stored_event: StoredEvent) -> dict[str, Any]:
        """The stored event's payload as plain JSON values (UUIDs, datetimes and
        decimals as the strings stored), decrypted, decompressed and upcast to the
        event class's current version, without typed decoding: for readers that
        copy an event's data rather than use it (an audit trail).  The envelope
        (originator id and version) is not in it; fields added to the class after
        the event was stored are absent, not filled with their defaults."""
        data = stored_event.state
        try:
            if self.cipher:
                data = self.cipher.decrypt(data)
            if self.compressor:
                data = self.compressor.decompress(data)
            payload = unseal(data)[1]
            if stored_event.topic in PERSONAL:
                raw = self._open(
                    stored_event.topic,
                    payload,
                    stored_event.originator_id,
                    stored_event.originator_version,
                )
                return upcast_raw(stored_event.topic, raw)
            return plain_payload(stored_event.topic, payload)
        except Exception as e:
            msg = (
                f"Failed to decode stored event {stored_event.topic} "
                f"{stored_event.originator_id}@{stored_event.originator_version}: {e}"
            )
            raise MapperDeserialisationError(msg) from e


@cache
def _class_version(topic: str) -> int:
    return int(getattr(resolve_topic(topic), "class_version", 1))


def plain_payload(topic: str, data: bytes) -> dict[str, Any]:
    """Decode a plaintext payload of the event class named by ``topic`` into plain
    JSON values, upcast to the class's current version (see ``to_payload``)."""
    return upcast_raw(topic, _raw_decoder.decode(data))


def upcast_raw(topic: str, raw: dict[str, Any]) -> dict[str, Any]:
    class_version = _class_version(topic)
    if class_version > 1:
        cls = resolve_topic(topic)
        from_version = raw.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(raw)
            from_version += 1
    return raw


def decode_payload(cls: type, data: bytes) -> dict[str, Any]:
    """Decode a stored payload into the typed field values of ``cls``."""
    class_version = getattr(cls, "class_version", 1)
    payload_type = _payload_type(cls)
    if class_version > 1:
        raw = _raw_decoder.decode(data)
        from_version = raw.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(raw)
            from_version += 1
        typed = msgspec.convert(raw, payload_type)
    else:
        typed = _typed_decoder(cls).decode(data)
    return msgspec.structs.asdict(typed)


def convert_payload(cls: type, raw: dict[str, Any]) -> dict[str, Any]:
    """A raw payload dict typed as the field values of ``cls`` (upcast first)."""
    class_version = getattr(cls, "class_version", 1)
    if class_version > 1:
        from_version = raw.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(raw)
            from_version += 1
    return msgspec.structs.asdict(msgspec.convert(raw, _payload_type(cls)))


def encode_payload(obj: Any) -> bytes:
    return _encoder.encode(obj)
