"""What the search box asks of the cases: a piece of the folded name, or of the id.

A case matches when the folded query (search.fold: case, accents and marks do not count) is a
part of its folded name or of its id, anywhere: "ayse" finds "Ayşe Yılmaz", "lmaz" finds it
too, and so does a piece of its id. That has been the rule since search keys were introduced
(`LIKE '%…%'` over `interview.search_key` and `interview.id`); this module keeps it and makes
it fast (migration 0014):

- three characters or more: the trigram index `case_search` (FTS5, in the encrypted database,
  holding the intakes). An FTS5 phrase of the folded query matches exactly the rows that hold
  it as a substring (the phrase's trigrams, each one character after the last), in the name or
  in the id, never across the two. LIKE's wildcards are plain characters in a phrase, and a
  double quote is doubled.
- A page first asks the index for a few of the query's trigrams only (`probe`: the first, the
  middle and the last, all of them present), which every match has, and tries those
  candidates by the rule itself (`holds`, on their search key and id, at most SORT_UP_TO of
  them): the same cases as the phrase, for a fraction of its cost. A phrase looks up every one
  of its trigrams in every segment of the index (13 to 16 for a name typed in full), and walks
  their lists, which grow with the cases; three look-ups and a few false candidates cost less
  at every size. When more than SORT_UP_TO candidates come back, the phrase counts the
  matches, as before.
- one or two characters: no trigram to look up, so the LIKE of before (SHORT_FALLBACK), over
  the index (search_key, id): a scan of that small index rather than of the cases' rows.

The index is kept by triggers on `interview` (migration 0014 says why triggers): nothing in
the service functions writes to it. Each transaction that writes to it adds a segment (FTS5
merges them in levels, a few per level), and a look-up asks every segment for each of its
trigrams: a folder that had hundreds of cases added since is slower to search than the same
cases in one segment, whatever their number. `compact`, on each unlock, merges the index into
one segment (as migration 0014 left it) when it has more than MAX_SEGMENTS.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, column, func, literal_column, or_, text
from sqlmodel import Session, col, select

from intake_tui.store.models import InterviewRow
from intake_tui.store.search import fold

INDEX = "case_search"
# The FTS5 shadow tables of the index (external content: there is no `_content` table).
SHADOW_TABLES = tuple(f"{INDEX}_{part}" for part in ("data", "idx", "docsize", "config"))
MIN_INDEXED = 3  # the trigram tokenizer's smallest piece
SHORT_FALLBACK = (
    "LIKE '%…%' over the index ix_interview_search_key (search_key, id): a scan of that index"
)
# Up to this many matches, a page sorts the matching rows; beyond, it walks the cases in the
# page's order and keeps the matches (an index walk that stops after a page, instead of
# reading thousands of rows to sort them): benchmarks/cases.py, `page_search_broad_N`.
SORT_UP_TO = 1000
ROW_WALK = 1  # a factor on the rows a walk reads, against the matches collected (tests: 0, big)
# More segments than this on unlock: merged into one (it rewrites the index: 0.3 s at 50,000
# cases). Each case added makes one, until FTS5 merges 16 of a level (its `crisismerge`).
MAX_SEGMENTS = 8
PROBE_TRIGRAMS = 3  # how many of the query's trigrams the first look-up asks for (tests: 1, 99)
_ROWID = literal_column("interview.rowid")


def phrase(folded: str) -> str:
    """An FTS5 phrase that matches `folded` as it is (a double quote doubled)."""
    return '"' + folded.replace('"', '""') + '"'


def probe(folded: str) -> str:
    """An FTS5 query for a few trigrams of `folded` (three characters or more), each one a part
    of it: every row that holds `folded` holds them all, and few rows that do not."""
    last = len(folded) - MIN_INDEXED  # where the last trigram starts
    wanted = min(PROBE_TRIGRAMS, last + 1)
    starts = [0] if wanted < 2 else [j * last // (wanted - 1) for j in range(wanted)]
    pieces = dict.fromkeys(folded[start : start + MIN_INDEXED] for start in starts)
    return " AND ".join(phrase(piece) for piece in pieces)


def name_condition(query: str) -> Any | None:
    """The condition on `interview` for a typed query (None: nothing typed); it holds the
    intakes only."""
    folded = fold(query)
    return _ROWID.in_(_matches(folded)) if folded else None


def holds(folded: str, search_key: str, interview_id: str) -> bool:
    """The rule as `_like` has it, tried in Python on a row's values: the piece as it is (LIKE's
    wildcards are plain characters), ASCII letters in either case as LIKE has them (bytes.lower
    folds ASCII only; a piece of UTF-8 is found where its characters are).

    Not in SQL: a LIKE pattern given as a parameter makes SQLite prepare the statement again on
    every run (it plans with the value: ENABLE_STAT4), and `lower()` allocates a string per row,
    each allocation locked and wiped under SQLCipher's memory security: 0.31 ms for 15 rows
    where reading them costs 0.11."""
    piece = folded.encode().lower()
    return piece in search_key.encode().lower() or piece in interview_id.encode().lower()


def _like(folded: str) -> Any:
    """The rule itself, on a row: the folded query in the folded name or in the id."""
    pattern = f"%{escape_like(folded)}%"
    return or_(
        col(InterviewRow.search_key).like(pattern, escape="\\"),
        col(InterviewRow.id).like(pattern, escape="\\"),
    )


def _matches(folded: str) -> Any:
    """The rowids of the intakes that match `folded`, as a subquery."""
    if len(folded) >= MIN_INDEXED:
        found = text(f"SELECT rowid FROM {INDEX} WHERE {INDEX} MATCH :phrase").bindparams(
            phrase=phrase(folded)
        )
    else:
        pattern = f"%{escape_like(folded)}%"
        # Read from the index (search_key, id) alone; the follow-ups from their partial index.
        found = text(
            "SELECT rowid FROM interview WHERE (search_key LIKE :pattern ESCAPE '\\'"
            " OR id LIKE :pattern ESCAPE '\\') AND rowid NOT IN"
            " (SELECT rowid FROM interview WHERE case_id IS NOT NULL)"
        ).bindparams(pattern=pattern)
    return found.columns(column("rowid"))


def searched_page(
    session: Session,
    folded: str,
    conditions: Sequence[Any],
    order_by: Sequence[Any],
    walk: bool,
    page: int,
    page_size: int,
) -> tuple[list[InterviewRow], int]:
    """A page of the intakes matching `folded` (not empty) and `conditions`, and how many
    match. `walk`: an index gives the order (newest change first, name), so a search with
    many matches may walk it.

    The matches are looked up once (`_few`), for at most SORT_UP_TO + 1 rowids. Up to
    SORT_UP_TO, those rowids are the whole answer: counted as they are (or with the other
    conditions, on at most that many rows) and the page sorted from them. Beyond, the matches
    are counted without reading a row, and the page walks the order and keeps the matches until
    it is full.
    """
    matches = _matches(folded)
    found = _few(session, folded)
    if found is not None:
        match = _ROWID.in_(found)
        total = len(found) if not conditions else _count(session, match, *conditions)
    else:
        if conditions:
            total = _count(session, _ROWID.in_(matches), *conditions)
        else:
            total = int(session.exec(select(func.count()).select_from(matches.subquery())).one())
        if not walk:
            match = _ROWID.in_(matches)  # every match read and sorted
        elif (page + 1) * page_size * _cases(session) * ROW_WALK < total * total:
            # So many match that walking the order finds the page in fewer rows (each one tried
            # by the rule itself) than there are matches' rowids to collect: a row in
            # cases/total matches, so a page takes about page_end * cases / total rows.
            match = and_(col(InterviewRow.case_id).is_(None), _like(folded))
        else:
            # `+ 0`: the rowid is no longer a key SQLite can look rows up by, so it walks the
            # order's index and checks each entry's rowid against the matches (no row is read
            # until it is one of the page's).
            match = (_ROWID + 0).in_(matches)
    if not total or page * page_size >= total:
        return [], total
    rows = session.exec(
        select(InterviewRow)
        .where(match, *conditions)
        .order_by(*order_by)
        .offset(literal(page * page_size))
        .limit(literal(page_size))
    ).all()
    return list(rows), total


def literal(number: int) -> Any:
    """A LIMIT or OFFSET written into the statement: bound, it makes SQLite prepare the
    statement again on every run (it plans with the value), 0.2 ms under SQLCipher's memory
    security."""
    return literal_column(str(int(number)))


def _few(session: Session, folded: str) -> list[int] | None:
    """The rowids of the intakes matching `folded` when there are at most SORT_UP_TO of them,
    else None.

    From three characters on, the candidates of `probe` (a few of the query's trigrams) are
    tried by the rule itself, on their rows (which the page reads to sort them all the same).
    More than SORT_UP_TO candidates: many match, or a few trigrams were not enough to tell; the
    phrase (exact, without reading a row) decides, as does the LIKE for a shorter query.
    """
    sql = session.connection().exec_driver_sql
    if len(folded) >= MIN_INDEXED:
        candidates = [
            int(rowid)
            for (rowid,) in sql(
                f"SELECT rowid FROM {INDEX} WHERE {INDEX} MATCH ? LIMIT {SORT_UP_TO + 1:d}",
                (probe(folded),),
            )
        ]
        if not candidates:
            return []
        if len(candidates) <= SORT_UP_TO:
            rows = sql(
                "SELECT rowid, search_key, id FROM interview WHERE rowid IN"
                f" ({', '.join('?' * len(candidates))})",
                tuple(candidates),
            )
            return [int(rowid) for rowid, name, key in rows if holds(folded, name, key)]
    found = select(_matches(folded).subquery().c.rowid).limit(literal(SORT_UP_TO + 1))
    rowids = [int(rowid) for rowid in session.exec(found)]
    return rowids if len(rowids) <= SORT_UP_TO else None


def _cases(session: Session) -> int:
    """About how many rows `interview` has (its last rowid: one look, whatever the size)."""
    return int(session.exec(select(func.max(_ROWID)).select_from(InterviewRow)).one() or 0)


def _count(session: Session, *conditions: Any) -> int:
    return int(
        session.exec(select(func.count()).select_from(InterviewRow).where(*conditions)).one()
    )


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def rebuild(connection: Any) -> None:
    """Index every intake again (after anything that renumbers the rowids of `interview`)."""
    connection.exec_driver_sql(f"INSERT INTO {INDEX} ({INDEX}) VALUES ('rebuild')")


def segments(connection: Any) -> int:
    """How many segments the index has (each one has its first page in `_idx`)."""
    return int(
        connection.exec_driver_sql(f"SELECT count(DISTINCT segid) FROM {INDEX}_idx").scalar_one()
    )


def compact(connection: Any) -> bool:
    """Merge the index into one segment when it has more than MAX_SEGMENTS (True: it did).
    Erased names are not kept by the merge: `secure-delete` took them out of the pages, and
    the pages it frees are zeroed (`PRAGMA secure_delete`)."""
    if segments(connection) <= MAX_SEGMENTS:
        return False
    connection.exec_driver_sql(f"INSERT INTO {INDEX} ({INDEX}) VALUES ('optimize')")
    return True
