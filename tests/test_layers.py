"""Layers that hold: what import-linter cannot say about them (`make lint` runs the import contract)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "caseapp"


def test_only_the_web_front_end_renders_templates():
    pattern = re.compile(r"\brender_template(_string)?\b|flask\.templating|jinja_env\.get_template")
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if not path.is_relative_to(ROOT / "web") and path != ROOT / "__init__.py"
        if pattern.search(path.read_text())
    ]
    assert offenders == []


def test_no_code_compares_role_names():
    """Access rules ask permissions (`user.can(...)`), never compare role names (the role table maps them)."""
    names = r"""["'](case_worker|supervisor|analyst|auditor|admin)["']"""
    pattern = re.compile(rf"(==|!=|\bin\b)\s*(Role\.|{names})|(Role\.[A-Z_]+|{names})\s*(==|!=)")
    allowed = {
        ROOT / "security" / "permissions.py",
        ROOT / "demo" / "accounts.py",
        ROOT / "demo" / "cases.py",
    }
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in ROOT.rglob("*.py")
        if path not in allowed
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    templates = Path(__file__).resolve().parent.parent / "templates"
    offenders += [
        f"templates/{path.relative_to(templates)}:{n}"
        for path in templates.rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
