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


def test_airflow_names_and_the_model_are_settings_with_overrides() -> None:
    s = Settings.from_env({"FACTCHECK_LOAD_QUEUE": "duckdb_host", "FACTCHECK_WRITER_POOL": "one_writer",
                           "FACTCHECK_SPACY_MODEL": "my_model"})  # fmt: skip
    assert (s.load_queue, s.writer_pool, s.spacy_model) == ("duckdb_host", "one_writer", "my_model")
    assert s.load_routing == {"queue": "duckdb_host"}
    defaults = Settings.from_env({})
    assert defaults.load_routing == {}  # the load goes to the default queue
    assert (defaults.writer_pool, defaults.claims_asset_name) == ("duckdb_writer", "factcheck_claims")
    with pytest.raises(ValueError, match="FACTCHECK_WRITER_POOL must not be empty"):
        Settings.from_env({"FACTCHECK_WRITER_POOL": " "})


def test_no_module_but_settings_reads_the_environment() -> None:
    """The library and the DAG files get configuration from ``Settings`` only (``localairflow`` is a
    developer tool that prepares environments for the airflow command)."""
    import re

    repo = Path(__file__).resolve().parents[1]
    allowed = {repo / "src/pipeline/settings.py", repo / "src/pipeline/localairflow.py"}
    files = [*sorted((repo / "src/pipeline").rglob("*.py")), *sorted((repo / "dags").glob("*.py"))]
    readers = [
        str(f.relative_to(repo))
        for f in files
        if f not in allowed and re.search(r"\bos\.environ\b|\bgetenv\(", f.read_text(encoding="utf-8"))
    ]
    assert files and readers == []
