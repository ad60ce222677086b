"""Over every dev page in ../shared/data/extraction: no author we return is a phrase of the text, nor
holds a word of the byline slot that is no name (a weekday, a label, a job title).

Skipped without the shared data (the ``shared`` fixture). The check is written apart from the
parser's own name test, so that it can catch what that test lets through: an author string is a
phrase, not a name, when it has more than five words, or holds a lower-case function word or verb of
running text, or two lower-case words that are not name particles ("stated that pills",
"injections are about equally effective").
"""

from __future__ import annotations

import gzip
from pathlib import Path

from pipeline.parse import parse_article

_TEXT_WORDS = {
    "the", "a", "an", "that", "this", "is", "are", "was", "were", "be", "been", "has", "have", "had",
    "will", "would", "can", "could", "should", "about", "with", "from", "for", "of", "to", "and", "or",
    "it", "its", "they", "we", "you", "said", "says", "stated", "according", "not", "than", "more",
}
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "bin", "al", "el", "y", "del", "dos"}


def phrase_reason(author: str) -> str | None:
    """Why ``author`` reads as a phrase of the text rather than a name; None when it does not."""
    words = author.split()
    if len(words) > 5:
        return f"{len(words)} words"
    cores = [w.strip(".,;:()'\"") for w in words]
    # a text word as running text writes it: in lower case, or capitalised after the first word (a
    # first word "Will" or "The" starts a name or an organisation's name); initials ("A.") are names
    text_words = [
        w.lower() for i, w in enumerate(cores)
        if len(w) > 1 and w.lower() in _TEXT_WORDS and (w.islower() or i > 0)
    ]
    if text_words:
        return f"text word {text_words[0]!r}"
    lower = [w for w in words if w[:1].islower() and w.lower() not in _PARTICLES]
    if len(lower) >= 2:
        return f"lower-case words {lower}"
    return None


# words of the byline slot that are not names, kept apart from the parser's lexicon: a weekday, a label
# of the date, a label of the names in front of them, a job title's noun at the end
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_DATE_LABELS = {"updated", "uppdaterad", "publicado", "publié", "actualizado", "aktualisiert", "published"}
_NAME_LABELS = {"by", "af", "av", "von", "par", "авторы", "автор", "текст", "author", "authors", "text"}
_JOB_NOUNS = {"writer", "editor", "reporter", "correspondent", "columnist"}


def slot_word_reason(author: str) -> str | None:
    """Why ``author`` holds a word of the byline slot that is not a name; None when it holds none."""
    words = [w.strip(".,;:()'\"：").lower() for w in author.split()]
    if not words:
        return None
    if hit := [w for w in words if w in _WEEKDAYS | _DATE_LABELS]:
        return f"date word {hit[0]!r}"
    if len(words) > 1 and words[0] in _NAME_LABELS:
        return f"label {words[0]!r}"
    if words[-1] in _JOB_NOUNS:
        return f"job title {words[-1]!r}"
    return None


def test_slot_word_check() -> None:
    assert slot_word_reason("Malcolm Owen Monday") is not None
    assert slot_word_reason("Uppdaterad") is not None
    assert slot_word_reason("Текст Анна Смирнова") is not None
    assert slot_word_reason("AP Auto Writer") is not None
    assert slot_word_reason("Ana Lima") is None
    assert slot_word_reason("Byron Textor") is None


def test_phrase_check_tells_phrases_from_names() -> None:
    assert phrase_reason("stated that pills") is not None
    assert phrase_reason("injections are about equally effective") is not None
    assert phrase_reason("one two three four five six") is not None
    assert phrase_reason("Ludwig van Beethoven") is None
    assert phrase_reason("Marwan H. Adwan") is None
    assert phrase_reason("Bo2man") is None
    assert phrase_reason("The Associated Press") is None
    assert phrase_reason("Will Knight") is None
    assert phrase_reason("A. Grosso") is None
    assert phrase_reason("Center for Drug Evaluation") is not None


def test_no_author_on_a_dev_page_is_a_phrase_of_the_text(shared: Path) -> None:
    # the validation set (wcxb-articles-meta-more) is left out: every page of it has author truth,
    # scored by benchmarks/extraction.py, and its gold keeps names as written, lower case included
    # ("annette thurmon", the page's only byline), which this check reads as words of a phrase
    pages = sorted(p for p in (shared / "data" / "extraction").glob("*/html/*") if "-more" not in p.parent.parent.name)
    if not pages:
        import pytest

        pytest.skip(f"no dev pages under {shared / 'data' / 'extraction'}")
    bad: list[str] = []
    for page in pages:
        data = page.read_bytes()
        if page.suffix == ".gz":
            data = gzip.decompress(data)
        article = parse_article(data, url=page.resolve().as_uri())
        for author in article.authors:
            reason = phrase_reason(author) or slot_word_reason(author)
            if reason:
                bad.append(f"{page.parent.parent.name}/{page.name}: {author!r} ({reason})")
    assert not bad, "\n".join(bad)
