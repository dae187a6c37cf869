"""The search box through the trigram index (store/name_search.py, migration 0014).

The rule has not changed: a case matches when the folded query is a part of its folded name or
of its id. Every search here is checked against that rule as it was written before the index —
`LIKE '%…%'` over `search_key` and `id`, run on the same database — for the same cases, in the
same order, page by page; the index is checked on every path that writes or removes a name
(create, a rename, erase, a restore, a migration), and an erased name is looked for in the
index's own tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from intake_tui.core import FrozenClock, load_bundle
from intake_tui.core.questionnaire import Bundle
from intake_tui.store import database, erasures, interviews, migrate, name_search, restore
from intake_tui.store.datadir import DataDir
from intake_tui.store.keyring import TEST_KDF
from intake_tui.store.search import fold
from intake_tui.store.session import Store

from .conftest import DEFAULT_BUNDLE
from .store_helpers import PASSPHRASE, make_store, reopen

NAMES = [
    "Ayşe Yılmaz",
    "Ayse Yilmaz-Öztürk",
    "AYŞE KAYA",
    "Zeynep Şahin",
    "Ömer Çelik",
    "Hüseyin Doğan",
    "Jürgen Weiß",  # ß folds to ss
    "Søren Ærø",  # ø and æ fold to o and ae
    "Łukasz Dąbrowski",
    "Semhar Tesfamariam",
    "Rami Haddad",
    "Mohammed Al-Khatib",
    "محمد الخطيب",  # Arabic script: no case, kept as it is written
    "Ελένη Παπαδοπούλου",  # Greek: case folds, accents go
    "100% _echt_ D'Souza",  # LIKE's wildcards and a quote
    'Say "Hi" \\ Back',  # an FTS5 quote and a backslash
    "Ab",  # shorter than a trigram
    "Li Na",
]
QUERIES = [
    "ayse",
    "AYŞE",
    "Ayşe  Yıl",
    "yilmaz",
    "aYşE yILmAz",
    "yılmaz-ö",
    "z-oz",
    "sahin",
    "weiss",
    "WEISS",
    "weiß",
    "søren",
    "soren aero",
    "łukasz",
    "dabrowski",
    "tesfa",
    "mariam",
    "haddad",
    "al-kh",
    "محمد",
    "الخطيب",
    "ελενη",
    "ΕΛΈΝΗ",
    "100%",
    "% _",
    "_echt_",
    "d'souza",
    '"hi"',
    'y "hi',
    "\\ back",
    "li n",
    "i na",
    "ab",
    "a",
    "y",
    "ş",
    "na",
    "no such name",
    "zzz",
    " ",
    "",
    "   ayse   ",
]


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return load_bundle(DEFAULT_BUNDLE)


def _cases(store: Store, bundle: Bundle, clock: FrozenClock) -> dict[str, str]:
    """NAMES as cases (a follow-up of the first: never a search result), a minute apart, with
    statuses and notice dates that vary, and one later change out of order."""
    made: dict[str, str] = {}
    for n, name in enumerate(NAMES):
        made[name] = interviews.create_interview(
            store,
            bundle,
            client_display_name=name,
            client_language="ar",
            duo_notice_date=dt.date(2026, 9, 1) + dt.timedelta(days=n % 5) if n % 3 else None,
        ).id
        clock.advance(dt.timedelta(minutes=1))
    interviews.create_interview(
        store,
        bundle,
        client_display_name="Ayşe Yılmaz",
        client_language="tr",
        case_id=made[NAMES[0]],
    )
    with store.session() as session:
        sql = session.connection().exec_driver_sql
        for name in NAMES[::4]:
            sql("UPDATE interview SET status = 'finalized' WHERE id = ?", (made[name],))
        # A row this version's code did not write: capitals in its id and in its search key
        # (LIKE finds them in either case, ASCII only; so must every way of the search).
        sql(
            "INSERT INTO interview (id, bundle_id, bundle_version, bundle_sha256,"
            " client_display_name, search_key, client_language, interpreter_json, status,"
            " created_by, created_at, updated_at) SELECT ?, bundle_id, bundle_version,"
            " bundle_sha256, ?, ?, client_language, interpreter_json, status, created_by,"
            " created_at, updated_at FROM interview WHERE id = ?",
            (LEGACY_ID, "Legacy Zeynep Ärø", "Legacy Zeynep Ärø", made[NAMES[2]]),
        )
        sql(
            "UPDATE interview SET updated_at = ? WHERE id = ?",
            (interviews.sql_time(clock.now()), made[NAMES[5]]),
        )
    return made


LEGACY_ID = "LEGACY-Case-ABC"
ORDER_SQL = {
    "changed": "updated_at DESC",
    "name": "search_key",
    "due": "duo_notice_date IS NULL, duo_notice_date",
    "created": "created_at DESC",
}


def _reference(store: Store, query: str, statuses: list[str] | None, order: str) -> list[str]:
    """The intakes the search box found before the index: LIKE over the folded name and the id."""
    where, params = ["case_id IS NULL"], []
    if query.strip():
        pattern = f"%{name_search.escape_like(fold(query))}%"
        where.append("(search_key LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\')")
        params += [pattern, pattern]
    if statuses:
        where.append(f"status IN ({', '.join('?' for _ in statuses)})")
        params += statuses
    with store.session() as session:
        rows = session.connection().exec_driver_sql(
            f"SELECT id FROM interview WHERE {' AND '.join(where)} ORDER BY {ORDER_SQL[order]}, id",
            tuple(params),
        )
        return [str(r[0]) for r in rows]


def _listed(
    store: Store, query: str, statuses: list[str] | None, order: str, page_size: int
) -> tuple[list[str], set[int]]:
    found: list[str] = []
    totals: set[int] = set()
    for number in range(len(NAMES) // page_size + 2):
        page = interviews.list_interviews(
            store, query, number, page_size=page_size, statuses=statuses, order=order
        )
        found += [s.id for s in page.items]
        totals.add(page.total)
    return found, totals


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory, bundle: Bundle) -> Any:
    clock = FrozenClock.on("2026-11-28")
    store = make_store(tmp_path_factory.mktemp("search") / "data", clock)
    made = _cases(store, bundle, clock)
    yield store, made
    store.close()


@pytest.mark.parametrize(
    ("sort_up_to", "row_walk", "probe_trigrams"),
    [
        (name_search.SORT_UP_TO, 1, name_search.PROBE_TRIGRAMS),
        (1, 0, 3),
        (1, 10**9, 3),
        (name_search.SORT_UP_TO, 1, 1),
        (name_search.SORT_UP_TO, 1, 99),
    ],
)
def test_every_search_finds_what_like_found_in_the_same_order_page_by_page(
    searched: Any,
    sort_up_to: int,
    row_walk: int,
    probe_trigrams: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # sort_up_to=1: every search with two matches or more takes the ways of many matches (they
    # are counted, the page walks the order), row_walk 0 trying each row by the rule, 10**9
    # against the matches' rowids: every way is held to the rule. probe_trigrams: the first
    # look-up asks one trigram of the query (many false candidates, each one tried by the rule
    # and left out) or all of them.
    monkeypatch.setattr(name_search, "SORT_UP_TO", sort_up_to)
    monkeypatch.setattr(name_search, "ROW_WALK", row_walk)
    monkeypatch.setattr(name_search, "PROBE_TRIGRAMS", probe_trigrams)
    store, made = searched
    queries = [*QUERIES, made[NAMES[3]][5:13], made[NAMES[3]][-4:].upper()]  # pieces of an id
    queries += ["legacy", "LEGACY ZEY", "case-abc", "e-c", "Case", "ärø", "ÄRØ"]
    for query in queries:
        for statuses in (None, ["in_progress"], ["finalized"]):
            for order in interviews.ORDERS:
                expected = _reference(store, query, statuses, order)
                found, totals = _listed(store, query, statuses, order, page_size=3)
                context = (query, statuses, order)
                assert found == expected, context
                assert totals == {len(expected)}, context


def test_the_rule_is_what_a_caseworker_expects(searched: Any) -> None:
    """A few searches spelled out, so the reference itself is not the only judge."""
    store, _made = searched

    def names(query: str) -> set[str]:
        return {s.client_display_name for s in interviews.list_interviews(store, query).items}

    assert names("ayse") == {"Ayşe Yılmaz", "Ayse Yilmaz-Öztürk", "AYŞE KAYA"}
    assert names("yilmaz-oz") == {"Ayse Yilmaz-Öztürk"}  # across a hyphen, accents folded
    assert names("weiss") == names("WEIß") == {"Jürgen Weiß"}
    assert names("aero") == {"Søren Ærø"}
    assert names("ελενη") == {"Ελένη Παπαδοπούλου"}
    assert names("100%") == {"100% _echt_ D'Souza"}  # % is a character, not a wildcard
    assert names('"hi"') == {'Say "Hi" \\ Back'}
    assert names("na") == {"Li Na"}  # two letters: the LIKE fallback ("n" is in no id)
    assert names("zzz") == set()
    # The follow-up of Ayşe Yılmaz has her name too, but a case is found by its intake.
    assert len(interviews.list_interviews(store, "yılmaz").items) == 2


def test_short_queries_fall_back_to_like_and_long_ones_use_the_index(searched: Any) -> None:
    store, _made = searched
    assert "MATCH" in str(name_search.name_condition(" AYŞ "))  # folded: "ays"
    assert "LIKE" in str(name_search.name_condition("ay"))
    assert "LIKE" in str(name_search.name_condition("Ş  "))  # folded: "s"
    assert name_search.name_condition("   ") is None
    assert "ix_interview_search_key" in name_search.SHORT_FALLBACK
    with store.session() as session:
        plan = session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT rowid FROM interview WHERE search_key LIKE ? OR id LIKE ?",
            ("%ay%", "%ay%"),
        )
        assert "COVERING INDEX ix_interview_search_key" in str(plan.all())
    with store.session() as session:
        sql = session.connection().exec_driver_sql
        hits = sql(
            "SELECT count(*) FROM case_search WHERE case_search MATCH ?",
            (name_search.phrase("ayse"),),
        ).scalar_one()
    assert hits == 3  # the follow-up is not in the index


def _index_rows(store: Store, query: str) -> set[str]:
    """The intakes the index itself finds for `query` (no LIKE anywhere)."""
    with store.session() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT id FROM interview WHERE rowid IN"
            " (SELECT rowid FROM case_search WHERE case_search MATCH ?)",
            (name_search.phrase(fold(query)),),
        )
        return {str(r[0]) for r in rows}


def _integrity(store: Store) -> None:
    """FTS5's own check that the index holds exactly the rows of its content (raises if not)."""
    with store.session() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO case_search (case_search, rank) VALUES ('integrity-check', 1)"
        )


def test_a_new_case_and_a_renamed_one_are_found_by_their_new_names(
    tmp_path: Path, bundle: Bundle
) -> None:
    store = make_store(tmp_path / "data")
    try:
        made = interviews.create_interview(
            store, bundle, client_display_name="Hodan Abdi", client_language="so"
        ).id
        assert _index_rows(store, "hodan") == {made}
        # No screen renames a case yet; the index follows any write of the name all the same.
        with store.session() as session:
            session.connection().exec_driver_sql(
                "UPDATE interview SET client_display_name = ?, search_key = ? WHERE id = ?",
                ("Hodan Warsame", fold("Hodan Warsame"), made),
            )
        assert _index_rows(store, "warsame") == {made}
        assert _index_rows(store, "abdi") == set()
        assert [s.id for s in interviews.list_interviews(store, "warsame").items] == [made]
        _integrity(store)
    finally:
        store.close()


ERASED = "Qxz Vwj"  # its trigrams start with letters no other name or hex id here has


def _index_bytes(store: Store) -> bytes:
    """Everything the index's shadow tables hold, as bytes."""
    found = b""
    with store.session() as session:
        sql = session.connection().exec_driver_sql
        for table in name_search.SHADOW_TABLES:
            for row in sql(f"SELECT * FROM {table}"):
                for value in row:
                    if isinstance(value, bytes):
                        found += value
                    elif isinstance(value, str):
                        found += value.encode()
    return found


def _traces(store: Store) -> set[bytes]:
    """The pieces of ERASED that are in the index's tables. Terms share their first letters with
    the term before them in a page, so only pieces whose first letter no other term has are
    certain to be written out whole: "qxz", "vwj" and "xz "."""
    held = _index_bytes(store)
    return {piece for piece in (b"qxz", b"vwj", b"xz ") if piece in held}


def _merge(store: Store) -> None:
    """All of the index in one segment, as the migration leaves it: the erased name's terms
    share pages with the other names' (not a small segment of its own that goes whole)."""
    with store.session() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO case_search (case_search) VALUES ('optimize')"
        )


def _other_cases(store: Store, bundle: Bundle) -> list[str]:
    return [
        interviews.create_interview(
            store, bundle, client_display_name=name, client_language="ar"
        ).id
        for name in ("Abebe Bekele", "Dawit Haile", "Hanna Girma", "Meron Alem")
    ]


def test_an_erased_name_leaves_no_trace_in_the_index(tmp_path: Path, bundle: Bundle) -> None:
    store = make_store(tmp_path / "data")
    try:
        others = _other_cases(store, bundle)
        erased = interviews.create_interview(
            store, bundle, client_display_name=ERASED, client_language="ar"
        ).id
        _merge(store)
        assert _traces(store) == {b"qxz", b"vwj", b"xz "}  # the check sees them while they are
        assert _index_rows(store, "qxz") == {erased}
        interviews.delete_draft(store, erased)
        assert _traces(store) == set()
        assert _index_rows(store, "qxz") == set()
        with store.session() as session:
            sizes = session.connection().exec_driver_sql("SELECT id FROM case_search_docsize")
            assert len(list(sizes)) == len(others)
        assert {s.id for s in interviews.list_interviews(store).items} == set(others)
        _integrity(store)
    finally:
        store.close()


def test_a_restore_brings_back_the_backups_names_and_erases_again_what_was_erased(
    tmp_path: Path, bundle: Bundle
) -> None:
    root = tmp_path / "data"
    store = make_store(root)
    _other_cases(store, bundle)
    erased = interviews.create_interview(
        store, bundle, client_display_name=ERASED, client_language="ar"
    ).id
    kept = interviews.create_interview(
        store, bundle, client_display_name="Yonas Tekle", client_language="ti"
    ).id
    _merge(store)
    store.backup()  # holds the erased case, its name in the index
    interviews.delete_draft(store, erased)
    later = interviews.create_interview(
        store, bundle, client_display_name="Selam Berhane", client_language="ti"
    ).id
    store.close()

    done = restore.restore(DataDir(root), "anna", PASSPHRASE, floor=TEST_KDF)
    assert done.erasures == 1
    store = reopen(root)
    try:
        assert _index_rows(store, "yonas tekle") == {kept}
        assert _index_rows(store, "selam") == set()  # made after the backup: not in it
        assert later not in {s.id for s in interviews.list_interviews(store).items}
        assert _index_rows(store, "qxz vwj") == set()
        assert _traces(store) == set()  # erased again, from the index too
        _integrity(store)
    finally:
        store.close()


def _before_the_index() -> str:
    """The revision the search index's migration follows (read from it: it may be renumbered
    when other migrations land first)."""
    import importlib.util

    (path,) = migrate.MIGRATIONS.glob("versions/*_search_index.py")
    spec = importlib.util.spec_from_file_location("search_index_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.down_revision)


def _downgrade(path: Path, dek: bytes, revision: str) -> None:
    engine = database.make_engine(path, dek)
    try:
        migrate.downgrade(engine, revision)
        assert migrate.current_revision(engine) == revision
        with engine.connect() as connection:
            assert not connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name LIKE 'case_search%'"
            ).all()
    finally:
        engine.dispose()


def test_a_folder_from_before_the_index_finds_its_names_once_opened(
    tmp_path: Path, bundle: Bundle
) -> None:
    root = tmp_path / "data"
    store = make_store(root)
    made = {
        name: interviews.create_interview(
            store, bundle, client_display_name=name, client_language="ar"
        ).id
        for name in NAMES[:6]
    }
    follow_up = interviews.create_interview(
        store, bundle, client_display_name=NAMES[0], client_language="tr", case_id=made[NAMES[0]]
    ).id
    dek = store._dek
    store.close()
    _downgrade(root / "intake.db", dek, _before_the_index())  # as the last version left it

    store = reopen(root)  # the new code migrates it
    try:
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        assert _index_rows(store, "ayse") == {made[n] for n in NAMES[:3]}
        assert _index_rows(store, "celik") == {made["Ömer Çelik"]}
        assert follow_up not in _index_rows(store, "yilmaz")
        assert [s.id for s in interviews.list_interviews(store, "zeynep").items] == [
            made["Zeynep Şahin"]
        ]
        _integrity(store)
    finally:
        store.close()


def test_an_old_backup_restored_is_migrated_and_indexed(tmp_path: Path, bundle: Bundle) -> None:
    root = tmp_path / "data"
    store = make_store(root)
    made = interviews.create_interview(
        store, bundle, client_display_name="Farhiya Warsame", client_language="so"
    ).id
    gone = interviews.create_interview(
        store, bundle, client_display_name=ERASED, client_language="ar"
    ).id
    store.backup()
    interviews.delete_draft(store, gone)
    assert erasures.erased_ids(store.data_dir, store._dek) == [gone]
    dek = store._dek
    store.close()
    backup = max((root / "backups").glob("intake-*.db"))
    _downgrade(backup, dek, _before_the_index())  # a backup from before the index

    restore.restore(DataDir(root), "anna", PASSPHRASE, backup, floor=TEST_KDF)
    store = reopen(root)
    try:
        assert _index_rows(store, "farhiya") == {made}
        assert _index_rows(store, "qxz") == set()
        assert _traces(store) == set()
        _integrity(store)
    finally:
        store.close()
