"""The speaker alias file: ``canonical<TAB>kind<TAB>alias|alias``, refused with the line to fix when wrong."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pipeline.compare.lexicon import KINDS, key_text


@dataclass(frozen=True, slots=True)
class AliasEntry:
    """One line of the alias file: a canonical name, its kind, its aliases and the line number."""

    canonical: str
    kind: str
    aliases: tuple[str, ...]
    line: int


def parse_alias_file(text: str, source: str = "aliases.tsv") -> dict[str, AliasEntry]:
    """Folded alias or canonical name -> its entry. Refuses (ValueError naming the line) a line that
    is not three fields, an unknown kind, an alias that is another line's canonical name (a chain or
    a cycle), and an alias given to two speakers."""
    entries: list[AliasEntry] = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in raw.split("\t")]
        if len(parts) != 3 or not all(parts):
            raise ValueError(
                f"{source} line {n}: expected 'canonical<TAB>kind<TAB>alias|alias', got {raw!r}; fix that line"
            )
        canonical, kind, aliases = parts
        if kind not in KINDS:
            raise ValueError(f"{source} line {n}: unknown kind {kind!r} (use one of {', '.join(KINDS)}); fix that line")
        names = tuple(a.strip() for a in aliases.split("|"))
        if any(not a for a in names):
            raise ValueError(f"{source} line {n}: an empty alias between '|' separators; fix that line")
        for name in (canonical, *names):
            if not key_text(name):
                raise ValueError(
                    f"{source} line {n}: {name!r} leaves nothing to match once articles, quotes and punctuation "
                    "are taken off; write the name itself on that line"
                )
        entries.append(AliasEntry(canonical, kind, names, n))
    table: dict[str, AliasEntry] = {}
    canon_line: dict[str, int] = {}
    for e in entries:
        key = key_text(e.canonical)
        if key in canon_line:
            raise ValueError(
                f"{source} line {e.line}: {e.canonical!r} is already a canonical name on line {canon_line[key]}; "
                "merge the two lines"
            )
        canon_line[key] = e.line
        table[key] = e
    for e in entries:
        for alias in e.aliases:
            key = key_text(alias)
            if key in canon_line and canon_line[key] != e.line:
                raise ValueError(
                    f"{source} line {e.line}: alias {alias!r} is the canonical name on line {canon_line[key]} "
                    "(a chain or cycle of aliases); fix line "
                    f"{e.line} to name the final speaker"
                )
            if key in table and table[key].line != e.line:
                raise ValueError(
                    f"{source} line {e.line}: alias {alias!r} already belongs to line {table[key].line}; "
                    "fix one of the two lines"
                )
            table[key] = e
    return table


def load_alias_file(path: str | Path | None = None) -> dict[str, AliasEntry]:
    """The packaged alias file, or the one at ``path`` (a user's corrections)."""
    if path is None:
        text = (resources.files("pipeline.compare") / "data" / "aliases.tsv").read_text(encoding="utf-8")
        return parse_alias_file(text)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ValueError(f"no alias file at {path}; give an existing file, or leave it out for the packaged one") from e
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ValueError(f"cannot read the alias file {path}: {reason}; it must be a UTF-8 text file") from e
    return parse_alias_file(text, source=str(path))


# --------------------------------------------------------------------------- in-article names
