"""The lexicons that say a question's English and everyday words as the plan says them
(data/lexicon/): every word they give is one the plan uses, and an everyday word is never one of
the plan's own (the plan's words are never rewritten)."""

from __future__ import annotations

import re

import pytest

from bot.answers.lexicon import _CHOSEN, ENGLISH, EVERYDAY, plan_words
from bot.answers.normalise import normalise
from bot.core.settings import DEFAULT_PLAN
from bot.plans.passages import text_file_for

PLAN = f" {normalise(text_file_for(DEFAULT_PLAN).read_text(encoding='utf-8'))} "


def _said(phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", PLAN) is not None


def test_the_lexicons_are_loaded():
    assert len(ENGLISH) > 500 and len(EVERYDAY) > 400


@pytest.mark.parametrize("lexicon", ["en", "vi"])
def test_every_phrase_given_is_the_plans(lexicon):
    words = {k: v for k, v in ENGLISH.items() if k not in _CHOSEN} if lexicon == "en" \
        else EVERYDAY
    assert {k: v for k, v in words.items() if not _said(v)} == {}


def test_the_chosen_english_words_are_the_plans():
    """The hand-chosen ones are searched as words, not phrases; "kinh phí" on purpose: a
    plan's funding, which Plan 737 never mentions."""
    missing = {k: v for k, v in _CHOSEN.items() if v != "kinh phi"
               and not all(_said(w) for w in v.split())}
    assert missing == {}


def test_no_everyday_word_is_one_of_the_plans():
    assert {k for k in EVERYDAY if _said(k)} == set()


def test_questions_are_said_in_the_plans_words():
    assert "truc tuyen" in plan_words(normalise("họp qua mạng chiếm bao nhiêu"))
    assert "thoi gian" in plan_words(normalise("rút ngắn tgian giải quyết"))
    assert "thi diem" in plan_words(normalise("the urban government pilot"))
    # a document's number is kept whole ("NQ 97/2019" is not rewritten inside)
    assert "97/2019" in plan_words(normalise("NQ 97/2019 nói gì"))
    # the intents' own English words stay ("deadline", "report" are read as cues)
    assert "deadline" in plan_words(normalise("what is the deadline"))


def test_no_everyday_word_is_a_cue_of_the_questions_form():
    """The intents read the question's own words ("hạn chót", "phụ trách"): a lexicon that
    said them as something else would only pull the search elsewhere."""
    from bot.answers import intents

    cues = {p.rstrip("*") for value in vars(intents).values() if isinstance(value, tuple)
            for p in value if isinstance(p, str)}
    assert {k for k in EVERYDAY if k in cues} == set()


def test_no_everyday_word_names_a_document_by_number():
    """"KH 737", "Nghị định 32": documents by number are the plan's own name or another
    document (bot.answers.extract.other_documents), never words to search with."""
    numbered = re.compile(r"(?<![a-z])(?:kh|ke hoach|nd|nghi dinh|nq|nghi quyet|qd|quyet dinh|"
                          r"tt|thong tu|cv|cong van) (?:so )?\d{2,}")
    assert {k for k in EVERYDAY if numbered.search(k)} == set()


def test_no_english_word_of_the_lexicon_is_a_cue_of_the_questions_form():
    """"in charge", "deadline": read by the intents as the question's form; said as the plan's
    words ("chủ trì") they would pull the search to a passage that happens to use them."""
    from bot.answers import intents

    cues = {p.rstrip("*") for value in vars(intents).values() if isinstance(value, tuple)
            for p in value if isinstance(p, str)}
    assert {k for k in ENGLISH if k in cues and k not in _CHOSEN} == set()
