"""Reading what people type for a report: values, the quick form, "báo cáo" typed, documents."""


from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.progress import ValueProblem, parse_value
from bot.reporting import document_extension, report_words, split_quick
from tests.report_helpers import DOCX, PDF


@pytest.mark.parametrize(("text", "expected"), [
    ("báo cáo", []),
    ("Báo Cáo", []),
    ("bao cao tien do", []),
    ("báo cáo tiến độ CQS-1", ["CQS-1"]),
    ("bao cao cqs1 62 họp tháng 5", ["cqs1", "62", "họp", "tháng", "5"]),
    ("báo cáo quý 3", None),
    ("báo cáo Q3", None),
    ("tôi muốn báo cáo", None),
    ("bao", None),
    ("", None),
])
def test_report_words(text, expected):
    assert report_words(text) == expected


@pytest.mark.parametrize(("words", "unit", "value", "note"), [
    (["62"], "percent", 62.0, None),
    (["62", "%"], "percent", 62.0, None),
    (["62.5", "%", "họp", "tháng"], "percent", 62.5, "họp tháng"),
    (["6", "/", "10"], "percent", 60.0, None),
    (["31/50", "trực", "tuyến"], "percent", 62.0, "trực tuyến"),
    (["chưa", "đạt", "còn", "1", "việc"], "boolean", 0.0, "còn 1 việc"),
    (["đạt"], "boolean", 1.0, None),
])
def test_split_quick(words, unit, value, note):
    parsed, rest, problem = split_quick(words, unit)
    assert problem is None and parsed.value == value and rest == note


def test_split_quick_names_the_problem_of_the_value_word():
    parsed, note, problem = split_quick(["120", "quá"], "percent")
    assert parsed is None and note is None and problem.key == "value.out_of_range"


@pytest.mark.parametrize(("name", "mime", "ext"), [
    ("a.pdf", PDF, ".pdf"), ("a", DOCX, ".docx"), ("b.XLSX", "application/octet-stream", ".xlsx"),
    ("c.docx", None, ".docx"), ("d.doc", "application/msword", None),
    ("e.exe", "application/x-msdownload", None), (None, None, None),
])
def test_document_types(name, mime, ext):
    assert document_extension(name, mime) == ext


@pytest.mark.parametrize("unit", ["percent", "count", "rank", "boolean"])
def test_huge_numbers_are_refused_not_infinite(unit):
    for text in ("9" * 400, f"{'9' * 400}/{'9' * 401}"):
        with pytest.raises(ValueProblem):
            parse_value(text, unit)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60), unit=st.sampled_from(["percent", "count", "rank", "boolean"]))
def test_parse_value_accepts_or_explains(text, unit):
    try:
        value = parse_value(text, unit)
    except ValueProblem as problem:
        assert problem.key.startswith("value.")
        return
    assert value.value == value.value and abs(value.value) < float("inf")  # a real number


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.text(min_size=1, max_size=12), max_size=6),
       unit=st.sampled_from(["percent", "count", "rank", "boolean"]))
def test_split_quick_never_raises(words, unit):
    parsed, note, problem = split_quick(words, unit)
    assert (parsed is None) == (problem is not None or not words)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80))
def test_report_words_never_raises(text):
    words = report_words(text)
    assert words is None or isinstance(words, list)
