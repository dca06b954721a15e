"""Create the development instance folder: secret key and key material, mode 0600, never overwritten.

Run as `python -m caseapp.instance` (by `make run`); it needs no application, so it works before any
configuration exists.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

from caseapp.security.keys import new_key_material, new_signing_key
from config import AUDIT_SIGNING_KEY_FILE, INSTANCE_DIR, KEYS_FILE, SECRET_KEY_FILE


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def init_instance(instance_dir: Path = INSTANCE_DIR) -> list[str]:
    """Create what is missing in the instance folder; return the names of the files created."""
    created = []
    instance_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret_file = instance_dir / SECRET_KEY_FILE.name
    keys_file = instance_dir / KEYS_FILE.name
    if not secret_file.exists():
        _write_private(secret_file, secrets.token_urlsafe(48) + "\n")
        created.append(secret_file.name)
    if not keys_file.exists():
        _write_private(keys_file, json.dumps(new_key_material(), indent=2) + "\n")
        created.append(keys_file.name)
    signing_file = instance_dir / AUDIT_SIGNING_KEY_FILE.name
    if not signing_file.exists():  # added later than keys.json: an existing instance gets it too
        _write_private(signing_file, new_signing_key() + "\n")
        created.append(signing_file.name)
    return created


if __name__ == "__main__":
    for name in init_instance():
        print(f"created {INSTANCE_DIR / name} (mode 0600): back it up apart from the database")
    sys.exit(0)
