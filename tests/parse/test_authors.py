"""Authors: person names, and the organisation a page credits when it names no person."""

from __future__ import annotations

import pytest
from parse_pages import article_page

from pipeline.parse import parse_article

URL = "https://news.example.org/transport/night-buses"


def authors(head: str = "", body_top: str = "") -> tuple[str, ...]:
    page = article_page(head=head, body_top=body_top)
    return parse_article(page.encode(), URL, outlet="Example Gazette").authors


def ld_author(author: str) -> str:
    return (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-05", '
        f'"publisher": {{"@type": "Organization", "name": "Example Gazette"}}, "author": {author}}}</script>'
    )


@pytest.mark.parametrize(
    ("head", "body_top", "expected"),
    [
        # the outlet credited as the author, and nobody else named: the credit is the author
        (ld_author('{"@type": "Person", "name": "Example Gazette"}'), "", ("Example Gazette",)),
        ('<meta name="author" content="Example Gazette">', "", ("Example Gazette",)),
        ("", "<p class='meta'>By <a href='/about'>Example Gazette</a> | March 5, 2024</p>", ("Example Gazette",)),
        # a wire agency, as bylines write it
        ("", "<p>By The Associated Press</p>", ("The Associated Press",)),
        ('<meta name="author" content="Reuters staff">', "", ("Reuters",)),
        # the agency's byline is the article's: a later byline (a related story's) is not
        ("", "<p>By The Associated Press</p><aside><p>By Tom Berg</p></aside>", ("The Associated Press",)),
        ('<meta name="author" content="By AFP">', "", ("AFP",)),
        # an agency's name alone in the article's header, without "By": its credit line
        ("", "<p class='credit'>JIJI</p>", ("JIJI",)),
        ("", "<div class='source'><span>Reuters</span></div><p>March 5, 2024</p>", ("Reuters",)),
        ("", "<p class='credit'>AFP</p><p>By Ana Lima</p>", ("Ana Lima",)),
        # an author typed as an organisation in JSON-LD: credited when it is the outlet or a wire agency;
        # any other organisation (a company the page is about, a certifying body) is no author
        (ld_author('{"@type": "Organization", "name": "Example Gazette"}'), "", ("Example Gazette",)),
        (ld_author('{"@type": "Organization", "name": "Reuters"}'), "", ("Reuters",)),
        (ld_author('{"@type": "Organization", "name": "Northern Wire Agency"}'), "", ()),
        (ld_author('[{"@type": "Organization", "name": "Acme Pharmaceuticals"}, '
                   '{"@type": "Organization", "name": "Borealis Biologics"}]'), "", ()),
        # one credit, the first the page states, even when several places credit different ones
        (ld_author('{"@type": "Organization", "name": "The Associated Press"}')
         + '<meta name="author" content="Reuters">', "", ("The Associated Press",)),
        # a person named anywhere wins, and the organisation is not added beside them
        (ld_author('{"@type": "Organization", "name": "Northern Wire Agency"}'), "<p>By Ana Lima</p>", ("Ana Lima",)),
        (ld_author('{"@type": "Person", "name": "Example Gazette"}'), "<p>By Ana Lima</p>", ("Ana Lima",)),
        ('<meta name="author" content="Ana Lima, Reuters">', "", ("Ana Lima",)),
        # a personal site: the owner's name is a person's, not a credit
        ('<meta property="og:site_name" content="Ana Lima">', "<p>By Ana Lima</p>", ("Ana Lima",)),
        # generic words are no credit
        ('<meta name="author" content="Staff">', "", ()),
        ('<meta name="author" content="Editorial Team">', "", ()),
        ("", "<p class='byline'>By Staff and News Service Reports</p>", ()),
        (ld_author('{"@type": "Organization", "name": "Newsroom"}'), "", ()),
    ],
)
def test_credit_when_no_person_is_named(head: str, body_top: str, expected: tuple[str, ...]) -> None:
    assert authors(head, body_top) == expected


@pytest.mark.parametrize(
    ("head", "body_top", "expected"),
    [
        # a handle with digits after a lone "by"
        ("", "<p><span>by</span> <a href='/profile/7'>river201</a></p>", ("river201",)),
        # a login in a meta tag naming nobody else is the page's author as written (issue 22: gold
        # counts it); a first.last login spells a name
        ('<meta name="author" content="lake_walker2024">', "", ("lake_walker2024",)),
        ('<meta name="author" content="lake.walker">', "", ("Lake Walker",)),
        ('<meta name="author" content="lake.walker@example.org">', "", ("Lake Walker",)),
        ('<meta name="author" content="lw2024@example.org">', "", ()),
        # after an "Author:" label, as forums and older CMSs write it
        ("", "<p><span>Author:</span> <a href='/profile?id=58'><b>Bo2man</b></a> am 29.12.2010, 13:36 Uhr</p>",
         ("Bo2man",)),
        ("", "<p>Autor: <a href='/team/ana'>Ana Lima</a></p>", ("Ana Lima",)),
        # numbers alone are no name
        ('<meta name="author" content="2024">', "", ()),
        ('<meta name="author" content="Ana Lima 555 0134">', "", ()),
    ],
)
def test_handles_with_digits_are_names_numbers_are_not(head: str, body_top: str, expected: tuple[str, ...]) -> None:
    assert authors(head, body_top) == expected


def test_an_agency_named_alone_after_the_text_is_no_credit() -> None:
    # below the article (a "more from Reuters" box), the name credits nothing
    page = article_page().replace("</article>", "<p>Reuters</p></article>")
    assert parse_article(page.encode(), URL, outlet="Example Gazette").authors == ()


@pytest.mark.parametrize(
    ("head", "body_top", "expected"),
    [
        # a clause of the text in an author field or a byline slot is no author
        ('<meta name="author" content="injections are about equally effective">', "", ()),
        ("", "<p class='byline'>By stated that pills</p>", ()),
        ('<meta name="author" content="Board Certified">', "", ()),
        # a one-word credit beside a full name (a partner site) is no co-author; one-word names alone are
        ('<meta name="author" content="Ana Lima, Grist">', "", ("Ana Lima",)),
        ('<meta name="author" content="Maria, Katerina">', "", ("Maria", "Katerina")),
        # the authors of a cited work in the reference list are not the page's
        (
            '<meta name="author" content="Ana Lima">',
            "<ol><li itemprop='citation' itemscope itemtype='http://schema.org/ScholarlyArticle'>"
            "<meta itemprop='author' content='Tom Berg'></li></ol>",
            ("Ana Lima",),
        ),
    ],
)
def test_authors_are_names_from_author_positions(head: str, body_top: str, expected: tuple[str, ...]) -> None:
    assert authors(head, body_top) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Will Knight", True),  # a first name that is also a word of text
        ("The Gazette editors", True),  # the outlet's staff credited
        ("शुभायन चक्रवर्ती", True),  # a script without letter case
        ("Board Certified", False),
        ("stated that pills", False),
    ],
)
def test_what_reads_as_a_name(value: str, expected: bool) -> None:
    from pipeline.parse.names import looks_like_name

    assert looks_like_name(value) is expected


def test_a_value_split_around_a_phrase_leaves_no_lone_word() -> None:
    assert authors('<meta name="author" content="Center for Drug Evaluation and Research">') == ()


def test_a_by_line_in_the_site_footer_is_no_byline() -> None:
    # a menu heading of the site's footer ("By Harbour Collective"): site chrome, not the article's
    site_footer = article_page().replace(
        "<footer><p>", "<footer><h3>By Harbour Collective</h3><p>"
    )
    assert parse_article(site_footer.encode(), URL, outlet="Example Gazette").authors == ()
    # the article's own footer holds its byline on many blog themes
    own_footer = article_page().replace("</article>", "<footer><p>By Ana Lima</p></footer></article>")
    assert parse_article(own_footer.encode(), URL, outlet="Example Gazette").authors == ("Ana Lima",)


@pytest.mark.parametrize(
    ("head", "body_top", "expected"),
    [
        # a byline's date is no name, nor glued to one
        ("", "<p class='byline'>By <a href='/team'>Ana Lima and Tom Berg</a><br>"
             "<span>Monday, March 4, 2024, 04:05 pm</span></p>",
         ("Ana Lima", "Tom Berg")),
        ("", "<div class='byline'><p>Wednesday, 06 Mar 2024 11:39 PM</p></div>", ()),
        # a weekday's or month's name alone is a name ("Domingo", "April")
        ('<meta name="author" content="Plácido Domingo, April Lee">', "", ("Plácido Domingo", "April Lee")),
        ("", "<div class='author'>Ana Domingo Domingo, 3 de mayo de 2024</div>", ("Ana Domingo",)),
        # an agency's byline with its dateline place and date: the agency, never the place or the month
        ("", "<div class='author'><a href='/author/reuters'>Reuters, </a><span> Lisbon, </span>"
             "<span>Mar 4 2024, 11:06am</span></div>", ("Reuters",)),
        # a login run of initials ("ab//cd") is no name, in any case trafilatura's splitter gives it
        ("", "<dl><div class='meta-author'><dt>Autor:</dt><dd>ab//now</dd></div></dl>", ()),
    ],
)
def test_dates_and_datelines_in_bylines_are_no_names(head: str, body_top: str, expected: tuple[str, ...]) -> None:
    assert authors(head, body_top) == expected


@pytest.mark.parametrize(
    ("body_top", "expected"),
    [
        ("<div class='author'>Ana Lima in Lisbon</div>", ("Ana Lima",)),  # a place after the name
        ("<div class='author'>Marta Von Am Ende</div>", ("Marta Von Am Ende",)),  # capitalised name parts
    ],
)
def test_a_preposition_ends_a_byline_only_in_lower_case(body_top: str, expected: tuple[str, ...]) -> None:
    assert authors("", body_top) == expected


@pytest.mark.parametrize(
    ("body_top", "expected"),
    [
        # labels of other languages before the names: dropped, the names kept
        ("<div class='author'>Авторы: Олег Петров</div>", ("Олег Петров",)),
        ("<div class='author'>Текст: Анна Смирнова</div>", ("Анна Смирнова",)),
        ("<div class='author'>質問者： さくら</div>", ("さくら",)),
        ("<div class='author'>Af Ritzau</div>", ("Ritzau",)),
        # a label of the date alone, or in front of the date, names nobody
        ("<div class='author'>Uppdaterad</div>", ()),
        ("<div class='author'>Par AFP publié le , mis à jour à</div>", ("AFP",)),
        ("<div class='author'>Ana Lima Publicado: 06/05/2024 · 10:07 Actualizado: 06/05/2024</div>",
         ("Ana Lima",)),
    ],
)
def test_byline_labels_of_other_languages_are_no_names(body_top: str, expected: tuple[str, ...]) -> None:
    assert authors(body_top=body_top) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # a job title is no author, written apart from the name or after it
        (ld_author('"By ANA LIMA, AP Auto Writer"'), ("ANA LIMA",)),
        (ld_author('"Online News Editor"'), ()),
        ('<meta name="author" content="Ana Lima Staff Writer">', ("Ana Lima",)),
        # a middle initial is no conjunction ("e" and "y" join names in Portuguese and Spanish)
        ('<meta name="author" content="Ana E. Lima">', ("Ana E. Lima",)),
        ('<meta name="author" content="Ana Y Lima">', ("Ana Y Lima",)),
        ('<meta name="author" content="Ana Lima y Tom Berg">', ("Ana Lima", "Tom Berg")),
        # a name run together with the outlet's, or joined to it by a period: the name kept
        ('<meta name="author" content="Ana Lima and Tom BergCity Journal">', ("Ana Lima", "Tom Berg")),
        ('<meta name="author" content="Ana Lima. Harbour Wire International">', ("Ana Lima",)),
        # the outlet's newsroom, or the outlet's name with a section after it, is the outlet's credit
        ('<meta name="author" content="Redacción">', ()),
        ('<meta name="author" content="Redacción Example Gazette">', ("Example Gazette",)),
        ('<meta name="author" content="Example Gazette Andalucía">', ("Example Gazette",)),
    ],
)
def test_titles_initials_and_run_together_values(head: str, expected: tuple[str, ...]) -> None:
    assert authors(head) == expected


@pytest.mark.parametrize(
    ("body_top", "expected"),
    [
        # a CMS login after "by" names nobody
        ("<p class='meta'>by <a href='/blog/author/gzadmin/' rel='author'>gzadmin</a></p>", ()),
        # the address of a logo image is no name
        ("<div class='author'>Harbour https://cdn.example.org/i/logo.png</div>", ()),
    ],
)
def test_logins_and_addresses_are_no_names(body_top: str, expected: tuple[str, ...]) -> None:
    assert authors(body_top=body_top) == expected


def test_a_theme_credit_in_the_copyright_line_is_no_byline() -> None:
    credit = (
        "<div class='copyright-area'>Crafted with <i class='fa fa-heart'></i> by "
        "<a href='https://themes.example.com/'>ThemeForge</a> | Designed by <a href='/'>Harbour Media Ltd</a></div>"
    )
    page = article_page().replace("<footer>", f"<div class='bottom'>{credit}</div><footer>")
    assert parse_article(page.encode(), URL, outlet="Example Gazette").authors == ()


@pytest.mark.parametrize(
    ("head", "body_top", "expected"),
    [
        # the person's outlet beside the name is no co-author, nor is a company in a byline slot
        ('<meta name="author" content="Ana E. Lima, The Northern Courier">', "", ("Ana E. Lima",)),
        (ld_author('"Tom Berg, harbourcourier.com"'), "", ("Tom Berg",)),
        ("", "<p class='byline'>By Harbour Holdings Group</p>", ()),
        # one person named twice, with and without the middle initial
        (ld_author('"Tom L. Berg"') + '<meta name="author" content="Tom Berg">', "", ("Tom L. Berg",)),
        # a headline's words after "by" are no name: a possessive, a quantity
        ("", "<p><a href='/x'>Fans queue for hours by Kira's Little Lion World</a></p>", ()),
        ("", "<p><a href='/y'>Rents rose by FIVE TIMES</a></p>", ()),
        # a byline slot holding a clause of the text names nobody
        ("", "<div class='author'>The Northern and Southern transport ministries</div>", ()),
        # a label written in ideographs, and the desk's words after a full-width slash
        (ld_author('"記者王小明／即時報導"'), "", ("王小明",)),
    ],
)
def test_outlets_companies_and_repeats_beside_names(head: str, body_top: str, expected: tuple[str, ...]) -> None:
    assert authors(head, body_top) == expected


@pytest.mark.parametrize(
    ("body_top", "expected"),
    [
        # a photo credit above the byline, in its own piece or before a separator, is no copyright line
        ("<figure><img src='/i/harbour.jpg' alt=''><figcaption>© Harbour Images</figcaption></figure>"
         "<p>By <a href='/team/ana'>Ana Lima</a></p>", ("Ana Lima",)),
        ("<p>Photo © Harbour Images · By Ana Lima</p>", ("Ana Lima",)),
        # a copyright notice running into "by" credits the site's theme or owner
        ("<p class='small'>© 2024 Harbour Theme by Tom Berg</p>", ()),
        ("<p class='small'>Copyright Harbour Media, site by Tom Berg</p>", ()),
    ],
)
def test_a_copyright_sign_blocks_only_the_by_it_runs_into(body_top: str, expected: tuple[str, ...]) -> None:
    assert authors(body_top=body_top) == expected


@pytest.mark.parametrize(
    ("head", "body_top", "expected"),
    [
        # a date label cuts a byline only where a date follows it: a name may end with the same word
        ('<meta name="author" content="Peter Stand">', "", ("Peter Stand",)),
        ('<meta name="author" content="Ana Posted">', "", ("Ana Posted",)),
        ("", "<div class='author'>Peter Berger Stand: 04.03.2024</div>", ("Peter Berger",)),
        ("", "<div class='author'>Ana Lima Updated March 4, 2024</div>", ("Ana Lima",)),
    ],
)
def test_a_date_label_cuts_only_before_a_date(head: str, body_top: str, expected: tuple[str, ...]) -> None:
    assert authors(head, body_top) == expected


@pytest.mark.parametrize(
    ("body_top", "expected"),
    [
        # a word holding a login word is a name: only admin and webmaster mark a login wherever they stand
        ("<p>by <a href='/a/x'>Staffan</a></p>", ("Staffan",)),
        ("<p>by <a href='/a/x'>Rootsi</a></p>", ("Rootsi",)),
        ("<p>by <a href='/a/x'>siteadmin</a></p>", ()),
        ("<p>by <a href='/a/x'>webmaster2</a></p>", ()),
        ("<p>by <a href='/a/x'>editor_1</a></p>", ()),
        ("<p>by <a href='/a/x'>user123</a></p>", ()),
    ],
)
def test_logins_are_whole_handles(body_top: str, expected: tuple[str, ...]) -> None:
    assert authors(body_top=body_top) == expected


@pytest.mark.parametrize(
    ("head", "body_top", "expected"),
    [
        # the credit of the pictures, video or graphics names no author of the text
        ('<meta name="author" content="Text: Ana Lima, Photos: Tom Berg">', "", ("Ana Lima",)),
        ('<meta name="author" content="Illustration: Tom Berg">', "", ()),
        ('<meta name="author" content="Ana Lima; Video by Tom Berg">', "", ("Ana Lima",)),
        ("", "<div class='author'>Text: Ana Lima | Fotos: Tom Berg</div>", ("Ana Lima",)),
        ("", "<div class='author'>Texto: Ana Lima, Infografía: Tom Berg</div>", ("Ana Lima",)),
        ('<meta name="author" content="Photos by Tom Berg">', "", ()),
        ("", "<p class='credit'>Photos by Tom Berg</p><p>By Ana Lima</p>", ("Ana Lima",)),
        # the writer who took the pictures too is the author
        ("", "<p class='credit'>Words and photos by Ana Lima</p>", ("Ana Lima",)),
    ],
)
def test_picture_credits_are_no_authors(head: str, body_top: str, expected: tuple[str, ...]) -> None:
    assert authors(head, body_top) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # one person with and without middle initials
        ("Troy L. Smith, Troy Smith", ("Troy L. Smith",)),
        ("Troy Smith, Troy L. Smith", ("Troy Smith",)),
        # two people whose initials differ, and a final one-letter word
        ("Tom L. Berg, Tom K. Berg", ("Tom L. Berg", "Tom K. Berg")),
        ("Malcolm X, Malcolm Owen", ("Malcolm X", "Malcolm Owen")),
    ],
)
def test_middle_initials_merge_one_person_only(value: str, expected: tuple[str, ...]) -> None:
    assert authors(f'<meta name="author" content="{value}">') == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # a job title beside the name never replaces it (issue 22): hyphenated titles, genre labels
        ('<meta name="author" content="Analysis by Ana Lima, Example Gazette Editor-at-large">', ("Ana Lima",)),
        ('<meta name="author" content="Ana Lima, Editor-in-Chief">', ("Ana Lima",)),
        # a name written in camel case is one name, not a person glued to an organisation
        ('<meta name="author" content="HarbourWire Team">', ("HarbourWire Team",)),
        # a handle or lower-case name declared alone is the page's author as written; a capitalised
        # generic word alone is not
        ('<meta name="author" content="sara.r.peter">', ("sara.r.peter",)),
        ('<meta name="author" content="Editorial">', ()),
    ],
)
def test_titles_camel_case_names_and_lone_handles(head: str, expected: tuple[str, ...]) -> None:
    assert authors(head, "") == expected


_CARD = '<meta name="twitter:label1" content="{}"><meta name="twitter:data1" content="{}">'


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # an SEO plugin's Twitter card states the author as a label/value pair (issue 22)
        (_CARD.format("Written by", "Ana Lima"), ("Ana Lima",)),
        (_CARD.format("Autor", "Ana Lima"), ("Ana Lima",)),
        # another pair (a reading time) names nobody
        (_CARD.format("Est. reading time", "4 minutes"), ()),
        # a declared author comes first: the card adds nobody beside them
        ('<meta name="author" content="Tom Berg">' + _CARD.format("Written by", "Ana Lima"), ("Tom Berg",)),
        # the card naming the outlet names no person
        (_CARD.format("Written by", "Example Gazette"), ()),
    ],
)
def test_the_twitter_card_states_the_author(head: str, expected: tuple[str, ...]) -> None:
    assert authors(head, "") == expected


@pytest.mark.parametrize(
    ("body_top", "expected"),
    [
        # a name linked to its own author page, which the address spells (issue 22)
        ("<div class='post-meta'><a href='/authors/ana-lima/'>Ana Lima</a> · 5 min</div>", ("Ana Lima",)),
        ("<div class='post-meta'><a href='https://news.example.org/contributors/zoe-oneil'>Zoë O'Neil</a></div>",
         ("Zoë O'Neil",)),
        # an address that spells another name, or no author page, is no byline
        ("<div class='post-meta'><a href='/authors/tom-berg/'>Ana Lima</a></div>", ()),
        ("<div class='post-meta'><a href='/ana-lima/'>Ana Lima</a></div>", ()),
        # a menu of the site's columnists, or a list of other articles' authors, is no byline
        ("<ul class='menu'><li><a href='/author/ana-lima/'>Ana Lima</a></li></ul>", ()),
        ("<ul class='related'>" + "".join(
            f"<li><a href='/author/{n.lower().replace(' ', '-')}/'>{n}</a></li>"
            for n in ("Ana Lima", "Tom Berg", "Rui Sousa", "Eva Holm")
        ) + "</ul>", ()),
    ],
)
def test_a_name_linked_to_its_author_page_is_a_byline(body_top: str, expected: tuple[str, ...]) -> None:
    assert authors("", body_top) == expected


def test_the_card_and_the_author_link_are_named_rules() -> None:
    from pipeline.parse.rules import disabled

    with disabled(["authors.twitter_card", "authors.author_link"]):
        assert authors(_CARD.format("Written by", "Ana Lima"), "") == ()
        assert authors("", "<div class='post-meta'><a href='/authors/ana-lima/'>Ana Lima</a></div>") == ()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # credentials after a name stay with it, as the page writes it (issue 22)
        ('<meta name="author" content="Ana Lima, MS, RD">', ("Ana Lima, MS, RD",)),
        ('<meta name="author" content="Ana Lima, Ph.D., Tom Berg">', ("Ana Lima, Ph.D", "Tom Berg")),
        # the same person named with and without them is one author
        (ld_author('{"@type": "Person", "name": "Ana Lima"}') + '<meta name="author" content="Ana Lima, PhD">',
         ("Ana Lima, PhD",)),
        # a credential alone names nobody
        ('<meta name="author" content="MD">', ()),
    ],
)
def test_credentials_stay_with_the_name(head: str, expected: tuple[str, ...]) -> None:
    assert authors(head, "") == expected
