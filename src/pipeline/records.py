"""Typed, immutable records passed between stages.

Each record has exactly one way to become a plain dict (``to_dict``) and one way back
(``from_dict``), which is what staging files and the store use. Spans are Python character
offsets into ``Article.text``, end exclusive.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

ClaimKind = Literal["direct", "indirect", "mixed", "according_to"]
Polarity = Literal["asserts", "denies"]
CLAIM_KINDS: tuple[str, ...] = ("direct", "indirect", "mixed", "according_to")
POLARITIES: tuple[str, ...] = ("asserts", "denies")


def sha256_hex(data: bytes | str) -> str:
    """Hex SHA-256 of bytes, or of a string's UTF-8 encoding."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class Candidate:
    """An article URL found by discovery, with the outlet it belongs to."""

    outlet: str
    url: str
    found_in: str | None = None  # the feed or sitemap it came from; None for listed URLs

    def to_dict(self) -> dict[str, Any]:
        """The candidate as a plain dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Candidate:
        """A candidate from its dict."""
        return cls(**row)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What happened when one URL was fetched: a success with an archived body, or a failure."""

    url: str
    outlet: str
    kind: Literal["feed", "article"]
    ok: bool
    status: int | None = None
    reason: str | None = None  # why it failed, or None on success
    final_url: str | None = None
    content_type: str | None = None
    charset: str | None = None  # the character set decided for the body, if any
    n_bytes: int = 0
    attempts: int = 0
    started_at: datetime | None = None
    elapsed_ms: float = 0.0
    archive_ref: str | None = None  # content address of the stored body
    etag: str | None = None  # validators the server sent, for the next conditional GET
    last_modified: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result as a plain dict, the start time as an ISO string."""
        row = asdict(self)
        row["started_at"] = _iso(self.started_at)
        return row

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> FetchResult:
        """A fetch result from its dict."""
        row = dict(row)
        row["started_at"] = _from_iso(row.get("started_at"))
        return cls(**row)


@dataclass(frozen=True, slots=True)
class Article:
    """A parsed article: clean body text plus metadata, ready for claim extraction."""

    url: str
    canonical_url: str
    outlet: str
    title: str | None
    authors: tuple[str, ...]
    published_at: datetime | None
    language: str | None
    text: str
    is_article: bool = True
    not_article_reason: str | None = None
    raw_ref: str | None = None
    content_hash: str = field(default="")
    modified_at: datetime | None = None  # the last modification the page states, beside published_at
    # a canonical URL the page named on another site: recorded as the page's claim, never its identity
    claimed_canonical_url: str | None = None

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", sha256_hex(self.text))

    @property
    def article_id(self) -> str:
        """Stable identity: derived from the canonical URL alone, so a re-fetch updates in place."""
        return sha256_hex(self.canonical_url)[:32]

    def to_dict(self) -> dict[str, Any]:
        """The article as a plain dict with ISO dates and its ``article_id``."""
        row = {f.name: getattr(self, f.name) for f in fields(self)}
        row["authors"] = list(self.authors)
        row["published_at"] = _iso(self.published_at)
        row["modified_at"] = _iso(self.modified_at)
        row["article_id"] = self.article_id
        return row

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Article:
        """An article from its dict (``article_id`` is ignored: it is derived)."""
        row = {k: v for k, v in row.items() if k != "article_id"}
        row["authors"] = tuple(row.get("authors") or ())
        row["published_at"] = _from_iso(row.get("published_at"))
        row["modified_at"] = _from_iso(row.get("modified_at"))
        return cls(**row)


@dataclass(frozen=True, slots=True)
class StagedArticle:
    """An article as the parse stage stages it: the Article, when its page was fetched, and the
    fingerprint the store links near-duplicates by (``dedupe.fingerprint``).

    The one schema of the parse staging file: the extract stage reads it back with ``from_dict``
    (which refuses a key it does not know) and the store reads the same keys as
    ``store.ARTICLE_COLUMNS``.
    """

    article: Article
    fetched_at: str | None = None
    minhash: tuple[int, ...] | None = None
    bands: tuple[str, ...] | None = None
    wire: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The article's dict plus the staging fields (fetch time, MinHash, bands, wire)."""
        row = self.article.to_dict()
        row.update(
            fetched_at=self.fetched_at,
            minhash=list(self.minhash) if self.minhash is not None else None,
            bands=list(self.bands) if self.bands is not None else None,
            wire=self.wire,
        )
        return row

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> StagedArticle:
        """A staged article from its dict; ValueError on keys no stage writes."""
        unknown = set(row) - STAGED_ARTICLE_KEYS
        if unknown:
            raise ValueError(f"a staged article has keys no stage writes: {sorted(unknown)}")
        row = dict(row)
        extra = {k: row.pop(k, None) for k in ("fetched_at", "minhash", "bands", "wire")}
        minhash, bands = extra["minhash"], extra["bands"]
        return cls(
            Article.from_dict(row),
            fetched_at=extra["fetched_at"],
            minhash=tuple(minhash) if minhash is not None else None,
            bands=tuple(bands) if bands is not None else None,
            wire=extra["wire"],
        )


STAGED_ARTICLE_KEYS = frozenset(f.name for f in fields(Article)) | {
    "article_id", "fetched_at", "minhash", "bands", "wire",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Claim:
    """One attributed claim: who (speaker) said (cue) what (content), with offsets into the text."""

    kind: str
    content: str
    content_start: int
    content_end: int
    speaker: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_resolved: str | None = None  # the named speaker a pronoun or role noun refers to
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    polarity: str = "asserts"
    entities: tuple[str, ...] = ()  # named entities mentioned in the content
    speaker_role: str | None = None  # an appositive role kept apart from the name ("special representative")
    cue_strength: str | None = None  # how the cue commits the speaker: neutral | strong | weak | concede

    def __post_init__(self) -> None:
        if self.kind not in CLAIM_KINDS:
            raise ValueError(f"claim kind must be one of {CLAIM_KINDS}, got {self.kind!r}")
        if self.polarity not in POLARITIES:
            raise ValueError(f"claim polarity must be one of {POLARITIES}, got {self.polarity!r}")
        if not 0 <= self.content_start < self.content_end:
            raise ValueError(f"bad content span {self.content_start}..{self.content_end}")

    def to_dict(self) -> dict[str, Any]:
        """The claim as a plain dict."""
        row = asdict(self)
        row["entities"] = list(self.entities)
        return row

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Claim:
        """A claim from its dict."""
        row = dict(row)
        row["entities"] = tuple(row.get("entities") or ())
        return cls(**row)
