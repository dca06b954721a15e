"""Error pages of the browser front end (the pipeline in `caseapp.http.errors` decides when to show one)."""

from __future__ import annotations

from flask import Flask, render_template

from caseapp.http.errors import set_page_renderer


def render_error_page(page: int, status: int, title: str, message: str) -> str:
    """Draw `templates/errors/<page>.html` for a response with this status."""
    return render_template(f"errors/{page}.html", status=status, title=title, message=message)


def register(app: Flask) -> None:
    """Let the pipeline draw error pages with the web's templates."""
    set_page_renderer(app, render_error_page)
