"""A trigram index on the folded names and the ids, so that a search stays fast with the cases.

Revision ID: 0014
Revises: 0013

The search box matches any part of the folded name or of the id (`LIKE '%…%'`), which no
B-tree index can serve: at 100,000 cases every keystroke read every row (125 ms). An FTS5
table with the trigram tokenizer finds the cases holding a piece of three characters or more
(store/name_search.py asks it; shorter pieces still use LIKE).

- It holds the intakes only (a follow-up conversation is found through its case, never by the
  search box), so it counts a search's cases without reading a row. Its content is the view
  `case_search_source` over `interview` (external content): the index keeps no copy of the
  names, and finds its rows by the interview's rowid. It lives in the same SQLCipher file as
  every other table, so its pages are encrypted like theirs.
- `secure-delete`: an erased row's trigrams are taken out of the index pages at once, not left
  behind a delete marker until a later merge: an erased person's name leaves no trace in the
  index (tests/test_name_search.py reads its shadow tables).
- Triggers, not writes in the service functions: a row reaches the index whatever writes it
  (the ORM in `create_interview`, the hand-written SQL of `delete_draft` and of the restore's
  re-erasure, a bulk insert, a later migration, a rename the day a screen offers one), so no
  path can leave a case unfindable or a name behind in the index. Explicit writes would have to
  be repeated on each of those paths and kept in step by hand with the index's content, which
  FTS5 needs exactly (a delete names the old values). `UPDATE OF search_key, id, case_id`
  only: a status or date change does not touch the index.
- The cases already there are indexed by `rebuild`, then `optimize` puts the index in one
  segment: about 4 s at 100,000 cases on the first unlock (plus the backup made before any
  migration), a few ms at 1,000.

Rowids: the index refers to `interview.rowid`, which SQLite keeps in backups (page copies) but
not through VACUUM or a table rebuild (a batch migration, which would also drop the triggers):
anything that rebuilds `interview` must put the triggers back and `rebuild` the index
(name_search.rebuild).
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# A copy of the statements as they were when this revision was written (a migration keeps
# doing what it did, whatever store/name_search.py becomes).
STATEMENTS = (
    # Intakes only: a follow-up conversation is found through its case, never by the search box,
    # so the index can count a search's cases without reading a single row.
    "CREATE VIEW case_search_source AS"
    " SELECT rowid AS rid, search_key, id FROM interview WHERE case_id IS NULL",
    "CREATE VIRTUAL TABLE case_search USING fts5(search_key, id,"
    " content='case_search_source', content_rowid='rid', tokenize='trigram')",
    "INSERT INTO case_search (case_search, rank) VALUES ('secure-delete', 1)",
    "INSERT INTO case_search (case_search) VALUES ('rebuild')",
    "INSERT INTO case_search (case_search) VALUES ('optimize')",
    "CREATE TRIGGER case_search_insert AFTER INSERT ON interview WHEN new.case_id IS NULL BEGIN"
    " INSERT INTO case_search (rowid, search_key, id) VALUES (new.rowid, new.search_key, new.id);"
    " END",
    "CREATE TRIGGER case_search_delete AFTER DELETE ON interview WHEN old.case_id IS NULL BEGIN"
    " INSERT INTO case_search (case_search, rowid, search_key, id)"
    " VALUES ('delete', old.rowid, old.search_key, old.id);"
    " END",
    "CREATE TRIGGER case_search_update AFTER UPDATE OF search_key, id, case_id ON interview BEGIN"
    " INSERT INTO case_search (case_search, rowid, search_key, id)"
    " SELECT 'delete', old.rowid, old.search_key, old.id WHERE old.case_id IS NULL;"
    " INSERT INTO case_search (rowid, search_key, id)"
    " SELECT new.rowid, new.search_key, new.id WHERE new.case_id IS NULL;"
    " END",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)
    # A search of one or two letters (too short for trigrams) scans this index instead of the
    # cases' rows: 51 -> 9 ms at 100,000 cases, and the rest of the page cache is left alone.
    # The order by name walks it too and stops after a page (`cases list`, a search with many
    # matches) instead of sorting every case.
    op.create_index("ix_interview_search_key", "interview", ["search_key", "id"])
    # The PIPs due (overdue, within 14 days) are counted on every opening of the cases screen
    # from the notice dates and each case's plan by its id: with the id in the index, no row is
    # read (38 → 5 ms for the summary's counts at 100,000 cases). The index on the date alone
    # (0007) stays: a revision only adds to the schema (tests/test_store_faults.py).
    op.create_index("ix_interview_notice_id", "interview", ["duo_notice_date", "id"])


def downgrade() -> None:
    op.drop_index("ix_interview_notice_id", table_name="interview")
    op.drop_index("ix_interview_search_key", table_name="interview")
    for trigger in ("case_search_update", "case_search_delete", "case_search_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS case_search")
    op.execute("DROP VIEW IF EXISTS case_search_source")
