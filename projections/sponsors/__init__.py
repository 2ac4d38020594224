"""Sponsors' questions: dashboard, ranking, exports.  No tables of its own: it
reads the participants', reviewers' and legal read models."""
