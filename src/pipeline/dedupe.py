"""Near-identical texts and wire credits: what lets a comparison count independent reports. Pure.

A wire story (AP, Reuters, AFP, ...) reprinted by several outlets is one report, not several. Each
parsed article gets, at parse time:

- ``minhash``: a 64-value MinHash signature of its 5-word shingles over the normalised text
  (lower case, letters and digits only), so the Jaccard similarity of two texts is estimated by
  the share of equal positions;
- ``bands``: 16 locality-sensitive keys (4 signature values each), so the store finds candidate
  pairs with an equality join instead of comparing every pair (two texts with similarity 0.8
  share a band with probability above 0.999; with 0.3, about 0.12);
- ``wire``: the agency named in a credit line ("(AP) —", "— Reuters", "AFP contributed"), if any.

``store.load_batch`` links an article to the earliest article whose signature agrees on at least
``NEAR_DUPLICATE`` of the positions (``article_links``), and the ``claim_spread`` view counts
independent reports through those links.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import numpy as np

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 5
NEAR_DUPLICATE = 0.8
_PRIME = (1 << 31) - 1  # a Mersenne prime: (a * h + b) mod p is exact in uint64 for a, b, h < p
_rng = np.random.default_rng(20260301)  # fixed: signatures must be comparable across runs and machines
_A = _rng.integers(1, _PRIME, size=NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, size=NUM_PERM, dtype=np.uint64)

@dataclass(frozen=True, slots=True)
class Agency:
    """A wire agency: its stored name, the names credit lines use, and whether those match only as written."""
    name: str  # as stored in ``articles.wire``
    names: tuple[str, ...]  # every way credit lines write it, the short name first
    exact_case: bool  # acronyms that are also words or letter runs ("AP") match only as written


def _read_agencies() -> tuple[Agency, ...]:
    text = (resources.files("pipeline") / "data" / "wire_agencies.tsv").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, case, *others = line.split("\t")
        aliases = [a.strip() for a in (others[0].split("|") if others else []) if a.strip()]
        out.append(Agency(name.strip(), (name.strip(), *aliases), case.strip() == "exact"))
    return tuple(out)


WIRE_AGENCIES = _read_agencies()


def _credit_pattern(agency: Agency) -> re.Pattern[str]:
    alt = "|".join(re.escape(n) for n in sorted(agency.names, key=len, reverse=True))
    return re.compile(
        rf"(?:^|\n|\s)\(\s*(?:{alt})\s*\)\s*[—–-]"  # dateline: "WASHINGTON (AP) —"
        rf"|[—–-]\s*(?:{alt})\s*$"  # sign-off: "... — Reuters"
        rf"|(?:^|\n)\s*(?:{alt})\s*$"  # a last line naming the agency
        rf"|\b(?:{alt})\s+contributed\b|\bcontributed by\s+(?:{alt})\b"
        rf"|\b(?:copyright|©)\s*(?:\d{{4}}\s*)?(?:the\s+)?(?:{alt})\b"
        rf"|\b(?:reporting|writing|editing) by [^\n]{{0,80}}\((?:{alt})\)",
        re.MULTILINE if agency.exact_case else re.MULTILINE | re.IGNORECASE,
    )


_CREDIT = {agency.name: _credit_pattern(agency) for agency in WIRE_AGENCIES}


def normalise(text: str) -> list[str]:
    """The words of ``text``, lower case, letters and digits only."""
    return re.findall(r"[^\W_]+", text.lower())


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct 32-bit hashes of the text's word shingles (the whole text when shorter), as uint64."""
    words = normalise(text)
    if len(words) < SHINGLE:
        grams = [" ".join(words)] if words else []
    else:
        grams = [" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]
    values = {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little") for g in grams}
    return np.fromiter(values, dtype=np.uint64, count=len(values))


def minhash(text: str) -> list[int]:
    """A MinHash signature (``NUM_PERM`` values below 2**31) of the text's word shingles."""
    hashes = shingle_hashes(text)
    if hashes.size == 0:
        return [0] * NUM_PERM
    # a universal family over Z_p: every shingle hash is first reduced mod p, so each of the NUM_PERM
    # maps wraps around p many times and orders the shingles independently of the others (with p
    # above the hashes' range, the maps hardly wrapped and the 64 minima mostly named one shingle)
    table = (np.outer(hashes % np.uint64(_PRIME), _A) + _B) % np.uint64(_PRIME)
    return [int(v) for v in table.min(axis=0)]


def bands(signature: list[int]) -> list[str]:
    """Locality-sensitive band keys: texts sharing one are candidate near-duplicates."""
    keys = []
    for b in range(BANDS):
        chunk = ",".join(str(v) for v in signature[b * ROWS : (b + 1) * ROWS])
        keys.append(f"{b}:{hashlib.blake2b(chunk.encode(), digest_size=8).hexdigest()}")
    return keys


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / NUM_PERM


def wire_credit(text: str) -> str | None:
    """The wire agency a credit line names, if the text carries one (first and last lines are checked)."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return None
    window = "\n".join(lines[:2] + lines[-3:])
    for name, pattern in _CREDIT.items():
        if pattern.search(window):
            return name
    return None


def fingerprint(text: str) -> dict[str, object]:
    """What the parse stage stages beside an article for the store's duplicate links."""
    signature = minhash(text)
    return {"minhash": signature, "bands": bands(signature), "wire": wire_credit(text)}
