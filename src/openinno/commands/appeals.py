"""Appeals (issue 24, decision 0028): who may appeal, answer, decide and read one.

- **appeal**: an entry's authors, of its disqualification or (where the terms allow)
  its scores; who asked a hidden question, of its hiding.  Within the terms' window
  (``ChallengeSpec.appeal_rules``) from the decision (for scores: from the end of
  review), once per decision.
- **answer**: the sponsor's owners and managers, admins, and for scores the
  challenge's reviewers; the appellant replies the same way.
- **decide**: the sponsor's owners and managers, or an admin.  Upheld, the decision
  appealed is undone in the same transaction: the entry reinstated
  (``Submission.Reinstated``), the question shown again
  (``Challenge.QuestionRestored``).  A score appeal upheld changes no score by
  itself: the reviewers re-score where review still allows it.
- **read**: the appellant (and the entry's authors), the sponsor's members, the
  challenge's reviewers for score appeals, admins; NotFound to everyone else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from openinno.commands.base import CommandBase
from openinno.commands.entry_files import ServedFile, neutral_file_name
from openinno.commands.results import Recorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import Account, Appeal, Challenge, Organisation, Submission, ids
from openinno.domain.errors import NOT_FOUND, AccessDenied, InvalidState, NotFound, WindowClosed
from openinno.domain.values import FileRef
from openinno.files import Upload, check_upload


class Appeals(CommandBase):
    def _evidence(self, files: Sequence[Upload]) -> tuple[FileRef, ...]:
        return tuple(check_upload(f, max_bytes=self.settings.max_file_bytes) for f in files)

    def _keep(self, files: Sequence[Upload]) -> None:
        # Before the events: an unreferenced stored file is harmless, a missing one not.
        for upload in files:
            self.files.put(upload)

    def _window(self, challenge: Challenge) -> timedelta:
        spec = challenge.terms.spec if challenge.terms is not None else challenge.spec
        return timedelta(days=spec.appeal_rules.window_days)

    @retry_on_conflict
    def appeal_submission(
        self,
        actor_id: UUID,
        submission_id: UUID,
        ground: str,
        text: str,
        files: Sequence[Upload] = (),
    ) -> Recorded:
        """An author appeals the entry's disqualification, its scores or its hiding."""
        self._actor(actor_id)
        submission = self._load(submission_id, Submission, "submission")
        if actor_id not in submission.author_ids:
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        at = self._now()
        evidence = self._evidence(files)
        text = Appeal.check_filing(ground, text, evidence)
        spec = challenge.terms.spec if challenge.terms is not None else challenge.spec
        scores_final_at = None
        if ground == "scores" and spec.appeal_rules.scores and challenge.review_ended(at):
            # Closed early, review ended sooner: counted from the planned end (the
            # solver's time is never shorter than the terms promised).
            scores_final_at = challenge.spec.review_ends_at
            if challenge.review_closed_early and scores_final_at > at:
                scores_final_at = at
        appeal_id = uuid4()
        submission.lodge_appeal(
            actor_id,
            appeal_id,
            ground,
            at,
            window=self._window(challenge),
            scores_final_at=scores_final_at,
        )
        appeal = Appeal(
            id=appeal_id,
            actor_id=actor_id,
            ground=ground,
            challenge_id=challenge.id,
            subject_id=submission_id,
            submission_id=submission_id,
            text=text,
            files=evidence,
            timestamp=at,
        )
        self._keep(files)
        return Recorded(appeal_id, self._commit(submission, appeal))

    @retry_on_conflict
    def appeal_moderation(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        question_id: UUID,
        text: str,
        files: Sequence[Upload] = (),
    ) -> Recorded:
        """Who asked a hidden question appeals its hiding."""
        self._actor(actor_id)
        challenge = self._visible_challenge(actor_id, challenge_id, readonly=True)
        question = challenge.questions.get(question_id)
        if question is None or question["asked_by"] != actor_id:
            raise AccessDenied("Only who asked the question can appeal its hiding.")
        if not question["hidden"]:
            raise InvalidState("This question is not hidden.")
        hidden_at = question["hidden_at"]
        assert isinstance(hidden_at, datetime)
        at = self._now()
        window = self._window(challenge)
        if at >= hidden_at + window:
            raise WindowClosed(
                "The terms allow %(days)s days to appeal; that time has passed.",
                days=window.days,
            )
        evidence = self._evidence(files)
        text = Appeal.check_filing("moderation", text, evidence)
        appeal_id = ids.moderation_appeal_id(question_id, hidden_at.isoformat())
        if self._maybe_load(appeal_id, Appeal, readonly=True) is not None:
            raise InvalidState("This decision has already been appealed.")
        appeal = Appeal(
            id=appeal_id,
            actor_id=actor_id,
            ground="moderation",
            challenge_id=challenge_id,
            subject_id=question_id,
            submission_id=None,
            text=text,
            files=evidence,
            timestamp=at,
        )
        self._keep(files)
        return Recorded(appeal_id, self._commit(appeal))

    def _staff_role(self, actor_id: UUID, challenge: Challenge) -> str | None:
        """'admin', the actor's role in the sponsor organisation, 'reviewer', or None."""
        account = self._maybe_load(actor_id, Account, readonly=True)
        if account is not None and account.active and account.is_admin:
            return "admin"
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        role = organisation.role_of(actor_id)
        if role is not None:
            return role
        return "reviewer" if actor_id in challenge.reviewers else None

    def _may_read(self, actor_id: UUID, appeal: Appeal, challenge: Challenge) -> bool:
        if actor_id == appeal.appellant_id:
            return True
        if appeal.submission_id is not None:
            submission = self._load(appeal.submission_id, Submission, "submission", readonly=True)
            if actor_id in submission.author_ids:
                return True
        role = self._staff_role(actor_id, challenge)
        return role is not None and (role != "reviewer" or appeal.ground == "scores")

    def get_appeal(self, actor_id: UUID | None, appeal_id: UUID) -> Appeal:
        """The appeal, if this actor may read it; otherwise NotFound."""
        appeal = self._maybe_load(appeal_id, Appeal, readonly=True)
        if appeal is None or actor_id is None:
            raise NotFound(NOT_FOUND["appeal"], id=str(appeal_id))
        challenge = self._load(appeal.challenge_id, Challenge, "challenge", readonly=True)
        if not self._may_read(actor_id, appeal, challenge):
            raise NotFound(NOT_FOUND["appeal"], id=str(appeal_id))
        return appeal

    def appellant_named(self, viewer: UUID, appeal: Appeal) -> bool:
        """Whether ``viewer`` may know who appealed: blind review's rule for an entry's
        appeal (its authors are the appellants); a question's asker is named beside
        the question already."""
        if viewer == appeal.appellant_id or appeal.submission_id is None:
            return True
        submission = self._load(appeal.submission_id, Submission, "submission", readonly=True)
        return self.may_see_authors(viewer, submission)

    def may_answer_appeal(self, actor_id: UUID, appeal: Appeal) -> bool:
        """The respondents: the sponsor's owners and managers, admins, and for scores
        the challenge's reviewers (the appellant replies, which is not answering)."""
        challenge = self._load(appeal.challenge_id, Challenge, "challenge", readonly=True)
        allowed = ("admin", "owner", "manager") + (
            ("reviewer",) if appeal.ground == "scores" else ()
        )
        return self._staff_role(actor_id, challenge) in allowed

    def may_decide_appeal(self, actor_id: UUID, appeal: Appeal) -> bool:
        challenge = self._load(appeal.challenge_id, Challenge, "challenge", readonly=True)
        return self._staff_role(actor_id, challenge) in ("admin", "owner", "manager")

    def may_see_evidence(self, actor_id: UUID, appeal: Appeal) -> bool:
        """The appellant (and the entry's other authors), those who may answer the
        appeal, and admins (who may answer every appeal)."""
        if actor_id == appeal.appellant_id:
            return True
        if appeal.submission_id is not None:
            entry = self._load(appeal.submission_id, Submission, "submission", readonly=True)
            if actor_id in entry.author_ids:
                return True
        return self.may_answer_appeal(actor_id, appeal)

    def evidence_for(self, actor_id: UUID | None, appeal_id: UUID, sha256: str) -> ServedFile:
        """An evidence file of the thread (``may_see_evidence``); NotFound to everyone
        else, the same as for an appeal that does not exist.  The appellant's files go
        to those who may not know the appellant as their blind copy (metadata
        stripped) under the neutral name the thread shows them."""
        appeal = self.get_appeal(actor_id, appeal_id)
        assert actor_id is not None
        if not self.may_see_evidence(actor_id, appeal):
            raise NotFound(NOT_FOUND["appeal"], id=str(appeal_id))
        found = [
            (n, f, m.actor_id == appeal.appellant_id)
            for m in appeal.thread
            for n, f in enumerate(m.files, start=1)
            if f.sha256 == sha256
        ]
        if not found:
            raise NotFound("No such file in this appeal.")
        number, ref, by_appellant = found[0]
        if not by_appellant or self.appellant_named(actor_id, appeal):
            path = self.files.path_for(ref.sha256)
            if not path.exists():
                raise NotFound("No such file in this appeal.")
            return ServedFile(path, ref.size, ref.sha256, ref.media_type, ref.name, blind=False)
        try:
            copy = self.derived.make_blind_copy(ref.sha256, ref.media_type)
        except FileNotFoundError:
            raise NotFound("No such file in this appeal.") from None
        if copy.path is None:  # withheld: its metadata could not be checked
            raise NotFound("No such file in this appeal.")
        name = neutral_file_name(number, ref)
        return ServedFile(copy.path, copy.size, copy.sha256, ref.media_type, name, blind=True)

    @retry_on_conflict
    def answer_appeal(
        self, actor_id: UUID, appeal_id: UUID, text: str, files: Sequence[Upload] = ()
    ) -> Recorded:
        self._actor(actor_id)
        self.get_appeal(actor_id, appeal_id)
        appeal = self._load(appeal_id, Appeal, "appeal")
        if actor_id != appeal.appellant_id and not self.may_answer_appeal(actor_id, appeal):
            raise AccessDenied("Only the sponsor's owners and managers answer this appeal.")
        evidence = self._evidence(files)
        appeal.answer(actor_id, text, evidence, self._now())
        self._keep(files)
        return Recorded(appeal_id, self._commit(appeal))

    @retry_on_conflict
    def decide_appeal(self, actor_id: UUID, appeal_id: UUID, outcome: str, reason: str) -> Recorded:
        self._actor(actor_id)
        self.get_appeal(actor_id, appeal_id)
        appeal = self._load(appeal_id, Appeal, "appeal")
        if not self.may_decide_appeal(actor_id, appeal):
            raise AccessDenied("Only the sponsor's owners and managers decide appeals.")
        at = self._now()
        appeal.decide(actor_id, outcome, reason, at)
        undone: Submission | Challenge | None = None
        if outcome == "upheld" and appeal.ground == "disqualification":
            assert appeal.submission_id is not None
            undone = self._load(appeal.submission_id, Submission, "submission")
            undone.reinstate(actor_id, appeal_id, reason, at)
        elif outcome == "upheld" and appeal.ground == "moderation" and appeal.submission_id:
            undone = self._load(appeal.submission_id, Submission, "submission")
            undone.show(actor_id, appeal_id, reason, at)
        elif outcome == "upheld" and appeal.ground == "moderation":
            undone = self._load(appeal.challenge_id, Challenge, "challenge")
            undone.restore_question(actor_id, appeal.subject_id, appeal_id, reason, at)
        return Recorded(appeal_id, self._commit(appeal, undone))
