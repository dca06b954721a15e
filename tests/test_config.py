"""Configuration: the environment wins; production refuses missing or weak settings."""

import pytest

import config
from caseapp import create_app
from config import ConfigError, load_config

PROD_ENV = {
    "SECRET_KEY": "s" * 48,
    "DATABASE_URL": "postgresql+psycopg://caseapp@db/caseapp",
    "CASEAPP_KEK": "k1:" + "A" * 44,
    "CASEAPP_BIDX_KEY": "B" * 44,
    "CASEAPP_AUDIT_KEY": "C" * 44,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
}


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        *PROD_ENV,
        "CASEAPP_CONFIG",
        "CASEAPP_PROXY_HOPS",
        "REFERRAL_DUE_HOURS",
        "LOGIN_RATE_LIMIT",
        "API_RATE_LIMIT",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("missing", sorted(PROD_ENV))
def test_production_refuses_to_start_without(clean_env, missing):
    for name, value in PROD_ENV.items():
        if name != missing:
            clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match=missing):
        create_app("production")


def test_production_refuses_a_short_secret(clean_env):
    for name, value in PROD_ENV.items():
        clean_env.setenv(name, value)
    clean_env.setenv("SECRET_KEY", "you-will-never-guess")
    with pytest.raises(ConfigError, match="too short"):
        load_config("production")


def test_production_settings(clean_env):
    for name, value in PROD_ENV.items():
        clean_env.setenv(name, value)
    settings = load_config("production")
    assert settings["SESSION_COOKIE_SECURE"] and settings["HSTS"]
    assert settings["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    assert settings["SQLALCHEMY_DATABASE_URI"] == PROD_ENV["DATABASE_URL"]


def test_development_needs_the_instance_secret(clean_env, tmp_path):
    clean_env.setattr(config, "SECRET_KEY_FILE", tmp_path / "secret_key")
    clean_env.setattr(config, "KEYS_FILE", tmp_path / "keys.json")
    with pytest.raises(ConfigError, match="make run"):
        load_config("development")


def test_environment_wins_over_instance_files(clean_env, tmp_path):
    from caseapp.instance import init_instance

    init_instance(tmp_path)
    clean_env.setattr(config, "SECRET_KEY_FILE", tmp_path / "secret_key")
    clean_env.setattr(config, "KEYS_FILE", tmp_path / "keys.json")
    from_files = load_config("development")
    assert from_files["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    clean_env.setenv("SECRET_KEY", "from-the-environment-" + "x" * 20)
    clean_env.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    settings = load_config("development")
    assert settings["SECRET_KEY"].startswith("from-the-environment-")
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:///elsewhere.db"


def test_instance_files_are_private_and_never_overwritten(tmp_path):
    import os
    import stat

    from caseapp.instance import init_instance

    assert sorted(init_instance(tmp_path)) == ["audit_signing_key", "keys.json", "secret_key"]
    for name in ("audit_signing_key", "keys.json", "secret_key"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600
    before = (tmp_path / "keys.json").read_text()
    assert init_instance(tmp_path) == []
    assert (tmp_path / "keys.json").read_text() == before


def test_unknown_configuration_name(clean_env):
    with pytest.raises(ConfigError, match="Unknown CASEAPP_CONFIG"):
        load_config("staging")


def test_referral_due_hours_from_the_environment(clean_env, tmp_path):
    from caseapp.instance import init_instance

    init_instance(tmp_path)
    clean_env.setattr(config, "SECRET_KEY_FILE", tmp_path / "secret_key")
    clean_env.setattr(config, "KEYS_FILE", tmp_path / "keys.json")
    clean_env.setenv("REFERRAL_DUE_HOURS", "emergency=12, urgent=48,routine=bad")
    assert load_config("development")["REFERRAL_DUE_HOURS"] == {"emergency": 12, "urgent": 48}


def test_rate_limits_from_the_environment(clean_env):
    for name, value in PROD_ENV.items():
        clean_env.setenv(name, value)
    assert load_config("production")["LOGIN_RATE_LIMIT"] == "20 per minute;200 per hour"
    clean_env.setenv("LOGIN_RATE_LIMIT", "5 per minute")
    clean_env.setenv("API_RATE_LIMIT", "60 per minute")
    settings = load_config("production")
    assert (settings["LOGIN_RATE_LIMIT"], settings["API_RATE_LIMIT"]) == ("5 per minute", "60 per minute")
