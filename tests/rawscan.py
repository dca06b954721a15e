"""Scan the raw database for canary strings: the proof that sensitive values never rest in plaintext.

SQLite: the database file and its WAL, byte for byte (UTF-8 and UTF-16). PostgreSQL: every text, varchar,
json and bytea column of every table, read as stored. Reusable by every feature's tests:

    assert scan_for(app, ["Siti Canary"]) == []
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from caseapp.extensions import db


def _sqlite_files(url: sa.URL) -> list[Path]:
    path = Path(url.database or "")
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()]


def scan_for(app: Flask, canaries: list[str]) -> list[str]:
    """Return where any canary was found ('file:...' or 'table.column'); empty means nowhere."""
    found: list[str] = []
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            for path in _sqlite_files(engine.url):
                data = path.read_bytes()
                for canary in canaries:
                    for encoding in ("utf-8", "utf-16-le"):
                        if canary.encode(encoding) in data:
                            found.append(f"file:{path.name}:{canary}")
            return found
        inspector = sa.inspect(engine)
        with engine.connect() as conn:
            for table in inspector.get_table_names():
                for column in inspector.get_columns(table):
                    type_name = str(column["type"]).lower()
                    if not any(t in type_name for t in ("char", "text", "json", "bytea")):
                        continue
                    expr = f'"{column["name"]}"'
                    if "bytea" in type_name:
                        expr = f"encode({expr}, 'escape')"
                    for canary in canaries:
                        hit = conn.execute(
                            sa.text(f'SELECT 1 FROM "{table}" WHERE {expr}::text LIKE :pattern LIMIT 1'),
                            {"pattern": f"%{canary}%"},
                        ).first()
                        if hit:
                            found.append(f"{table}.{column['name']}:{canary}")
    return found
