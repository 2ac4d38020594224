from datetime import UTC, datetime

import msgspec
import pytest

from openinno.ledger import checkpoint
from openinno.ledger.canonical import canonical_event, parse_canonical_event

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_signed_checkpoints_verify_and_any_change_breaks_them():
    key = checkpoint.load_private_key(checkpoint.generate_private_key_pem())
    public = checkpoint.load_public_key(checkpoint.public_key_pem(key))
    signed = checkpoint.sign(key, 42, bytes(range(32)), AT)
    assert checkpoint.verify(public, signed)
    for change in (
        {"tree_size": 43},
        {"root_sha256": "00" * 32},
        {"signed_at": AT.replace(hour=13)},
    ):
        assert not checkpoint.verify(public, msgspec.structs.replace(signed, **change))
    other = checkpoint.load_private_key(checkpoint.generate_private_key_pem()).public_key()
    assert not checkpoint.verify(other, signed)
    assert not checkpoint.verify(
        public, msgspec.structs.replace(signed, signature="bm90IGEgc2lnbmF0dXJl")
    )


def test_checkpoints_survive_json_round_trips():
    key = checkpoint.load_private_key(checkpoint.generate_private_key_pem())
    signed = checkpoint.sign(key, 7, b"\x01" * 32, AT)
    again = msgspec.json.decode(msgspec.json.encode(signed), type=checkpoint.Checkpoint)
    assert checkpoint.verify(key.public_key(), again)


def test_canonical_events_sort_keys_at_every_depth_and_refuse_other_forms():
    data = canonical_event(
        5,
        "0b1f6f2a-3d4e-4c5b-9a8f-7e6d5c4b3a21",
        2,
        "m:Agg.Ev",
        b'{"b": 1, "a": {"z": "\xc5\x81\xc3\xb3d\xc5\xba", "y": [2, 1]}}',
    )
    assert data == (
        b'{"payload":{"a":{"y":[2,1],"z":"\xc5\x81\xc3\xb3d\xc5\xba"},"b":1},"position":5,'
        b'"stream_id":"0b1f6f2a-3d4e-4c5b-9a8f-7e6d5c4b3a21","topic":"m:Agg.Ev","version":2}'
    )
    assert parse_canonical_event(data)["payload"]["b"] == 1
    with pytest.raises(ValueError):
        parse_canonical_event(data.replace(b'"b":1', b'"b": 1'))
