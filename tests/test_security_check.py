"""`flask --app wsgi security-check` and `keys generate`."""

from __future__ import annotations

import pytest

from caseapp import create_app
from caseapp.security.keys import keyring_from_config
from tests.conftest import KEYS, make_app

SAFE_ENV = {
    **KEYS,
    "SECRET_KEY": "q" * 48,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
}


@pytest.fixture
def production_app(monkeypatch, tmp_path):
    for name, value in {**SAFE_ENV, "DATABASE_URL": "postgresql+psycopg://x@127.0.0.1/none"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    return lambda **overrides: create_app("production", **overrides)


def test_safe_production_configuration_passes(production_app):
    result = production_app().test_cli_runner().invoke(args=["security-check"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


@pytest.mark.parametrize(
    "overrides,problem",
    [
        ({"SECRET_KEY": "you-will-never-guess"}, "SECRET_KEY"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"SQLALCHEMY_ECHO": True}, "SQLALCHEMY_ECHO"),
        ({"SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": False}}, "hide_parameters"),
        ({"HSTS": False}, "HSTS"),
        ({"WTF_CSRF_ENABLED": False}, "CSRF"),
        ({"MFA_REQUIRED_ROLES": ()}, "MFA_REQUIRED_ROLES"),
    ],
)
def test_each_unsafe_setting_is_named(production_app, overrides, problem):
    result = production_app(**overrides).test_cli_runner().invoke(args=["security-check"])
    assert result.exit_code == 1
    assert problem in result.output


def test_debug_mode_is_named(production_app, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    result = production_app().test_cli_runner().invoke(args=["security-check"])
    assert result.exit_code == 1 and "debug mode" in result.output


def test_memory_rate_limits_with_several_workers(production_app, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    result = (
        production_app(RATELIMIT_STORAGE_URI="memory://").test_cli_runner().invoke(args=["security-check"])
    )
    assert result.exit_code == 1 and "rate-limit storage is in memory" in result.output


def test_testing_configuration_is_unsafe(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/x.db")
    result = app.test_cli_runner().invoke(args=["security-check"])
    assert result.exit_code == 1
    for problem in ("TESTING", "SESSION_COOKIE_SECURE", "HSTS", "CSRF"):
        assert problem in result.output


def test_keys_generate_prints_usable_lines(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/x.db")
    result = app.test_cli_runner().invoke(args=["keys", "generate"])
    assert result.exit_code == 0
    values = dict(line.split("=", 1) for line in result.output.splitlines() if not line.startswith("#"))
    assert set(values) == {
        "CASEAPP_KEK",
        "CASEAPP_BIDX_KEY",
        "CASEAPP_AUDIT_KEY",
        "CASEAPP_AUDIT_SIGNING_KEY",
    }
    ring = keyring_from_config(values)
    assert len({ring.kek(ring.current_kek_id), ring.bidx_root, ring.audit_key}) == 3
    second = app.test_cli_runner().invoke(args=["keys", "generate"]).output
    assert second != result.output


def test_keys_never_reach_the_config_dump(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/x.db")
    dumped = repr(dict(app.config))
    for value in KEYS.values():
        assert value.split(":")[-1] not in dumped


def test_jobs_in_the_web_process_with_several_workers(production_app, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    result = production_app().test_cli_runner().invoke(args=["security-check"])
    assert result.exit_code == 1 and "no job broker" in result.output
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/1")
    result = production_app().test_cli_runner().invoke(args=["security-check"])
    assert result.exit_code == 0, result.output


def test_a_named_node_is_one_of_several_even_with_one_worker(production_app, monkeypatch):
    """A node name says there are other nodes: what each process keeps to itself must be shared."""
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/1")
    alone = (
        production_app(RATELIMIT_STORAGE_URI="memory://").test_cli_runner().invoke(args=["security-check"])
    )
    assert alone.exit_code == 0, alone.output  # one node, one worker: memory is the whole deployment
    named = production_app(RATELIMIT_STORAGE_URI="memory://", NODE_NAME="a")
    result = named.test_cli_runner().invoke(args=["security-check"])
    assert result.exit_code == 1 and "rate-limit storage is in memory" in result.output
    assert "several nodes" in result.output
    monkeypatch.delenv("CELERY_BROKER_URL")
    result = production_app(NODE_NAME="a").test_cli_runner().invoke(args=["security-check"])
    assert result.exit_code == 1 and "no job broker" in result.output
