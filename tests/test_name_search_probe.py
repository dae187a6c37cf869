"""The two halves of a search through the index (store/name_search.py): a look-up of a few of
the query's trigrams (`probe`), which must find every case that holds the query, and the rule
tried on those candidates in Python (`holds`), which must say what SQLite's LIKE says. The
whole search is held to the LIKE in tests/test_name_search.py; here each half is held to it on
its own, over strings made up by hypothesis (wildcards, quotes, capitals, accents, scripts).
And the index is merged into one segment on unlock when it has grown too many."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from hypothesis import given, settings
from hypothesis import strategies as st

from intake_tui.core import load_bundle
from intake_tui.store import interviews, name_search

from .conftest import DEFAULT_BUNDLE
from .store_helpers import make_store, reopen

# Few letters, so that pieces repeat and candidates are found that do not hold the query.
LETTERS = st.sampled_from(list("abAB é%_\\\"'ΣσşŞ-1"))
TEXTS = st.text(LETTERS, max_size=12)


def _like(connection: Any, query: str, name: str, key: str) -> bool:
    pattern = f"%{name_search.escape_like(query)}%"
    row = connection.execute(
        "SELECT ? LIKE ? ESCAPE '\\' OR ? LIKE ? ESCAPE '\\'", (name, pattern, key, pattern)
    ).fetchone()
    return bool(row[0])


@pytest.fixture(scope="module")
def memory() -> Any:
    connection = sqlcipher.connect(":memory:")
    yield connection
    connection.close()


@given(query=st.text(LETTERS, min_size=1, max_size=5), name=TEXTS, key=TEXTS)
@settings(max_examples=400, deadline=None)
def test_holds_says_what_like_says(memory: Any, query: str, name: str, key: str) -> None:
    assert name_search.holds(query, name, key) == _like(memory, query, name, key)


def test_holds_by_example() -> None:
    assert name_search.holds("ayse", "Ayse Yilmaz", "x")  # ASCII capitals, as LIKE
    assert not name_search.holds("σ", "Σ", "x")  # other capitals are other letters to LIKE
    assert not name_search.holds("a%c", "abc", "x")  # % is a character
    assert name_search.holds("a%c", "xa%cx", "x")
    assert not name_search.holds("a_c", "abc", "x")
    assert name_search.holds("abc", "x", "ID-ABC-1")  # in the id
    assert not name_search.holds("c i", "abc", "id")  # never across the name and the id


@given(query=st.text(LETTERS, min_size=3, max_size=9), rows=st.lists(st.tuples(TEXTS, TEXTS)))
@settings(max_examples=150, deadline=None)
def test_the_probe_finds_every_row_that_holds_the_query(
    memory: Any, query: str, rows: list[tuple[str, str]]
) -> None:
    memory.execute("DROP TABLE IF EXISTS probe_test")
    memory.execute("CREATE VIRTUAL TABLE probe_test USING fts5(name, key, tokenize='trigram')")
    memory.executemany("INSERT INTO probe_test (name, key) VALUES (?, ?)", rows)
    found = {
        rowid
        for (rowid,) in memory.execute(
            "SELECT rowid FROM probe_test WHERE probe_test MATCH ?", (name_search.probe(query),)
        )
    }
    holding = {n + 1 for n, (name, key) in enumerate(rows) if _like(memory, query, name, key)}
    assert holding <= found
    # The candidates tried by the rule: exactly the rows LIKE finds.
    assert {
        n + 1 for n, row in enumerate(rows) if n + 1 in found and name_search.holds(query, *row)
    } == holding


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("abc", '"abc"'),
        ("abcd", '"abc" AND "bcd"'),
        ("mohammed ahmadi", '"moh" AND "ed " AND "adi"'),  # the first, the middle, the last
        ('a"bcd', '"a""b" AND """bc" AND "bcd"'),
        ("aaaaaa", '"aaa"'),  # each piece once
    ],
)
def test_the_probe_asks_the_first_middle_and_last_trigram(query: str, expected: str) -> None:
    assert name_search.probe(query) == expected


def test_an_index_of_many_segments_is_merged_into_one_on_unlock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(name_search, "MAX_SEGMENTS", 3)
    bundle = load_bundle(DEFAULT_BUNDLE)
    root = tmp_path / "data"
    store = make_store(root)
    names = ("Abebe Bekele", "Dawit Haile", "Hanna Girma", "Meron Alem", "Selam Tesfay")
    made = []
    try:
        for name in names:
            made.append(
                interviews.create_interview(
                    store, bundle, client_display_name=name, client_language="ti"
                ).id
            )
        with store.session() as session:
            assert name_search.segments(session.connection()) > 3  # one per case written
    finally:
        store.close()
    store = reopen(root)
    try:
        with store.session() as session:
            connection = session.connection()
            assert name_search.segments(connection) == 1
            connection.exec_driver_sql(
                "INSERT INTO case_search (case_search, rank) VALUES ('integrity-check', 1)"
            )
            assert name_search.compact(connection) is False  # one segment: nothing to do
        for name, made_id in zip(names, made, strict=True):  # each one found by its name
            assert [s.id for s in interviews.list_interviews(store, name).items] == [made_id]
        assert [s.id for s in interviews.list_interviews(store, "wit hai").items] == [made[1]]
    finally:
        store.close()
