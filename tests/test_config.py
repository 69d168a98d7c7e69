"""Settings read from the environment."""

from __future__ import annotations

import pytest

from segments_module.config import DEFAULT_DATABASE_URL, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    monkeypatch.delenv("SEGMENTS_DATABASE_URL", raising=False)
    monkeypatch.delenv("SEGMENTS_TIME_ZONE", raising=False)


def test_load_settings_defaults():
    settings = load_settings()

    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.time_zone == "UTC"


def test_load_settings_time_zone_from_environment(monkeypatch):
    # given
    monkeypatch.setenv("SEGMENTS_TIME_ZONE", "America/New_York")

    # when
    settings = load_settings()

    # then
    assert settings.time_zone == "America/New_York"
    assert settings.zone.key == "America/New_York"


@pytest.mark.parametrize("value", ["Mars/Base", "Europe", "", "../etc/passwd"])
def test_load_settings_invalid_time_zone(monkeypatch, value):
    # given
    monkeypatch.setenv("SEGMENTS_TIME_ZONE", value)

    # when
    with pytest.raises(ValueError) as raised:
        load_settings()

    # then the message names the setting, the value and the fix
    assert str(raised.value) == (
        f"SEGMENTS_TIME_ZONE {value!r} is not a known time zone. Set it to an IANA "
        "time zone name such as Europe/Berlin, or unset it to use UTC."
    )


def test_load_settings_database_url_argument_first(monkeypatch):
    # given
    monkeypatch.setenv("SEGMENTS_DATABASE_URL", "sqlite:///from_env.sqlite")

    # when
    settings = load_settings("sqlite:///from_argument.sqlite")

    # then
    assert settings.database_url == "sqlite:///from_argument.sqlite"
