"""The Claims view's request parameters: read, checked and clamped before any query runs.

Pure: a mapping of query-string values in, typed values or ``ClaimQuery`` out; a value that cannot
be used raises ``BadRequest`` naming the parameter (and what it may be), an unknown id ``NotFound``.
The pages (``claimspages``) and the renderers (``claimsview``, ``clusterview``) share these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from pipeline.records import CLAIM_KINDS, POLARITIES

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_PARAM_LENGTH = 300

VIEW_MODES = ("cards", "table")


class BadRequest(ValueError):
    """A request parameter that cannot be used; the message says which and why (and what it may be)."""

    def __init__(self, message: str, parameter: str | None = None, allowed: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.allowed = tuple(allowed)


class NotFound(LookupError):
    """A request naming something that does not exist (an unknown cluster id): answered with 404."""

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


def _text_param(params: Mapping[str, str], name: str) -> str | None:
    raw = params.get(name)
    if raw is None:
        return None
    value = " ".join(str(raw).split())
    if len(value) > MAX_PARAM_LENGTH:
        raise BadRequest(f"{name} is longer than {MAX_PARAM_LENGTH} characters", name)
    return value or None


def _int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError as e:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}, got {raw!r}", name) from e
    return max(low, min(high, value))


def choice_param(
    params: Mapping[str, str], name: str, allowed: Sequence[str], default: str | None = None
) -> str | None:
    """One of ``allowed`` (blank means ``default``); anything else is refused, naming the allowed values."""
    value = _text_param(params, name)
    if value is None:
        return default
    if value not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}; got {value!r}", name, allowed)
    return value


def text_param(params: Mapping[str, str], name: str) -> str | None:
    """A free-text parameter, whitespace collapsed (blank is None); too long is refused."""
    return _text_param(params, name)


def int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A whole-number parameter clamped to [low, high]; not a number is refused, naming the range."""
    return _int_param(params, name, default, low, high)


def view_mode(params: Mapping[str, str]) -> str:
    """``cards`` (the default) or ``table``: how a list of claims is shown."""
    return choice_param(params, "view", VIEW_MODES, "cards") or "cards"


@dataclass(frozen=True, slots=True)
class ClaimQuery:
    """The claim list's filters, as given in the query string (``q`` is the text search)."""

    outlet: str | None = None
    speaker: str | None = None
    polarity: str | None = None
    kind: str | None = None
    text: str | None = None
    entity: str | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ClaimQuery:
        """Read the filters; blanks mean "any", whitespace is collapsed, limits are clamped."""
        return cls(
            outlet=_text_param(params, "outlet"),
            speaker=_text_param(params, "speaker"),
            polarity=choice_param(params, "polarity", POLARITIES),
            kind=choice_param(params, "kind", CLAIM_KINDS),
            text=_text_param(params, "q"),
            entity=_text_param(params, "entity"),
            limit=_int_param(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
            offset=_int_param(params, "offset", 0, 0, 10_000_000),
        )

    def store_args(self) -> dict[str, Any]:
        """Keyword arguments for ``store.find_claims``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to_params(self, **changes: Any) -> dict[str, str]:
        """The query string for these filters (with ``changes``), leaving out defaults."""
        values = {**{f.name: getattr(self, f.name) for f in fields(self)}, **changes}
        out: dict[str, str] = {}
        for name, value in values.items():
            key = "q" if name == "text" else name
            if value is None or (name == "limit" and value == DEFAULT_LIMIT) or (name == "offset" and value == 0):
                continue
            out[key] = str(value)
        return out

    @property
    def active(self) -> bool:
        return any((self.outlet, self.speaker, self.polarity, self.kind, self.text, self.entity))


# --- evidence ----------------------------------------------------------------------------------------
