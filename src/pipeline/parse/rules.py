"""The named heuristics of the parse steps that were written while looking at particular dev pages.

Each rule here is one step of the cascade that a page (or a kind of page) motivated: a fallback
source, an override of one source by another, a repair. Every such step asks :func:`enabled` when,
and only when, it is about to change the result, so that the extraction benchmark can switch rules
off and measure, site by site, what each one is worth on pages it was not written for
(``benchmarks/extraction.py --cv``): a rule that only a single dev site supports is a fit, not a
method.

Switching rules off is an evaluation device only: production code never calls :func:`disabled`,
and with nothing switched off every rule is on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

# name -> what the rule does (where it lives is in its name's prefix)
RULES: dict[str, str] = {
    "body.merge_dropped": "paragraphs dropped between two kept blocks of one container are merged back",
    "body.continuation_chunks": "later chunks of a body split between ad slots are appended",
    "body.credit_lines": "credit lines just before or after the kept text are merged back",
    "body.drop_promos": "short promotional paragraphs are removed",
    "body.fragment_jsonld": "a body under a third of the JSON-LD articleBody is replaced by it",
    "body.fragment_balanced": "a body under a third of balanced mode's, whose words it holds, is replaced by it",
    "tree.streamed_content": "React-streamed hidden parts are moved into their slots",
    "title.untruncated": "a headline cut by an SEO plugin is replaced by the longer title it starts",
    "authors.first_name_expansion": "a one-word author is expanded from the visible byline",
    "authors.graph_persons": "a WebPage's author or the page's only Person nodes stand in for the article's",
    "authors.handle_after_by": "a one-word name or handle right after a lone 'By' is an author",
    "authors.site_footer": "a 'By ...' line in the site's footer, outside the article, is not a byline",
    "authors.header_agency": "a wire agency named alone in the article header credits it",
    "authors.twitter_card": "the author an SEO plugin states in the Twitter card ('Written by' / name) is declared",
    "authors.author_link": "the name linked to its own author page ('/authors/jane-doe') is a byline",
    "authors.credentials_kept": "a credential after a name ('Ana Lima, PhD') stays with it, as the page writes it",
    "authors.declared_handle": "a declared author that is a handle or lower-case name, naming nobody else, is kept",
    "dates.page_node": "a WebPage/Question node's datePublished when no article node or meta tag dates the page",
    "dates.year_only_drop": "htmldate's 1 January of a bare year is dropped unless the page writes that day",
    "dates.url_overrides_later_stamp": "a separated URL date overrules a stamp more than two days later",
    "dates.header_overrides_guess": "the date in the article header overrules htmldate's guess",
    "dates.neighbour_day": "a UTC stamp is moved to the neighbouring day the page shows",
    "dates.htmldate_arbiter": "when the date sources disagree, htmldate's extensive search picks among them",
    "dates.page_offset_day": "a UTC stamp is moved to the local day given by the page's other stamps",
}

_disabled: frozenset[str] = frozenset()
_acted: set[str] | None = None  # while recording: the rules asked, i.e. about to change a result


def enabled(name: str) -> bool:
    """Whether the rule ``name`` (a key of :data:`RULES`) is in force: always, outside evaluation.

    Steps ask only when they are about to change the result, so the rules asked while parsing a
    page (:func:`recording`) are the ones that made a difference to it."""
    if _acted is not None:
        _acted.add(name)
    return name not in _disabled


@contextmanager
def recording() -> Iterator[set[str]]:
    """Collect, in the set yielded, the names of the rules that act within the block (evaluation only)."""
    global _acted
    before = _acted
    _acted = set()
    try:
        yield _acted
    finally:
        _acted = before


@contextmanager
def disabled(names: Iterable[str]) -> Iterator[None]:
    """Switch the named rules off for the duration of the block (evaluation only; not thread-safe)."""
    global _disabled
    names = frozenset(names)
    unknown = names - RULES.keys()
    if unknown:
        raise ValueError(f"unknown parse rules: {', '.join(sorted(unknown))} (see pipeline.parse.rules.RULES)")
    before = _disabled
    _disabled = before | names
    try:
        yield
    finally:
        _disabled = before
