"""Settings from ECKG_* variables (docs/settings.md): typed, and a bad value is an input error naming the
variable and the value, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import FieldError
from graph.settings import Settings, made_data_dir


def test_values_are_read_typed_from_their_variables() -> None:
    settings = Settings.from_env(
        {
            "ECKG_QUERY_TIMEOUT": "5",
            "ECKG_ALLOW_SERVICE": "true",
            "ECKG_DATA_FILES": '["/srv/extra.ttl"]',
            "ECKG_CORS_ORIGINS": "[]",
            "eckg_engine": "reference",  # names in any case
            "ECKG_NOT_A_SETTING": "x",  # other ECKG_ variables are not settings (ECKG_REQUIRE_BROWSER)
            "HOME": "/elsewhere",
        }
    )
    assert (settings.query_timeout, settings.allow_service, settings.engine) == (5.0, True, "reference")
    assert settings.data_files == [Path("/srv/extra.ttl")] and settings.cors_origins == []
    assert settings.max_result_rows == 100_000  # unset: the default


def test_settings_made_in_code_take_only_what_they_are_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECKG_ENGINE", "reference")
    assert Settings(query_timeout=2).engine == "fast"
    assert Settings.from_env().engine == "reference"


def test_every_bad_value_is_named_with_its_variable_and_value() -> None:
    with pytest.raises(FieldError) as caught:
        Settings.from_env({"ECKG_QUERY_TIMEOUT": "abc", "ECKG_ENGINE": "quick", "ECKG_CORS_ORIGINS": "x.org"})
    assert caught.value.exit_code == 2
    assert caught.value.errors == [
        {
            "field": "ECKG_CORS_ORIGINS",
            "message": "not JSON; give a list, e.g. [] or [\"a\"] (given 'x.org')",
        },
        {"field": "ECKG_ENGINE", "message": "Input should be 'fast' or 'reference' (given 'quick')"},
        {
            "field": "ECKG_QUERY_TIMEOUT",
            "message": "Input should be a valid number, unable to parse string as a number (given 'abc')",
        },
    ]
    assert str(caught.value).startswith("invalid setting: ECKG_CORS_ORIGINS: not JSON")


@pytest.mark.parametrize("url", ["notaurl", "ftp://host/query", "http:/query", "localhost:7878/query"])
def test_a_store_url_is_an_http_url(url: str) -> None:
    """It was taken as it came, and the first request to it failed: exit 3, 'cannot be reached'."""
    with pytest.raises(FieldError) as caught:
        Settings.from_env({"ECKG_STORE_URL": url})
    [problem] = caught.value.errors
    assert problem["field"] == "ECKG_STORE_URL" and "not an http(s) URL" in problem["message"]
    assert Settings.from_env({"ECKG_STORE_GRAPH_URL": "https://db.example/store"}).store_graph_url


def test_a_token_is_never_repeated_in_an_error() -> None:
    with pytest.raises(FieldError) as caught:
        Settings.from_env({"ECKG_UPDATE_TOKEN": "s3cret", "ECKG_MAX_REQUEST_BYTES": "0"})
    assert "s3cret" not in str(caught.value) and "ECKG_MAX_REQUEST_BYTES" in str(caught.value)


def test_a_command_given_a_bad_setting_says_which_and_exits_2(run_cli) -> None:  # type: ignore[no-untyped-def]
    done = run_cli("info", env={"ECKG_QUERY_TIMEOUT": "soon"})
    assert done.returncode == 2
    assert "ECKG_QUERY_TIMEOUT" in done.stderr and "Traceback" not in done.stderr


def test_a_data_directory_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    settings = Settings(data_dir=tmp_path / "a-file" / "data")
    with pytest.raises(FieldError, match=r"ECKG_DATA_DIR: cannot make the directory .*a-file/data"):
        made_data_dir(settings)
    assert made_data_dir(Settings(data_dir=tmp_path / "new")).is_dir()


def test_a_server_whose_data_directory_cannot_be_made_does_not_start(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a-file").write_text("not a directory")
    done = run_cli("serve", "--port", "0", env={"ECKG_DATA_DIR": str(tmp_path / "a-file" / "data")})
    assert done.returncode == 2
    assert "ECKG_DATA_DIR: cannot make the directory" in done.stderr and "Traceback" not in done.stderr
