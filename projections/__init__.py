"""The read side: read models named after the questions they answer (issue 4).

- ``runner``: feeds one projection from the notification log in batches, one
  read-model transaction per batch with the tracking position in it (exactly once).
- ``runner.MultiRunner``: several projections in one pass over the log (each page
  read and decoded once, every position moved in the page's one transaction);
  what ``openinno projections rebuild`` runs.
- ``service.ReadSide``: several projections in one process, a thread each;
  ``wait_until(position, timeout)`` for read-your-writes.
- Storage: SQLite ``<data_dir>/readmodels.db``; PostgreSQL schema
  ``<event schema>_read`` (``public_read`` by default).  Wired in ``web.readside``.
- Wake-up: LISTEN on the event store's NOTIFY channel on PostgreSQL, polling with
  a 10-250 ms backoff on SQLite.
- Read models: ``participants``, ``reviewers`` (blind), ``legal``, ``admin``
  (each with a projection and ``queries``); ``sponsors`` has queries only, over
  the others' tables.

Only ``openinno.domain`` is imported from the write side; the log reader (on
PostgreSQL ``web.readside.PostgresLog``), the mapper's decode function and its
plain-payload function (``to_payload``) are handed in by the caller.
"""
