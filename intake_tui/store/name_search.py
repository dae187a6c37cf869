"""What the search box asks of the cases: a piece of the folded name, or of the id.

A case matches when the folded query (search.fold: case, accents and marks do not count) is a
part of its folded name or of its id, anywhere: "ayse" finds "Ayşe Yılmaz", "lmaz" finds it
too, and so does a piece of its id. That has been the rule since search keys were introduced
(`LIKE '%…%'` over `interview.search_key` and `interview.id`); this module keeps it and makes
it fast with the trigram index of migration 0013 (`case_search`, FTS5, in the encrypted
database, holding the intakes):

- three characters or more: the index. An FTS5 phrase of the folded query matches exactly the
  rows that hold it as a substring (the phrase's trigrams, each one character after the last),
  in the name or in the id, never across the two. LIKE's wildcards are plain characters in a
  phrase, and a double quote is doubled.
- one or two characters: no trigram to look up, so the LIKE of before (`SHORT_FALLBACK`: a
  scan of every case).

The index is kept by triggers on `interview` (migration 0013 says why triggers): nothing in
the service functions writes to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import column, func, literal_column, or_, text
from sqlmodel import Session, col, select

from intake_tui.store.models import InterviewRow
from intake_tui.store.search import fold

INDEX = "case_search"
# The FTS5 shadow tables of the index (external content: there is no `_content` table).
SHADOW_TABLES = tuple(f"{INDEX}_{part}" for part in ("data", "idx", "docsize", "config"))
MIN_INDEXED = 3  # the trigram tokenizer's smallest piece
SHORT_FALLBACK = "LIKE '%…%' on the folded name and the id (a scan of every case)"
# Up to this many matches, a page sorts the matching rows; beyond, it walks the cases in the
# page's order and keeps the matches (an index walk that stops after a page, instead of
# reading thousands of rows to sort them): benchmarks/cases.py, `page_search_broad_N`.
SORT_UP_TO = 1000
_ROWID = literal_column("interview.rowid")


def phrase(folded: str) -> str:
    """An FTS5 phrase that matches `folded` as it is (a double quote doubled)."""
    return '"' + folded.replace('"', '""') + '"'


def indexed(query: str) -> str | None:
    """The folded query when the index serves it (three characters or more), else None."""
    folded = fold(query)
    return folded if len(folded) >= MIN_INDEXED else None


def name_condition(query: str) -> Any | None:
    """The condition on `interview` for a typed query (None: nothing typed). Through the
    index it holds intakes only; the LIKE of a short query holds follow-ups too."""
    folded = fold(query)
    if not folded:
        return None
    if len(folded) < MIN_INDEXED:
        pattern = f"%{escape_like(folded)}%"
        return or_(
            col(InterviewRow.search_key).like(pattern, escape="\\"),
            col(InterviewRow.id).like(pattern, escape="\\"),
        )
    return _ROWID.in_(_matches(folded))


def _matches(folded: str) -> Any:
    return (
        text(f"SELECT rowid FROM {INDEX} WHERE {INDEX} MATCH :phrase")
        .bindparams(phrase=phrase(folded))
        .columns(column("rowid"))
    )


def searched_page(
    session: Session,
    folded: str,
    conditions: Sequence[Any],
    order_by: Sequence[Any],
    walk: bool,
    page: int,
    page_size: int,
) -> tuple[list[InterviewRow], int]:
    """A page of the intakes matching `folded` (three characters or more) and `conditions`,
    and how many match. `walk`: the order is one an index gives (newest change first), so a
    search with many matches may walk it.

    One look in the index first, for at most SORT_UP_TO + 1 rowids. Up to SORT_UP_TO, those
    rowids are the whole answer: counted as they are (or with the other conditions, on at most
    that many rows) and the page sorted from them. Beyond, the index counts them all without
    reading a row, and the page walks the order and keeps the matches until it is full.
    """
    sql = session.connection().exec_driver_sql
    found = [
        int(r[0])
        for r in sql(
            f"SELECT rowid FROM {INDEX} WHERE {INDEX} MATCH ? LIMIT ?",
            (phrase(folded), SORT_UP_TO + 1),
        )
    ]
    if len(found) <= SORT_UP_TO:
        match = _ROWID.in_(found)
        total = len(found) if not conditions else _count(session, match, *conditions)
    else:
        total = (
            int(
                sql(
                    f"SELECT count(*) FROM {INDEX} WHERE {INDEX} MATCH ?", (phrase(folded),)
                ).scalar_one()
            )
            if not conditions
            else _count(session, _ROWID.in_(_matches(folded)), *conditions)
        )
        # `+ 0`: the rowid is no longer a key SQLite can look rows up by, so it walks the
        # order's index and checks each entry's rowid against the matches (no row is read
        # until it is one of the page's).
        match = (_ROWID + 0).in_(_matches(folded)) if walk else _ROWID.in_(_matches(folded))
    if not found or page * page_size >= total:
        return [], total
    rows = session.exec(
        select(InterviewRow)
        .where(match, *conditions)
        .order_by(*order_by)
        .offset(page * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total


def _count(session: Session, *conditions: Any) -> int:
    return int(
        session.exec(select(func.count()).select_from(InterviewRow).where(*conditions)).one()
    )


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def rebuild(connection: Any) -> None:
    """Index every intake again (after anything that renumbers the rowids of `interview`)."""
    connection.exec_driver_sql(f"INSERT INTO {INDEX} ({INDEX}) VALUES ('rebuild')")
