"""The application's commands and the rules they share, by area, mixed into
``openinno.application.OpenInno`` (the one eventsourcing Application, which keeps
the plumbing: loading, saving, the clock).  Each module is one area: ``access``
(who may see what), ``entry_files`` (an entry's files and their blind copies),
``tokens`` (API tokens and idempotency); ``results`` and ``retry`` are what every
command returns and how it survives a lost race."""
