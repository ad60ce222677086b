from pathlib import Path

import pytest

from pipeline.settings import Settings


def test_environment_overrides_defaults() -> None:
    s = Settings.from_env(
        {"FACTCHECK_DATA_DIR": "/tmp/x", "FACTCHECK_ALLOW_PRIVATE_NETWORK": "yes", "FACTCHECK_MAX_RETRIES": "5"}
    )
    assert s.data_dir == Path("/tmp/x")
    assert s.database == Path("/tmp/x/factcheck.duckdb")
    assert s.allow_private_network is True
    assert s.max_retries == 5


def test_explicit_overrides_win_over_environment() -> None:
    s = Settings.from_env({"FACTCHECK_DB_PATH": "/tmp/a.duckdb"}, db_path=Path("/tmp/b.duckdb"))
    assert s.database == Path("/tmp/b.duckdb")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FACTCHECK_ALLOW_PRIVATE_NETWORK": "maybe"}, "must be true or false"),
        ({"FACTCHECK_MAX_RETRIES": "many"}, "FACTCHECK_MAX_RETRIES='many' is not a valid int"),
        ({"FACTCHECK_PER_HOST_DELAY": "-1"}, "must not be negative"),
    ],
)
def test_bad_settings_say_what_to_fix(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


def test_contact_goes_into_the_user_agent() -> None:
    s = Settings(contact="mailto:desk@example.org")
    assert s.full_user_agent.endswith("mailto:desk@example.org")
