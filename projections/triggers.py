"""DDL for counters kept by triggers: idempotent statements a projection's DDL can run
at every start (``Projection.create``), for PostgreSQL's statement-level triggers.

Why triggers: a counter such as "live entries of a challenge" must equal a COUNT over
rows, and the rows are written by ``Writes`` at the end of a batch, merged (an entry
submitted and withdrawn in one batch is inserted withdrawn) and in an order that is not
the log's (tables in the order first touched).  A trigger sees each row change as it
is written, old and new, so the counter moves by exactly what the COUNT would, in the
batch's transaction, whatever the order or merging.  On PostgreSQL a statement-level
trigger with transition tables applies a whole set-based statement's rows at once (one
grouped upsert per statement, not one per row); SQLite's row triggers cost an index
probe or two per row, in process.

The SQL given here runs through ``Db.execute`` without parameters: no ``?`` and no
``%`` in it (both are rewritten for psycopg)."""

from __future__ import annotations


def pg_function(name: str, body: str) -> str:
    """``CREATE OR REPLACE FUNCTION name() RETURNS trigger`` (PL/pgSQL, ``body``: from
    DECLARE/BEGIN to END), run only where the schema's function is missing or has
    another body: functions are not dropped with the tables, so a changed body (the
    DDL hash changed with it) replaces the old one, and an unchanged one is left alone
    (replacing takes locks and would race another runner's start)."""
    if "$fn$" in body or "$do$" in body:
        raise ValueError("the body may not use the $fn$ or $do$ quotes")
    return (
        "DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_proc"
        f" WHERE proname = '{name}' AND pronamespace = current_schema()::regnamespace"
        f" AND prosrc = $fn${body}$fn$) THEN"
        f" CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
        f" AS $fn${body}$fn$;"
        " END IF; END $do$"
    )


def pg_statement_trigger(name: str, table: str, event: str, function: str) -> str:
    """An AFTER ``event`` (INSERT, UPDATE or DELETE) FOR EACH STATEMENT trigger on
    ``table`` calling ``function``, created where missing.  Its transition tables are
    ``new_rows`` (INSERT, UPDATE) and ``old_rows`` (UPDATE, DELETE).  Dropped with the
    table (a rebuild creates it again)."""
    referencing = {
        "INSERT": "NEW TABLE AS new_rows",
        "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
    }[event]
    return (
        "DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger"
        f" WHERE tgrelid = '{table}'::regclass AND tgname = '{name}') THEN"
        f" CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        " END IF; END $do$"
    )


def pg_counted_triggers(table: str, function: str) -> tuple[str, ...]:
    """The three triggers (insert, update, delete) calling ``function``, which tells
    them apart by ``TG_OP``."""
    return tuple(
        pg_statement_trigger(f"{table}_counted_{event.lower()}", table, event, function)
        for event in ("INSERT", "UPDATE", "DELETE")
    )
