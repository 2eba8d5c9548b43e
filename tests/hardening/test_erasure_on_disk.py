"""Issue 16, item 12: after ``engineer forget`` no byte of the name or contact is left in SQLite's files.

Before, the tables were clean but the database file and its ``-wal`` still
held the old pages (34 and 12 copies of the name) while a server kept the
database open: deleted cells stay in a page's free space, and in WAL mode the
main file keeps its old pages until the next checkpoint. Now every connection
runs with ``secure_delete`` and the erasure checkpoints (TRUNCATE) once it
commits. This test uses a SQLite file of its own (also in the PostgreSQL pass:
it checks SQLite's files, which that pass does not otherwise use).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlalchemy import select, text
from typer.testing import CliRunner

from bot.cli import app
from knowledge.db import Database, make_engine, upgrade
from knowledge.io import import_records
from knowledge.models import Consultation, Engineer
from knowledge.reference import seed_reference

NAME = "消去対象 花子(架空)"
CONTACT = "erase-me-7q3x@example.jp"
EXPERTISE = "町道橋の点検と除雪計画の見直し、側溝の補修を担当（消去対象の経歴テキスト）"


def copies(db_file: Path, value: str) -> dict[str, int]:
    """How often ``value`` occurs in the database file and its -wal, as UTF-8 and as JSON's \\u escapes."""
    forms = {value.encode("utf-8"), json.dumps(value).strip('"').encode("ascii")}
    found = {}
    for path in (db_file, db_file.with_name(db_file.name + "-wal")):
        data = path.read_bytes() if path.exists() else b""
        found[path.name] = sum(data.count(form) for form in forms)
    return found


def test_forget_leaves_no_copy_in_the_sqlite_files_while_a_server_keeps_them_open(tmp_path: Path) -> None:
    db_file = tmp_path / "gunmane.db"
    url = f"sqlite:///{db_file}"
    engine = make_engine(url)
    upgrade(engine)
    db = Database(engine)
    with db.session() as s:
        seed_reference(s)
    row = {"id": "eng-erase", "name": NAME, "prefecture": "奈良県", "municipality": "宇陀市", "expertise": EXPERTISE,
           "discoverable": True, "contact": CONTACT, "fields": ["bridge"]}
    source = tmp_path / "engineers.jsonl"
    for version in (EXPERTISE, EXPERTISE + "（改訂）"):  # two audit entries, two versions of the row
        source.write_text(json.dumps({**row, "expertise": version}, ensure_ascii=False) + "\n", encoding="utf-8")
        with db.session() as s:
            import_records(s, "engineer", source, actor="test")
    with db.session() as s:
        s.add(Consultation(platform="slack", user_id="U_REQ", prefecture="奈良県", municipality="宇陀市",
                           text=f"{NAME}さん（{CONTACT}）に相談したい", card={"note": NAME}))

    # a "server": a pooled SQLAlchemy connection and a plain sqlite3 connection, both kept open throughout
    server = db.engine.connect()
    server.execute(select(Engineer.name)).all()
    server.commit()
    other = sqlite3.connect(db_file)
    assert other.execute("SELECT count(*) FROM engineers").fetchone() == (1,)
    try:
        assert sum(copies(db_file, NAME).values()) > 0 and sum(copies(db_file, CONTACT).values()) > 0

        env = {"GUNMANE_DATABASE_URL": url, "GUNMANE_DATA_DIR": str(tmp_path / "data"), "GUNMANE_EMBEDDER": "fake"}
        result = CliRunner().invoke(app, ["engineer", "forget", "eng-erase", "--yes"], env=env)
        assert result.exit_code == 0, result.output
        assert "Erased name, expertise, contact" in result.stdout

        for value in (NAME, CONTACT, EXPERTISE):
            assert copies(db_file, value) == {"gunmane.db": 0, "gunmane.db-wal": 0}, value
        # the open connections still work and see the erased row
        assert other.execute("SELECT name, contact FROM engineers").fetchone() == ("(削除済み)", None)
        assert server.execute(text("SELECT count(*) FROM engineers WHERE forgotten")).scalar() == 1
    finally:
        other.close()
        server.close()
        db.dispose()
