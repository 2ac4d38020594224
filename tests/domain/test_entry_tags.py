"""Tags on entries (issue 27): idempotent per entry and tag, and never an empty event."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from openinno.domain.entry_tags import MAX_TAGGED_AT_ONCE, EntryTags, check_tag
from openinno.domain.errors import InvalidInput, InvalidState

AT = datetime(2026, 7, 16, 9, tzinfo=UTC)


def given_tags() -> EntryTags:
    return EntryTags(id=uuid4(), challenge_id=uuid4(), timestamp=AT)


def test_tagging_leaves_out_entries_that_carry_the_tag_already():
    tags, judge = given_tags(), uuid4()
    a, b = uuid4(), uuid4()
    tags.tag(judge, "robotics", (a,), AT)
    tags.tag(judge, "robotics", (a, b, b), AT)
    recorded = tags.collect_events()[-1]
    assert isinstance(recorded, EntryTags.Tagged) and recorded.submission_ids == (b,)
    with pytest.raises(InvalidState):
        tags.tag(judge, "robotics", (a, b), AT)


def test_untagging_names_only_entries_that_carry_it():
    tags, judge = given_tags(), uuid4()
    a, b = uuid4(), uuid4()
    tags.tag(judge, "legal", (a,), AT)
    tags.untag(judge, "legal", (a, b), AT)
    recorded = tags.collect_events()[-1]
    assert isinstance(recorded, EntryTags.Untagged) and recorded.submission_ids == (a,)
    assert tags.tagged == {}
    with pytest.raises(InvalidState):
        tags.untag(judge, "legal", (a,), AT)


def test_a_tag_is_case_folded_and_bounded():
    assert check_tag("  Needs   Legal ") == "needs legal"
    for bad in ("", "   ", "x" * 41, "a\x00b"):
        with pytest.raises(InvalidInput):
            check_tag(bad)
    with pytest.raises(InvalidInput):
        given_tags().tag(uuid4(), "t", tuple(uuid4() for _ in range(MAX_TAGGED_AT_ONCE + 1)), AT)
