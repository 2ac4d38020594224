"""An appeal's evidence files (issue 24, decision 0030): served to the appellant, to
those who answer the appeal and to admins; the same NotFound to everyone else; the
appellant's files as blind copies, under neutral names, to those who may not know who
appealed (blind review, decision 15)."""

from __future__ import annotations

import hashlib

import pytest

from openinno.domain.errors import NotFound
from openinno.files import Upload
from tests.support.files import pdf_naming
from tests.support.story import Scene, scene

PDF = pdf_naming()  # a real PDF whose metadata names its author


@pytest.fixture
def s(app, clock) -> Scene:
    return scene(app, clock)


def test_evidence_goes_to_the_parties_only_and_blind_to_the_sponsor(s):
    legal = s.account("legal")
    s.app.add_member(s.sponsor, s.organisation, legal, "legal")
    admin = s.account("admin")
    s.app.grant_admin_as_operator(admin)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    s.app.disqualify_submission(s.sponsor, entry, "Copied from a catalogue.")
    evidence = Upload.of_bytes("ada-sketches.pdf", PDF)
    appeal_id = s.app.appeal_submission(s.solver, entry, "disqualification", "Mine.", [evidence]).id
    digest = hashlib.sha256(PDF).hexdigest()

    own = s.app.evidence_for(s.solver, appeal_id, digest)
    assert (own.name, own.blind, own.path.read_bytes()) == ("ada-sketches.pdf", False, PDF)
    # The sponsor answers the appeal but may not know who entered: a neutral name, the
    # blind copy (metadata stripped).
    sponsor = s.app.evidence_for(s.sponsor, appeal_id, digest)
    assert (sponsor.name, sponsor.blind) == ("File 1.pdf", True)
    assert sponsor.path.read_bytes() != PDF
    assert s.app.evidence_for(admin, appeal_id, digest).name == "ada-sketches.pdf"
    # The legal member reads the thread, not the files; strangers learn nothing.
    s.app.get_appeal(legal, appeal_id)
    for outsider in (legal, s.other_solver, s.reviewer, None):
        with pytest.raises(NotFound) as refused:
            s.app.evidence_for(outsider, appeal_id, digest)
        assert str(refused.value) == f"No appeal with id {appeal_id}."
    with pytest.raises(NotFound, match="No such file"):
        s.app.evidence_for(s.solver, appeal_id, "0" * 64)
