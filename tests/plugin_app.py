"""The Claims view plugin's app in-process, as the api-server mounts it, with the login stubbed out.

Shared by the view's tests and ``benchmarks/claims_view_scale.py``; the real login is tested on a
real api-server (tests/test_plugin.py).
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

PLUGIN_FILE = Path(__file__).resolve().parents[1] / "plugins" / "factcheck_claims.py"


def load_plugin(name: str = "factcheck_claims_under_test") -> ModuleType:
    """The plugin module, imported from its file (the plugins folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, PLUGIN_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def signed_in_client() -> Iterator[tuple[ModuleType, Any]]:
    """(plugin module, TestClient) for the app mounted at the plugin's prefix, every request signed in."""
    from fastapi import FastAPI

    with warnings.catch_warnings():  # starlette's TestClient warns that it prefers httpx2 to httpx
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    plugin = load_plugin()
    app = plugin.create_app()
    app.dependency_overrides[plugin.signed_in_user] = lambda: None
    app.dependency_overrides[plugin.reviewing_user] = lambda: None
    root = FastAPI()
    root.mount(plugin.URL_PREFIX, app)
    with TestClient(root) as client:
        yield plugin, client
