"""What the admins ask of the accounts directory."""

from __future__ import annotations

from projections.db import Db, Row


def account_row(db: Db, account_id: str) -> Row | None:
    """One account of the directory (None: not there, or not yet)."""
    rows = db.rows(
        "SELECT account_id, email, display_name, active, admin, registered_at, position,"
        " status_reason FROM ac_accounts WHERE account_id = ?",
        (account_id,),
    )
    return rows[0] if rows else None


def accounts_directory_page(
    db: Db, *, search: str = "", after: int | None = None, limit: int = 21
) -> list[Row]:
    """Accounts, newest first, whose e-mail address or name contains ``search`` (any
    case); keyset-paged by registration position.  A substring search reads the
    directory in order until a page is full: fine for an admin's occasional search
    (a few thousand rows a millisecond), not for a public route."""
    where: list[str] = []
    params: list[object] = []
    needle = search.strip().lower()
    if needle:
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(lower(email) LIKE ? ESCAPE '\\' OR lower(display_name) LIKE ? ESCAPE '\\')")
        params += [pattern, pattern]
    if after is not None:
        where.append("position < ?")
        params.append(after)
    sql = (
        "SELECT account_id, email, display_name, active, admin, registered_at, position,"
        " status_reason FROM ac_accounts"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY position DESC LIMIT ?"
    )
    return db.rows(sql, (*params, limit))
