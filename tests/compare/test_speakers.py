"""Canonical speakers: in-article resolution and the cross-article key cascade (invented texts)."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.compare import SpeakerRegistry, canonical_speakers, parse_alias_file, resolve_article
from pipeline.compare.names import read_article


def claim(speaker: str | None, at: int, resolved: str | None = None) -> dict[str, Any]:
    return {"speaker": speaker, "speaker_resolved": resolved, "speaker_start": at, "content_start": at + 1}


HARBOUR = (
    "Marcus Feld, the harbour master, said the dredging would start in May. "
    "Millbrook Mayor Elena Ruiz said the council had found the money. "
    "Feld said the channel was silting up. The mayor said the town would pay its share. "
    "Later Mr. Feld said the work would take a year."
)

PORT = "The Harlow Port Authority said the leak was small. Later the port authority said it was fixed."

CAMPAIGN = (
    "Green Party nominee Ada Lind said the plant should close. Lind promised a vote on it. "
    "The candidate said the county could not wait. The Lind campaign said a rally was planned. "
    "She said she would not back down."
)


@pytest.mark.parametrize(
    ("text", "speaker", "resolved", "expected"),
    [
        (HARBOUR, "Feld", None, "Marcus Feld"),  # surname -> the full name in the article
        (HARBOUR, "Mr. Feld", None, "Marcus Feld"),  # honorific and surname
        (HARBOUR, "The mayor", None, "Elena Ruiz"),  # a role noun -> the named holder of the role
        (HARBOUR, "Marcus Feld", None, "Marcus Feld"),
        (CAMPAIGN, "the Green Party nominee", None, "Ada Lind"),  # a described role with modifiers
        (CAMPAIGN, "The candidate", None, "Ada Lind"),  # the article's candidate
        (CAMPAIGN, "The Lind campaign", None, "Ada Lind"),  # a campaign speaks for its principal
        (CAMPAIGN, "Lind", "Ada Lind", "Ada Lind"),  # what the extractor linked is kept
        (CAMPAIGN, "she", "Ada Lind", "Ada Lind"),
        (HARBOUR, "Former Millbrook Mayor Elena Ruiz", None, "Elena Ruiz"),  # place and title
        (HARBOUR, "Millbrook Gazette's Marcus Feld", None, "Marcus Feld"),  # an outlet owns the name
        (HARBOUR, "Marcus Feld of Millbrook", None, "Marcus Feld"),  # the place after "of"
        (HARBOUR, "Marcus Feld, like Ruiz", None, "Marcus Feld"),  # a comparison after the name
        (HARBOUR, "Harbour Party donor Marcus Feld", None, "Marcus Feld"),  # an organisation word in a role
        (PORT, "Port authority", None, "Harlow Port Authority"),  # a shortened organisation name
        (PORT, "the port authority", None, "Harlow Port Authority"),
    ],
)
def test_in_article_resolution(text: str, speaker: str, resolved: str | None, expected: str) -> None:
    at = text.find(speaker) if speaker in text else len(text) - 5
    (mention,) = resolve_article([claim(speaker, at, resolved)], text)
    assert mention.name == expected


def test_campaign_is_kept_as_the_finer_speaker() -> None:
    at = CAMPAIGN.find("The Lind campaign")
    (mention,) = resolve_article([claim("The Lind campaign", at)], CAMPAIGN)
    assert (mention.name, mention.sub) == ("Ada Lind", "The Lind campaign")


def test_unlinked_pronoun_takes_the_previous_person_speaker() -> None:
    text = "Marcus Feld said the port was full. He said more berths were needed."
    claims = [claim("Marcus Feld", 0), claim("He", text.find("He said"))]
    assert [m.name for m in resolve_article(claims, text)] == ["Marcus Feld", "Marcus Feld"]


def test_pronoun_with_nobody_before_it_stays_unknown() -> None:
    (mention,) = resolve_article([claim("he", 0)], "He said it would rain.")
    assert mention.name is None and mention.how == "unresolved"


def test_same_surname_is_never_merged() -> None:
    bill = "Bill Clinton spoke at the plant. Clinton said the jobs would come back."
    hillary = "Hillary Clinton visited the port. Clinton said the tariffs would hurt."
    neither = "Clinton said the vote was close."  # no full name in this article
    out, registry = canonical_speakers(
        [
            ([claim("Clinton", bill.find("Clinton said"))], bill),
            ([claim("Clinton", hillary.find("Clinton said"))], hillary),
            ([claim("Clinton", 0)], neither),
        ]
    )
    ids = [row[0].speaker_id for row in out]
    assert ids[0] == "person:bill-clinton"
    assert ids[1] == "person:hillary-clinton"
    assert ids[2] not in (ids[0], ids[1])  # two Clintons known: a bare one joins neither


def test_bare_surname_joins_the_only_person_bearing_it() -> None:
    full = "Marcus Feld said the port was full."
    bare = "Feld said the port was full."
    out, _ = canonical_speakers([([claim("Marcus Feld", 0)], full), ([claim("Feld", 0)], bare)])
    assert out[0][0].speaker_id == out[1][0].speaker_id == "person:marcus-feld"


def test_generic_organisation_joins_the_only_one_known_by_that_name() -> None:
    full = "The Harlow Port Authority said the leak was small."
    generic = "Officials at the port authority said it was fixed."
    out, _ = canonical_speakers(
        [
            ([claim("The Harlow Port Authority", 0)], full),
            ([claim("the port authority", generic.find("the port"))], generic),
        ]
    )
    assert out[0][0].speaker_id == out[1][0].speaker_id
    assert out[1][0].sub == "the port authority"  # the speaker as written stays
    # an article naming its own port authority, even one the text never ends with those words
    own = "The Port Authority of Tarn said the quay was shut. Later the port authority said it had reopened."
    out, _ = canonical_speakers(
        [([claim("The Harlow Port Authority", 0)], full), ([claim("the port authority", own.find("the port"))], own)]
    )
    assert out[1][0].speaker_id != out[0][0].speaker_id
    # two port authorities known: "the port authority" joins neither
    other = "The Tarn Port Authority said the quay was closed."
    out, _ = canonical_speakers(
        [
            ([claim("The Harlow Port Authority", 0)], full),
            ([claim("The Tarn Port Authority", 0)], other),
            ([claim("the port authority", generic.find("the port"))], generic),
        ]
    )
    assert out[2][0].speaker_id not in (out[0][0].speaker_id, out[1][0].speaker_id)
    # one word is too generic: "the campaign" is not the one campaign organisation known
    named = "The Clean Rivers Campaign said the plan was weak."
    vague = "The campaign said the governor had lied."
    out, _ = canonical_speakers([([claim("The Clean Rivers Campaign", 0)], named), ([claim("The campaign", 0)], vague)])
    assert out[1][0].speaker_id is None


@pytest.mark.parametrize(
    ("names", "kind"),
    [
        (["Donald J. Trump", "Donald Trump", "Mr. Donald Trump"], "person"),
        (["Pyongyang", "the DPRK", "North Korea", "the North Korean government"], "country"),
        (["Federal Bureau of Investigation", "the FBI", "FBI"], "organisation"),
        (["Democrats", "the Democrats"], "group"),
    ],
)
def test_cross_article_variants_share_one_id(names: list[str], kind: str) -> None:
    registry = SpeakerRegistry()
    speakers = [registry.resolve(n) for n in names]
    assert len({s.speaker_id for s in speakers if s}) == 1
    assert speakers[0] is not None and speakers[0].kind == kind


def test_description_of_a_country_takes_the_country_named_before() -> None:
    text = "North Korea tested a missile on Friday. The Communist country said the test was a success."
    (mention,) = resolve_article([claim("The Communist country", text.find("The Communist"))], text)
    assert mention.name == "North Korea"


def test_speaker_id_is_stable_across_registries() -> None:
    first = SpeakerRegistry().resolve("Elena Ruiz")
    registry = SpeakerRegistry()
    for other in ("Marcus Feld", "Ada Lind", "North Korea"):
        registry.resolve(other)
    later = registry.resolve("Elena Ruiz")
    assert first is not None and later is not None and first.speaker_id == later.speaker_id


def test_alias_file_merges_what_the_user_says() -> None:
    aliases = parse_alias_file("Harlow Port Authority\torganisation\tPort authority|the port board\n")
    registry = SpeakerRegistry(aliases)
    a, b = registry.resolve("Port authority"), registry.resolve("The Harlow Port Authority")
    assert a is not None and b is not None and a.speaker_id == b.speaker_id


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Ada Lind\tperson\tLind|A. Lind\nA. Lind\tperson\tAda Lind\n", 1),  # a cycle
        ("Ada Lind\tperson\tLind\nLind Party\torganisation\tAda Lind\n", 2),  # alias is another canonical
        ("# header\nAda Lind\tpersn\tLind\n", 2),  # a typo in the kind
        ("Ada Lind person Lind\n", 1),  # spaces instead of tabs
        ("Ada Lind\tperson\tLind||Ady\n", 1),  # an empty alias
        ("Ada Lind\tperson\tLind\nAda Lynd\tperson\tLind\n", 2),  # one alias, two speakers
        ("Ada Lind\tperson\tLind\n# x\nAda Lynd\tperson\tThe\n", 3),  # an alias that folds to nothing
        ("“”\tperson\tAda\n", 1),  # a canonical name of quotes only
    ],
)
def test_bad_alias_file_is_refused_with_the_line(text: str, line: int) -> None:
    with pytest.raises(ValueError, match=rf"line {line}\b"):
        parse_alias_file(text)


def test_packaged_alias_file_loads() -> None:
    registry = SpeakerRegistry()
    nato = registry.resolve("NATO")
    assert nato is not None and nato.name == "North Atlantic Treaty Organization"


def test_pronoun_whose_antecedent_is_an_unnamed_description_stays_unknown() -> None:
    text = (
        "Marcus Feld spoke first. The former harbour pilot and city councillor arrived late. "
        "She said the tide was wrong."
    )
    claims = [
        claim("Marcus Feld", 0),
        claim("She", text.find("She said"), "The former harbour pilot and city councillor"),
    ]
    assert [m.name for m in resolve_article(claims, text)] == ["Marcus Feld", None]


def test_description_of_the_article_main_person() -> None:
    text = (
        # no named person opens this sentence or the two before it (else that person would be taken,
        # see test_description_takes_the_person_the_story_is_about_there)
        "Ada Lind toured the mill. Lind met workers, and Lind promised jobs. Tom Hale hosted. "
        "The workers cheered. A band played. The candidate said wages would rise."
    )
    (mention,) = resolve_article([claim("The candidate", text.find("The candidate"))], text)
    assert mention.name == "Ada Lind"


def test_description_takes_the_person_the_story_is_about_there() -> None:
    # the drowned swimmer is named most; "the former senator" follows a sentence Lind opens
    text = (
        "Piet Vos drowned at the weir on Monday. Friends said Vos swam there daily, and Vos was 40. "
        "Ada Lind spoke about the death of Piet Vos. The former senator said the weir must be fenced."
    )
    (mention,) = resolve_article([claim("The former senator", text.find("The former senator"))], text)
    assert (mention.name, mention.how) == ("Ada Lind", "description")


def test_description_is_not_the_subject_who_used_it_for_someone_else() -> None:
    # Hale opens the sentence before, but "the senator" there is the one he attacked
    text = (
        "Ada Lind spoke on Monday. Lind said the weir was safe. "
        "Tom Hale attacked Lind at a rally, mocking the former senator. The former senator said he was wrong."
    )
    (mention,) = resolve_article([claim("The former senator", text.rfind("The former senator"))], text)
    assert mention.name == "Ada Lind"


def test_description_with_the_name_in_apposition() -> None:
    text = "Tom Hale runs the mill. The director of the Harlow River Trust, Ina Kirsch, said the weir was safe."
    speaker = "The director of the Harlow River Trust, Ina Kirsch"
    (mention,) = resolve_article([claim(speaker, text.find(speaker))], text)
    assert mention.name == "Ina Kirsch"
    # two names in a list are no description and its name
    text = "Mr. Hale, Ms. Kirsch and others said the weir was safe."
    (mention,) = resolve_article([claim("Mr. Hale, Ms. Kirsch", 0)], text)
    assert mention.name == "Hale"
    text = "Ludwig van Hale, Ina Kirsch and others said the weir was safe."  # a particle is no description
    (mention,) = resolve_article([claim("Ludwig van Hale, Ina Kirsch", 0)], text)
    assert mention.name == "Ludwig van Hale"
    text = "The mayor of the city, New York City, said the weir was safe."  # a place is no person
    (mention,) = resolve_article([claim("The mayor of the city, New York City", 0)], text)
    assert mention.name != "New York City"


GENDERED = (
    "Mrs. Ada Lind toured the mill on Monday, and she met the workers there. "
    "Tom Hale, the owner, said he was pleased. "
    "Lind said the plant would stay open. She said her plan had the votes."
)


def test_pronoun_antecedent_of_the_other_gender_is_replaced() -> None:
    # the extractor linked "She" to the man named just before; the text shows Lind is "she"
    at = GENDERED.find("She said her plan")
    (mention,) = resolve_article([claim("She", at, "Tom Hale")], GENDERED)
    assert (mention.name, mention.how) == ("Ada Lind", "pronoun")


def test_pronoun_antecedent_that_is_no_name_takes_the_person_who_fits() -> None:
    text = "Tom Hale spoke about his mill, and he was blunt. A visitor asked about the river. He said it was clean."
    (mention,) = resolve_article([claim("He", text.find("He said"), "A visitor")], text)
    assert mention.name == "Tom Hale"


def test_pronoun_prefers_the_sentence_subject_over_a_nearer_object() -> None:
    text = (
        "Mrs. Ada Lind said her office was ready. Lind, the mayor, praised the 2010 raid that caught "
        "Greta Moss in Harlow and said she was proud of it. She said the town was safer."
    )
    # Moss is nearer and the pronoun after her is "she", but Lind opens the previous sentence
    (mention,) = resolve_article([claim("She", text.find("She said the town"))], text)
    assert mention.name == "Ada Lind"


def test_u_s_inside_a_sentence_does_not_end_it() -> None:
    text = "Lind met Ms. Greta Moss, and she smiled. Ada Lind, the U.S. envoy, said she would go. She said it."
    (mention,) = resolve_article([claim("She", text.find("She said it"))], text)
    assert mention.name == "Ada Lind"


def test_his_attorney_is_the_lawyer_of_the_nearest_man() -> None:
    text = (
        "Tom Hale testified for hours, and he was calm. The panel then cited Marcus Feld for contempt. "
        "His attorney said he would not appear."
    )
    (mention,) = resolve_article([claim("His attorney", text.find("His attorney"))], text)
    assert mention.name == "Marcus Feld (lawyer)"  # an attorney is a lawyer: one speaker with "Feld's lawyer"
    assert resolve_article([claim("Feld's lawyer", 0)], text)[0].name == "Marcus Feld (lawyer)"


def test_claim_without_speaker_takes_the_person_opening_its_sentence() -> None:
    text = "Mayor Elena Ruiz took offense at suggestions that the fund was empty. Critics disagreed."
    c = {"speaker": None, "speaker_resolved": None, "speaker_start": None, "content_start": text.find("the fund")}
    (mention,) = resolve_article([c], text)
    assert (mention.name, mention.how) == ("Elena Ruiz", "subject")


def test_claim_without_speaker_and_no_person_subject_stays_unknown() -> None:
    text = "Elena Ruiz spoke. The report found that the fund was empty."
    c = {"speaker": None, "speaker_resolved": None, "speaker_start": None, "content_start": text.find("the fund")}
    (mention,) = resolve_article([c], text)
    assert mention.name is None


def test_staffer_who_runs_a_principals_effort_speaks_for_the_principal() -> None:
    text = "Green Party nominee Ada Lind held a rally. Jane Roe, who runs Lind's field effort, said turnout was up."
    at = text.find("Jane Roe")
    c = {"speaker": "Jane Roe", "speaker_resolved": "Jane Roe", "speaker_start": at, "speaker_end": at + 8}
    (mention,) = resolve_article([c], text)
    assert (mention.name, mention.how) == ("Ada Lind", "principal")


def test_pronouns_inside_a_quotation_are_no_evidence_of_gender() -> None:
    # the "he" after Kline's name are inside her quotation, about someone else
    text = (
        "Tom Hale, the owner, said he was away. "
        "Vera Kline said: “he never paid, and he never will, he lied to us.” He said the bill was paid."
    )
    (mention,) = resolve_article([claim("He", text.find("He said"), "the plumber")], text)
    assert mention.name == "Tom Hale"


@pytest.mark.parametrize(
    ("speaker", "expected"),
    [
        ("Marcus Feld of the port authority", "person:marcus-feld"),
        ("Rep. Ann Lee of Ohio", "person:ann-lee"),
        ("Bank of America", "organisation:bank-of-america"),
    ],
)
def test_a_person_of_an_organisation_is_the_person(speaker: str, expected: str) -> None:
    from pipeline.compare import canonical_speakers

    text = f"{speaker} said the bridge will reopen in May."
    claim = {"speaker": speaker, "speaker_resolved": None, "speaker_start": 0,
             "content": "the bridge will reopen in May", "content_start": len(speaker) + 6}  # fmt: skip
    (assigned,), _ = canonical_speakers([([claim], text)])
    assert assigned[0].speaker_id == expected


def test_a_verb_before_a_name_gives_it_no_role() -> None:
    from pipeline.compare import canonical_speakers

    text = (
        "Harbour Mayor Ines Valk denied the report. Brant Logistics said the leak was small, and Brant Logistics "
        "later apologised. The mayor accused Brant Logistics of hiding the damage. Campaign manager Jo Reyes "
        "said nothing."
    )
    at = text.index("The mayor")
    claim = {"speaker": "The mayor", "speaker_resolved": None, "speaker_start": at,
             "content": "Brant Logistics of hiding the damage", "content_start": at + 18}  # fmt: skip
    (assigned,), _ = canonical_speakers([([claim], text)])
    assert assigned[0].speaker_id == "person:ines-valk"


def test_the_pronoun_i_and_things_are_never_a_speakers_name() -> None:
    text = (
        "Ada Lind, the nominee, spoke in Millbrook. “Maybe I can say it plainly,” she said. "
        "World War II veterans were in the hall. The nominee said the port would reopen."
    )
    (mention,) = resolve_article([claim("The nominee", text.find("The nominee said"))], text)
    assert mention.name == "Ada Lind"
    names = read_article(text)
    assert set(names.by_surname) == {"lind"}  # neither "Maybe I" nor "World War II" is a person


def test_a_quantifier_speaker_is_the_group_just_named() -> None:
    text = (
        "Four harbour economists read the council's plan for the channel. "
        "All agreed that the dredging would cost more than the town expects. "
        "Ada Lind said the plan was sound."
    )
    out, _ = canonical_speakers([([claim("All", text.find("All agreed")), claim("Ada Lind", text.find("Ada"))], text)])
    assert [row.speaker_id for row in out[0]] == ["group:economist", "person:ada-lind"]
    (lone,) = resolve_article([claim("Both", 0)], "Both said the plan was sound.")
    assert lone.name is None and lone.how == "unresolved"  # no group before it: not guessed


def test_first_person_contractions_and_polls_are_not_speakers_names() -> None:
    text = "“I'm Ada Lind and I approve this message,” the ad says. Lind said the port would reopen."
    assert read_article(text).full_name("lind") == "Ada Lind"
    polls = "The polls closed at eight in Millbrook. Many said the count would take a week."
    (many,) = resolve_article([claim("Many", polls.find("Many"))], polls)
    assert many.name is None and many.how == "unresolved"


@pytest.mark.parametrize(
    "name",
    ["June", "His", "Many", "Sources", "Just 28 percent", "Only 24 percent", "Twenty-four percent", "Some"],
)
def test_calendar_words_pronouns_quantifiers_and_figures_found_no_person(name: str) -> None:
    found = SpeakerRegistry(aliases={}).resolve(name)
    assert found is None or found.kind != "person", found


def test_a_sentence_adverb_before_a_name_is_not_part_of_it() -> None:
    registry = SpeakerRegistry(aliases={})
    assert registry.resolve("Certainly Donald Trump").speaker_id == registry.resolve("Donald Trump").speaker_id  # type: ignore[union-attr]


def test_a_speaker_ending_in_a_possessive_is_the_person_not_the_organisation() -> None:
    text = "FBI Director James Comey's statement said no charges were due. Comey added that the case was closed."
    names = read_article(text)
    (m,) = resolve_article([claim("FBI Director James Comey's", 0)], names=names)
    assert m.name == "James Comey"


RELATIVES = (
    "Donald Trump spoke on Thursday night. Before him Ivanka Trump introduced her father. "
    "Ivanka said he would fight for working mothers. Trump said the country was in crisis."
)


def test_a_bare_surname_is_the_principal_not_the_relative_the_text_calls_by_first_name() -> None:
    names = read_article(RELATIVES)
    at = RELATIVES.index("Trump said")
    (m,) = resolve_article([claim("Trump", at, resolved="Ivanka Trump")], names=names)
    assert m.name == "Donald Trump"


STAFF = (
    "Trump campaign chairman Paul Manafort spoke to reporters on Monday. "
    "Manafort said the convention would be orderly. Donald Trump said the party was united."
)


def test_a_staffer_the_article_ties_to_a_principal_speaks_for_the_principal() -> None:
    names = read_article(STAFF)
    (m,) = resolve_article([claim("Manafort", STAFF.index("Manafort said"))], names=names)
    assert (m.name, m.sub, m.how) == ("Donald Trump", "Paul Manafort", "principal")


def test_campaign_staff_with_no_candidate_named_speak_for_the_one_the_story_is_about() -> None:
    text = (
        "Donald Trump arrived in Cleveland. Trump met delegates, and Trump spoke at noon. "
        "Campaign chair Paul Manafort dismissed the fuss as absurd. Ted Cruz stayed away."
    )
    (m,) = resolve_article([claim("Paul Manafort", text.index("Paul Manafort"))], text)
    assert (m.name, m.how) == ("Donald Trump", "principal")


def test_campaign_staff_in_a_story_about_two_people_stay_themselves() -> None:
    text = "Donald Trump and Hillary Clinton met. Campaign chair Paul Manafort said it went well."
    (m,) = resolve_article([claim("Paul Manafort", text.index("Paul Manafort"))], text)
    assert m.name == "Paul Manafort"


def test_a_former_staffer_speaks_for_themself() -> None:
    text = "Former Trump campaign manager Corey Lewandowski was fired. Lewandowski said he had no regrets."
    names = read_article(text)
    (m,) = resolve_article([claim("Lewandowski", text.index("Lewandowski said"))], names=names)
    assert m.name == "Corey Lewandowski"


def test_a_bare_surname_across_articles_takes_the_relative_named_far_more_often() -> None:
    registry = SpeakerRegistry(aliases={})
    for _ in range(4):
        registry.learn(["Barack Obama"])
    registry.learn(["Michelle Obama"])
    assert registry.resolve("Obama").speaker_id == "person:barack-obama"  # type: ignore[union-attr]
    registry.learn(["Michelle Obama"])
    assert registry.resolve("Obama").speaker_id == "person:barack-obama"  # type: ignore[union-attr]
    registry.learn(["Michelle Obama"])
    assert registry.resolve("Obama").speaker_id == "person:obama"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "names",
    [
        ["Αλέξης Τσίπρας", "Владимир Путин"],  # two scripts with no Latin letter
        ["Ali Øster", "Ali Ster"],  # a letter with no decomposition is a letter, not a gap
        ["Σωκράτης Παππάς", "Νίκος Παππάς"],
    ],
)
def test_names_in_any_script_keep_distinct_non_empty_ids(names: list[str]) -> None:
    registry = SpeakerRegistry(aliases={})
    ids = [registry.resolve(n).speaker_id for n in names]  # type: ignore[union-attr]
    assert len(set(ids)) == len(ids), ids
    assert all(i.split(":", 1)[1] for i in ids), ids


def test_accents_still_fold_to_one_speaker() -> None:
    registry = SpeakerRegistry(aliases={})
    assert registry.resolve("Elena Ruíz").speaker_id == registry.resolve("Elena Ruiz").speaker_id  # type: ignore[union-attr]


@pytest.mark.parametrize("speaker", ["Trump fans", "Clinton supporters", "Lind voters"])
def test_a_plural_noun_after_a_name_is_a_group_not_the_person(speaker: str) -> None:
    names = read_article(CAMPAIGN)
    (m,) = resolve_article([claim(speaker, 0)], names=names)
    assert m.name == speaker


SHARED_STORY = (
    "Justice Ruth Bader Ginsburg criticised Donald Trump in three interviews. Trump said she should resign. "
    "Ginsburg said she regretted the remarks. Trump called them a disgrace. The remarks drew criticism from "
    "both parties. Many readers wrote in. The justice said she would be more circumspect."
)


def test_a_description_is_not_given_to_the_more_named_of_two_people_sharing_the_story() -> None:
    names = read_article(SHARED_STORY.replace("Justice Ruth", "Ruth"))  # no role names her a justice
    (m,) = resolve_article([claim("The justice", SHARED_STORY.index("The justice"))], names=names)
    assert m.name != "Donald Trump"


DAUGHTER = (
    "Donald Trump accepted the nomination on Thursday. He was introduced by his daughter Ivanka Trump. "
    "Trump said the country was in crisis. He said crime would end."
)


def test_he_after_a_relative_introduced_by_kinship_is_the_principal() -> None:
    names = read_article(DAUGHTER)
    at = DAUGHTER.index("He said")
    (m,) = resolve_article([claim("He", at, resolved="Ivanka Trump")], names=names)
    assert m.name == "Donald Trump"


def test_a_pronoun_keeps_a_namesake_the_text_does_not_mark_as_a_relative() -> None:
    text = "Hillary Clinton spoke first. Bill Clinton spoke on Tuesday. He said the party was united."
    names = read_article(text)
    (m,) = resolve_article([claim("He", text.index("He said"), resolved="Bill Clinton")], names=names)
    assert m.name == "Bill Clinton"


@pytest.mark.parametrize("name", ["“Morning Joe", '"Meet the Press"', "‘Trump v. Trump"])
def test_a_title_in_quotes_is_no_person(name: str) -> None:
    found = SpeakerRegistry(aliases={}).resolve(name)
    assert found is None or found.kind != "person", found


def test_an_acronym_key_comes_from_a_proper_name_only() -> None:
    registry = SpeakerRegistry(aliases={})
    assert registry.resolve("Federal Bureau of Investigation").speaker_id == "organisation:fbi"  # type: ignore[union-attr]
    long = registry.resolve("both candidates for the White House hoping to draw a crowd")
    assert long is None or long.speaker_id != "organisation:bcfwhhtdac"
    assert long is None or "-" in long.speaker_id  # keyed by its words, not by their initials
    two = registry.resolve("NBC News and ABC News")
    assert two is not None and two.kind != "organisation"


def test_a_first_name_shows_a_gender_the_text_never_states() -> None:
    # no pronoun or honorific marks either person; their first names do: "He" is not Greta Moss
    text = "Tom Hale runs the mill. Greta Moss backed the plan on Monday. He said the plant would stay open."
    (mention,) = resolve_article([claim("He", text.find("He said"), "Greta Moss")], text)
    assert mention.name == "Tom Hale"


@pytest.mark.parametrize(
    ("first", "gender"), [("Greta", "f"), ("Tom", "m"), ("Jan", None), ("J.", None), ("Kellyanne", None)]
)
def test_first_name_gender_only_where_name_lists_agree(first: str, gender: str | None) -> None:
    from pipeline.compare.names import first_name_gender

    assert first_name_gender(first) == gender


@pytest.mark.parametrize("speaker", ["the campaign", "people close to the campaign"])
def test_an_unnamed_campaign_is_the_campaign_of_the_one_the_story_is_about(speaker: str) -> None:
    text = f"Ada Lind toured the mill. Lind met workers, and Lind spoke at noon. Tom Hale watched. {speaker} said so."
    (m,) = resolve_article([claim(speaker, text.index(speaker))], text)
    assert (m.name, m.how) == ("Ada Lind", "principal")


def test_an_unnamed_campaign_in_a_story_about_two_people_is_nobodys() -> None:
    text = "Ada Lind and Tom Hale met. The campaign said the talks went well."
    (m,) = resolve_article([claim("The campaign", text.index("The campaign"))], text)
    assert m.name is None


def test_a_role_word_nobody_holds_is_no_speaker_id() -> None:
    # the extractor's antecedent is the role word again, and the text names nobody: unknown, not "justice"
    text = "The court met in Harlow. In three interviews, the justice sounded off."
    (m,) = resolve_article([claim("the justice", text.index("the justice"), "Justice")], text)
    assert m.name is None
