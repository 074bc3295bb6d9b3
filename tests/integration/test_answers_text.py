"""The plan's text as data and the answers drawn from it: passages stored with the plan (its
full text, or a spreadsheet plan's rows), quotes verbatim with their section, "the plan does not
say" without a number, other documents answered only with what this plan says of them, plain
speech, several questions in one, comparisons, the asker's own work, `plan show --targets`."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import Session, select

from bench.score_answers import asker
from bot.answers import answer
from bot.answers.plain import split
from bot.core.clock import clock
from bot.core.settings import DEFAULT_PLAN
from bot.core.text import fold
from bot.plans.loader import load_plan
from bot.plans.overview import targets_listing
from bot.plans.passages import from_rows, parse_text, read_text_file, text_file_for
from storage import models as m
from tests.answers_seed import TODAY, WARD_PLAN, seed_737, seed_ward

TEXT = text_file_for(DEFAULT_PLAN).read_text(encoding="utf-8")
FLAT = " ".join(TEXT.split())


@pytest.fixture
def seeded(engine):
    seed_737(engine)
    clock.set(dt.datetime(2025, 5, 10, 9))
    return engine


def ask(engine, question: str, who: str = "Phan Văn Thắng", lang: str = "vi") -> str:
    return answer(engine, asker(engine, who, lang), question, TODAY).text


def quotes(text: str) -> list[str]:
    return [q.strip("…").strip() for q in re.findall(r"“([^”]+)”", text)]  # cut either end


def test_passages_are_parsed_and_stored_with_the_plan(plan_engine):
    passages = read_text_file(text_file_for(DEFAULT_PLAN))
    assert [p.section for p in passages][:4] == ["head", "preamble", "I.1", "I.2"]
    assert {"IV.3", "recipients", "PL.B.6"} <= {p.section for p in passages}
    with Session(plan_engine) as session:
        stored = session.exec(select(m.PlanPassage).order_by(m.PlanPassage.position)).all()
    assert [(p.section, p.text) for p in stored] == [(p.section, p.text) for p in passages]


def test_parse_text_skips_what_comes_before_the_first_heading():
    parsed = parse_text("# title\nnoise\n## I.1 | Mục đích\n- a\n\n## II | Rỗng\n\n## x | y\nz\n")
    assert [(p.section, p.title, p.text) for p in parsed] == [("I.1", "Mục đích", "- a"),
                                                             ("x", "y", "z")]


def test_a_plan_without_its_text_keeps_its_rows_as_passages(engine):
    rows = from_rows(load_plan(WARD_PLAN))
    assert len(rows) >= 10
    seed_ward(engine)
    with Session(engine) as session:
        assert len(session.exec(select(m.PlanPassage)).all()) == len(rows)


def test_quotes_are_verbatim_with_their_section(seeded):
    for question in ("Nghị quyết 97/2019/QH14 liên quan gì?", "mn oi, iso may z",
                     "Phong trào thi đua trong kế hoạch tên là gì?",
                     "Kế hoạch được gửi cho những nơi nào?"):
        reply = ask(seeded, question)
        found = quotes(reply)
        assert found, (question, reply)
        for quoted in found:
            assert quoted in FLAT, (question, quoted)
        assert re.search(r"\(KH 737, [^)]+\)", reply), reply
        assert len(reply) < 600, reply


def test_what_the_plan_does_not_say_is_said_without_a_number(seeded):
    for question, typed in (("Kinh phí thực hiện kế hoạch này là bao nhiêu tiền?", "tiền"),
                            ("Trường trả hồ sơ nhiều lần thì bị phạt bao nhiêu tiền?", "phạt")):
        reply = ask(seeded, question)
        assert "không nêu" in reply and typed in reply, reply
        assert not re.search(r"\d+\s*(?:triệu|tỷ|000)", reply), reply
    english = ask(seeded, "What is the budget for this plan?", lang="en")
    assert "does not specify" in english and "million" not in english, english


def test_another_document_is_answered_only_with_what_this_plan_says(seeded):
    reply = ask(seeded, "Kế hoạch 2387/KH-SGDĐT ban hành ngày nào?")
    assert "30 tháng 6 năm 2021" in reply and "05/7/2021" not in reply, reply
    unknown = ask(seeded, "Nghị định 99/2020/NĐ-CP nói gì?")
    assert "không nêu văn bản số 99" in unknown, unknown


def test_plain_speech_given_names_and_typos(seeded):
    assert "Cải cách tài chính công" in ask(seeded, "chi nhung phu trach j")
    assert "thu tuc hanh chinh" in fold(ask(seeded, "co Kim Xa phu trach j"))
    assert "90" in ask(seeded, "SIPSA nam 2025 dat bn %")
    assert "Nhung" not in ask(seeded, "lĩnh vực thể chế có những chỉ tiêu nào")


def test_several_questions_in_one_are_each_answered(seeded):
    assert split("SIPAS 2025 bao nhiêu? ai phụ trách họp trực tuyến?") == [
        "SIPAS 2025 bao nhiêu", "ai phụ trách họp trực tuyến"]
    assert len(split("Tự chủ tài chính giai đoạn 1 và giai đoạn 2 khác gì nhau?")) == 1
    reply = ask(seeded, "SIPAS 2025 bao nhiêu? họp trực tuyến năm 2025 bao nhiêu? "
                        "ai phụ trách họp trực tuyến?")
    assert "90" in reply and "85%" in reply and "Tuấn An" in reply
    assert len(reply) <= 1500


def test_comparisons_show_both_phases(seeded):
    reply = ask(seeded, "so voi gd1 thi gd2 chi tieu ky nang so tang may %")
    assert "30%" in reply and "50%" in reply and "20" in reply, reply
    both = ask(seeded, "chi tieu hop truc tuyen gd1 va gd2")  # two phases named: side by side
    assert "≥ 40%" in both and "≥ 85%" in both and "45" in both, both


def test_own_work_per_role(seeded):
    mine = ask(seeded, "việc của em trong kế hoạch là gì ạ?", who="Nguyễn Tuấn An")
    assert "40%" in mine and "85%" in mine and "hạn tới" in mine, mine
    english = ask(seeded, "what are my targets?", who="Nguyễn Tuấn An", lang="en")
    assert "online" in english.lower() and "your work" in english, english
    partner = ask(seeded, "em phối hợp những việc gì?", who="Trần Thị Hòa")
    assert "Phối hợp" in partner and "Phụ trách (" not in partner, partner
    leader = ask(seeded, "những ai chưa gửi báo cáo?")
    assert "chưa gửi báo cáo" in leader and "Diệu Anh" in leader, leader
    school = ask(seeded, "trường mình còn thiếu báo cáo nào?", who="Nguyễn Văn Bình")
    assert "chưa báo cáo" in school or "đã báo cáo đủ" in school, school


def test_plan_show_targets_lists_every_target(plan_engine):
    listing = targets_listing(plan_engine)
    assert listing.startswith("Kế hoạch 737/KH-PGDĐT — 25 chỉ tiêu")
    with Session(plan_engine) as session:
        codes = session.exec(select(m.Target.code)).all()
    assert all(f"\n{code} · " in listing for code in codes)
    assert "Giai đoạn 2021-2023: ≥ 40% — hạn 31/12/2023 (Phụ lục A.6)" in listing
    assert "Phụ trách: Tuấn An | Phối hợp: Tổ chuyên môn MN" in listing


def test_unsure_asks_back_with_the_nearest_sections(seeded):
    from bot.answers import press
    from bot.answers.ask import ask_back
    from bot.answers.intents import understand
    from bot.answers.snapshot import snapshot

    actor = asker(seeded, "Phan Văn Thắng", "vi")
    question = "quy trình nội bộ giải quyết ra sao"
    with Session(seeded) as session:
        plan = session.exec(select(m.Plan)).first()
        snap = snapshot(seeded, session, plan)
        reply = ask_back(snap, actor, understand(snap, question, TODAY), question)
    data = [b.data for row in reply.buttons for b in row]
    texts = [d for d in data if ":text:" in d]
    assert 1 <= len(texts) and len(data) <= 3, reply
    quoted = press(seeded, actor, texts[0], TODAY).text
    assert quotes(quoted) and all(q in FLAT for q in quotes(quoted)), quoted
    assert "không còn dùng" in press(seeded, actor, f"ask:{plan.id}:text:99999", TODAY).text


def test_a_section_named_by_its_number_is_quoted(seeded):
    reply = ask(seeded, "mục IV.3 nói gì")
    assert "theo yêu cầu" in reply and "mục IV.3" in reply, reply
    english = ask(seeded, "what does section IV.3 say?", lang="en")
    assert "The plan says" in english and "section IV.3" in english, english


def test_a_quarter_lists_its_own_report_due_after_it(seeded):
    actor = asker(seeded, "Phan Văn Thắng", "vi")
    clock.set(dt.datetime(2025, 8, 15, 9))
    reply = answer(seeded, actor, "quý này phải nộp báo cáo gì", dt.date(2025, 8, 15)).text
    assert "Quý III/2025" in reply and "01/12/2025" in reply, reply


def test_own_reports_not_sent_yet(seeded):
    officer = ask(seeded, "em còn thiếu báo cáo nào không", who="Lê Thị Bích Hậu")
    assert "chưa báo cáo" in officer and "TTHC-2" in officer, officer
    missing = officer.split("Đã báo cáo")[0]
    assert "TTHC-1" not in missing  # reported on 1/4/2025 (listed apart, as sent)


def test_a_plan_from_a_spreadsheet_is_answered_from_its_rows(plan_engine):
    from bot.core.access import Actor
    from bot.paperwork.plan_sheets import import_plan_sheet
    from tests.exports_helpers import officials_workbook

    _, imported = import_plan_sheet(plan_engine, officials_workbook(), "kh45.xlsx",
                                    lambda r: True)
    with Session(plan_engine) as session:
        plan = session.exec(select(m.Plan).where(m.Plan.code == imported.plan_code)).one()
        rows = session.exec(select(m.PlanPassage).where(m.PlanPassage.plan_id == plan.id)).all()
    assert rows and all(r.text.startswith("- ") for r in rows)
    admin = Actor(officer_id=None, name="Console", role="admin", language="vi")
    clock.set(dt.datetime(2026, 5, 10, 9))
    reply = answer(plan_engine, admin, "kinh phí bao nhiêu", dt.date(2026, 5, 10)).text
    assert "không nêu" in reply and "KH 45" in reply, reply


def test_the_nearest_deadlines_from_today(seeded):
    actor = asker(seeded, "Phan Văn Thắng", "vi")
    clock.set(dt.datetime(2025, 6, 10, 9))
    reply = answer(seeded, actor, "hạn tiếp theo là khi nào?", dt.date(2025, 6, 10)).text
    lines = reply.splitlines()
    assert lines[0].startswith("⏭") and "10/6/2025" in lines[0], reply
    assert "30/6/2025" in reply and "Quý III/2025" in reply and "01/12/2025" in reply, reply
    assert "01/6/2025" not in reply  # passed: not ahead
    english = answer(seeded, asker(seeded, "Phan Văn Thắng", "en"), "next deadline?",
                     dt.date(2025, 6, 10)).text
    assert "Quarter III/2025" in english and "Quý" not in english, english


def test_signer_frequency_the_plan_lacks_and_successor(seeded):
    signed = ask(seeded, "ai ký kế hoạch này")
    assert "TRƯỞNG PHÒNG" in signed and "định kỳ" not in signed, signed
    six = ask(seeded, "bao cao 6 thang nop khi nao")
    assert "không quy định báo cáo 6 tháng" in six and "01/6" in six, six
    assert not re.search(r"\d{1,2}/[789]\b", six)  # no invented half-year date
    after = ask(seeded, "giải thể quận rồi thì kế hoạch giao cho phường nào tiếp tục thực hiện")
    assert "không nêu đơn vị nào tiếp tục" in after, after


def test_partners_both_ways_and_the_askers_last_reports(seeded):
    partners = ask(seeded, "chị Nhung phối hợp với ai")
    assert "Tổ chuyên môn MN" in partners and "Ngọc Dũng" in partners, partners
    mine = ask(seeded, "tôi phải phối hợp với ai?", who="Đỗ Thị Tuyết Nhung")
    assert "Ngọc Dũng" in mine, mine
    last = ask(seeded, "lần trước em báo cáo số liệu gì?", who="Vũ Ngọc Dũng")
    assert "15/4/2025" in last and "TCBM-2" in last and "6%" in last, last
    assert "Văn Bình" not in last  # only the asker's own, even for a leader's view
    card = ask(seeded, "anh Tuấn An phụ trách chỉ tiêu gì")
    assert "≥ 40%" in card and "≥ 85%" in card, card  # each target with its values


def test_a_list_of_duties_is_quoted_whole(seeded):
    reply = ask(seeded, "các trường học phải làm những gì theo kế hoạch?")
    sentences = [q for q in quotes(reply)]
    assert len(sentences) >= 3 and all(q in FLAT for q in sentences), reply
    assert reply.count("(KH 737") == 1 and len(reply) <= 1500, reply


def test_typos_fixed_only_into_pairs_the_plan_uses(seeded):
    from bot.answers.plain import prepare
    from bot.answers.snapshot import snapshot

    with Session(seeded) as session:
        plan = session.exec(select(m.Plan)).first()
        snap = snapshot(seeded, session, plan)
    assert "tài chinh công" in prepare(snap, "ai lo mảng tài chín công", [])
    assert prepare(snap, "thời tiết hôm nay", []) == "thời tiết hôm nay"  # no pair: kept
    assert "Tuyết Nhung" in ask(seeded, "Ai thuc hiện mảng tài chín công?")
    # the question's own two-word cues are pairs too: "phụ tráhc", "phụ trác" → "phụ trach"
    for typed in ("tráhc", "trác"):
        assert "phụ trach" in prepare(snap, f"chị Nhung phụ {typed} mảng nào", []), typed


def test_a_sentence_that_says_more_than_a_reports_card(seeded):
    """A recurring report found by its name ("báo cáo") is weighed against the plan's sentence
    that says more of the question: the results of the district's tasks go elsewhere."""
    said = ask(seeded, "báo cáo kết quả nhiệm vụ quận giao gửi cho những ai")
    assert "Nội vụ" in said and "IV.1" in said
    said = ask(seeded, "báo cáo CCHC quý gửi về đâu")
    assert "Văn phòng Sở" in said


def test_english_questions_find_the_plans_items(seeded):
    cut = ask(seeded, "by how much must payroll staff be cut in 2024-2025?", lang="en")
    assert "TCBM-1" in cut and "5%" in cut, cut
    later = ask(seeded, "Who handles e-government, and what is its 2021-2023 target?",
                lang="en")
    assert "Tuấn An" in later and "40%" in later, later


def test_close_targets_show_each_ones_people(seeded):
    reply = ask(seeded, "tự chủ tài chính ai phụ trách")
    assert "TCBM-2" in reply and "TCC-2" in reply, reply
    assert "Ngọc Dũng" in reply and "Tuyết Nhung" in reply, reply


def test_a_missing_word_beside_a_list_the_plan_has(seeded):
    reply = ask(seeded, "về kinh phí, tài chính công yêu cầu các đơn vị làm gì")
    assert reply.startswith("Kế hoạch không nêu “kinh phí”"), reply
    said = reply.split("\n", 1)[1]  # the first line names the missing word in quotes
    assert "tiết kiệm chi tiêu thường xuyên" in said and all(q in FLAT for q in quotes(said))


def test_swapped_letters_and_who_words(seeded):
    assert "Minh Lý" in ask(seeded, "TTCH cấp tiểu học ai lo vậy")
    assert "Tuyết Nhung" in ask(seeded, "ai lo tài chính công")
    rest = ask(seeded, "từ giờ tới cuối năm còn những hạn nào")
    assert "31/12/2025" in rest and "Tổng kết" in rest, rest


def test_a_reviews_day_a_schools_figure_and_lists_of_a_kind(seeded):
    day = ask(seeded, "tổng kết họp vào ngày mấy")
    assert "11/2025" in day and "không nêu ngày cụ thể" in day, day
    school = ask(seeded, "trường mình còn thiếu bao nhiêu so với chỉ tiêu họp trực tuyến",
                 who="Trần Thị Mai")
    assert "CQS-1" in school and "60% (30/50)" in school, school
    skills = ask(seeded, "đào tạo bồi dưỡng cbccvc chú trọng những kỹ năng gì")  # an area's words
    assert "xử lý tình huống" in skills and all(q in FLAT for q in quotes(skills)), skills
    groups = ask(seeded, "tổ chuyên môn MN phối hợp ở những mảng nào")
    assert "Tổ chuyên môn MN" in groups and "Phối hợp (" in groups, groups


def test_form_words_and_how_often(seeded):
    sipas = ask(seeded, "đến 2023 mức hài lòng của người dân phải vượt bao nhiêu phần trăm")
    assert "85%" in sipas, sipas
    monthly = ask(seeded, "kết quả giải quyết tthc báo cáo bao lâu 1 lần")
    assert "hàng tháng" in monthly.lower() or "mỗi tháng" in monthly.lower(), monthly
    issued = ask(seeded, "ke hoach nay ban hanh hom nao")
    assert "05/7/2021" in issued, issued


def test_roster_names_recipient_and_someone_elses_last_report(seeded):
    area = ask(seeded, "ai phối hợp mảng thủ tục hành chính")
    assert "Trần Thị Hòa" in area, area  # the plan's "Hoà", as on the roster
    when = ask(seeded, "when is the quarterly report due and to whom", lang="en")
    assert "Văn phòng Sở" in when and "Quarter" in when and "Quý" not in when, when
    theirs = ask(seeded, "anh Ngọc Dũng báo cáo lần gần nhất hôm nào")
    assert "15/4/2025" in theirs and "Văn Bình" not in theirs, theirs
    officer = ask(seeded, "anh Ngọc Dũng báo cáo lần gần nhất hôm nào", who="Lê Thị Bích Hậu")
    assert "15/4/2025" not in officer  # not a leader: not someone else's history


def test_mostly_unknown_words_are_beyond_the_plan(seeded):
    reply = ask(seeded, "số điện thoại đường dây nóng phản ánh TTHC là gì")
    assert "không nêu" in reply and not re.search(r"\d{4,}", reply), reply  # no phone number


def test_everyday_and_english_words_are_said_as_the_plans(seeded):
    """data/lexicon/: a question in everyday words or English finds the plan's passage."""
    assert "85%" in ask(seeded, "họp qua mạng đến năm 2025 phải chiếm bao nhiêu phần trăm")
    assert "thí điểm" in ask(seeded, "What does the plan say about piloting urban government?",
                             lang="en")
    # a tool the plan never names is not found through a word for it
    assert "không nêu" in ask(seeded, "các trường họp trực tuyến bằng phần mềm zoom hay teams")


def test_the_askers_own_work_as_phones_type_it(seeded):
    assert "CQS-1" in ask(seeded, "chỉ tiêu của e giờ đạt bn rồi", who="Nguyễn Tuấn An")
    # "trường c": the principal's own school, and what it reported
    assert "30/50" in ask(seeded, "trường c báo cáo chưa", who="Trần Thị Mai")
    latest = ask(seeded, "trường tôi báo cáo lần gần nhất được bao nhiêu", who="Nguyễn Văn Bình")
    assert "40/50" in latest and "31/50" not in latest, latest
    # "ngành mình" is the office's, "em cần danh sách" is no own work
    ours = ask(seeded, "đến 2025 ngành mình phải tinh giản biên chế bao nhiêu %")
    assert "10%" in ours and "việc được giao" not in ours, ours
    # "năm nay": this year's values only
    year = ask(seeded, "chỉ tiêu của em năm nay là bao nhiêu", who="Nguyễn Tuấn An")
    assert "85%" in year and "40%" not in year, year


def test_who_asks_is_no_part_of_the_question(seeded):
    reply = ask(seeded, "Thầy Bình đây. Trường học có trách nhiệm gì trong kế hoạch này?")
    assert "Nguyễn Văn Bình" not in reply and "trường học" in fold(reply).replace(
        "truong hoc", "trường học"), reply


def test_question_marks_end_questions_and_short_phases(seeded):
    reply = ask(seeded, "hồ sơ TTHC mức độ 3, mức độ 4 phải đạt bn %? còn tỷ lệ DVCTT 2025?")
    assert "100%" in reply and "50%" in reply, reply
    short = ask(seeded, "gđ 21-23 chỉ tiêu tập huấn kỹ năng số là mấy %")
    assert "30%" in short and "≥ 50%" not in short, short
    when = ask(seeded, "hạn báo cáo quý 2 và tổng kết kế hoạch khi nào")
    assert "01/6" in when and "11/2025" in when, when


def test_time_and_frequency_asked(seeded):
    assert "hàng năm" in ask(seeded, "kiểm tra CCHC bao lâu một lần")
    outside = ask(seeded, "giai đoạn 2026-2030 có chỉ tiêu gì")
    assert "2021-2025" in outside and "2026-2030" in outside, outside
    # a date asked of something the plan gives none for: said so, not this quarter's list
    nodate = ask(seeded, "trường phải nộp kế hoạch CCHC của trường lên phòng trước ngày nào")
    assert "không nêu" in nodate and "Quý II/2025" not in nodate, nodate
    assert "2021-2025" in ask(seeded, "kế hoạch này áp dụng cho giai đoạn nào")


def test_the_rest_of_a_question_is_answered_beside_a_word_the_plan_lacks(seeded):
    reply = ask(seeded, "nếu phát sinh nhiệm vụ mới thì có được hoãn kế hoạch không")
    assert "không nêu “hoãn”" in reply and "phát sinh nhiệm vụ" in reply, reply
    # a word the lexicon says as the plan's ("chỉnh sửa" → "bổ sung") is no missing word
    reply = ask(seeded, "nếu phát sinh nhiệm vụ mới thì có được chỉnh sửa kế hoạch không")
    assert "không nêu" not in reply and "bổ sung Kế hoạch" in reply, reply
    assert "đánh giá thi đua" in ask(seeded,
                                     "dùng phần mềm trong công việc có được xét thi đua không")
    listed = ask(seeded, "phòng phải xây dựng những kế hoạch CCHC nào")
    assert "thi đua" in listed and "tuyên truyền" in listed, listed


def test_school_levels_asked_of_who_is_responsible(seeded):
    primary = ask(seeded, "cấp tiểu học thì ai phụ trách cải cách thủ tục hành chính")
    assert "Minh Lý" in primary and "Kim Sa" not in primary, primary
    upper = ask(seeded, "cấp THPT thì ai phụ trách cải cách TTHC")
    assert "không nêu" in upper and "THPT" in upper, upper


def test_form_words_are_not_subjects(seeded):
    # "là việc của ai" asks who, not who issued the plan; "aim for" asks a value
    assert "Tuấn An" in ask(seeded, "chỉ tiêu họp trực tuyến là việc của ai vậy")
    assert "85%" in ask(seeded, "What SIPAS level does the plan aim for by 2023?", lang="en")
    both = ask(seeded, "ai chủ trì cải cách thể chế, ai lo tài chính công?")
    assert "Diệu Anh" in both and "Tuyết Nhung" in both, both


def test_a_long_paste_costs_no_more_than_a_few_questions():
    """A 10,000-character paste with thousands of commas and question marks is split into at
    most two parts, each read once (was quadratic: every piece merged into a growing string)."""
    paste = ("ai phụ trách\u2028?, " * 2000)
    parts = split(paste)
    assert 1 <= len(parts) <= 2
    assert len(split("SIPAS? họp trực tuyến? tự chủ? biên chế? ai ký? nơi nhận?")) <= 4


def test_a_result_reached_is_not_the_plans_to_give(seeded):
    """The plan sets aims; "thực tế đạt", "actually", a rank in a year gone by ask results."""
    said = ask(seeded, "năm 2023 tỷ lệ họp trực tuyến thực tế được bao nhiêu")
    assert "không nêu kết quả thực tế năm 2023" in said and "CQS-1" in said
    said = ask(seeded, "What did the PAR INDEX actually reach in 2024?", lang="en")
    assert "not actual results for 2024" in said
    said = ask(seeded, "năm 2022 chỉ số hài lòng SIPAS xếp thứ mấy")
    assert "không nêu kết quả thực tế năm 2022" in said
    # the aim for a year to come is no result
    assert "thực tế" not in ask(seeded, "năm 2025 SIPAS phải đạt bao nhiêu")


def test_a_thing_counted_that_the_target_does_not_count(seeded):
    """"bao nhiêu máy chiếu" of a target in % of meetings: the plan gives no such number; nor
    a number of the meetings it counts in percent (the share said below); a share asked is the
    target's own figure."""
    said = ask(seeded, "mỗi phòng cần bao nhiêu máy chiếu để họp trực tuyến")
    assert said.startswith("KH 737 không nêu số “máy chiếu”") and "CQS-1" in said
    said = ask(seeded, "đạt top 10 thì được thưởng bao nhiêu tiền")
    assert "không nêu số “tiền”" in said and "triệu" not in said
    said = ask(seeded, "moi nam moi truong phai hop truc tuyen toi thieu bao nhieu cuoc")
    assert said.startswith("KH 737 không nêu số “cuoc”") and "85%" in said
    for question in ("bao nhiêu % cuộc họp phải trực tuyến năm 2025", "chỉ tiêu SIPAS bn vậy ad"):
        assert "không nêu số" not in ask(seeded, question), question


def test_what_kind_of_a_targets_subject_is_the_plans_list(seeded):
    """"những kỹ năng gì" of training asks what, not how many: the plan's sentence that lists
    them, not the target's percentages."""
    said = ask(seeded, "đào tạo cán bộ phải cập nhật kiến thức về những kỹ năng gì")
    assert "giao tiếp" in said and "xử lý tình huống" in said


def test_the_nearest_deadline_of_an_officer_with_no_recurring_report(seeded):
    """Tuấn An owns no recurring report: his other deadlines are the nearest, never "nothing
    is left ahead" while the plan runs."""
    said = ask(seeded, "hạn báo cáo gần nhất của em là khi nào", who="Nguyễn Tuấn An")
    assert "Không còn hạn nào" not in said
    assert "CQS-1" in said and "31/12/2025" in said and "Không có báo cáo định kỳ" in said


def test_a_month_asked_for_all_it_holds_lists_the_review_in_it(seeded):
    clock.set(dt.datetime(2023, 10, 20, 9))
    said = answer(seeded, asker(seeded, "Phan Văn Thắng", "vi"),
                  "tháng tới có việc gì, có sơ kết không", dt.date(2023, 10, 20)).text
    assert "Tháng 11/2023" in said and "Sơ kết" in said and "01/12/2023" in said
    # the mid-term review by its everyday names
    for question in ("khi nào đánh giá giữa chặng", "bao giờ ngồi lại đánh giá giữa kỳ"):
        assert "11/2023" in ask(seeded, question), question


def test_plain_speech_names_and_groups(seeded):
    """Teen code writes "d" as "z" ("a Zũng"); "cm" is "chuyên môn"; a group named with its
    level is that group, not every group of the name."""
    said = ask(seeded, "a Zũng phụ trách mảng nào")
    assert "Ngọc Dũng" in said
    said = ask(seeded, "tổ cm THCS phối hợp mảng nào")
    assert said.startswith("👤 Tổ chuyên môn THCS")


def test_the_plans_basis_and_years_asked_in_other_words(seeded):
    said = ask(seeded, "kế hoạch này làm theo văn bản nào của quận")
    assert "206" in said and "2387" in said
    said = ask(seeded, "When was the plan signed, and what years does it cover?", lang="en")
    assert "05/7/2021" in said and "2021-2025" in said


def test_from_what_to_what_is_a_comparison(seeded):
    said = ask(seeded, "tỷ lệ họp trực tuyến tăng từ bao nhiêu lên bao nhiêu")
    assert "40%" in said and "85%" in said and "45 điểm %" in said


def test_what_follows_a_result_is_said_only_when_the_plan_says_it(seeded):
    """A reward or a penalty for a result: no card of values says it; the plan does not."""
    for question, lang in (("nếu trường không đạt chỉ tiêu SIPAS thì bị phạt thế nào", "vi"),
                           ("hoàn thành chỉ tiêu DVCTT thì được thưởng bao nhiêu", "vi"),
                           ("Is there a penalty for missing the monthly report?", "en")):
        said = ask(seeded, question, lang=lang)
        assert "không nêu việc được thưởng hay bị phạt" in said or \
            "does not specify any reward or penalty" in said, question
        assert "⚠️" not in said  # not the list of what is behind


def test_the_plans_words_spelled_out_and_other_everyday_forms(seeded):
    """"mầm non" spelled out is the plan's "MN"; "dựa vào" is "dựa trên"; "với cả" joins
    two questions; "áp dụng tới khi nào" asks the plan's end; "làm chính" asks who."""
    assert "Bích Hậu" in ask(seeded, "hồ sơ thủ tục cấp mầm non ai lo")
    assert "2387" in ask(seeded, "kế hoạch dựa vào văn bản nào")
    said = ask(seeded, "sơ kết vào tháng mấy với cả tổng kết vào tháng mấy")
    assert "11/2023" in said and "11/2025" in said
    assert "31/12/2025" in ask(seeded, "kế hoạch áp dụng tới khi nào")
    said = ask(seeded, "giảm đầu mối tổ chức 2025 bao nhiêu %, ai làm chính")
    assert "20%" in said and "Ngọc Dũng" in said


def test_a_share_asked_of_two_close_targets_is_the_one_in_percent(seeded):
    said = ask(seeded, "tự chủ tài chính năm 2025 bao nhiêu phần trăm")
    assert said.startswith("🎯 TCBM-2") and "20%" in said


def test_folded_syllables_that_are_english_words_still_pair(seeded):
    """"thể chế", "cụ thể hóa", "tổ chuyên môn" fold to "the …", "to …": still word pairs."""
    said = ask(seeded, "van ban qppl duoc cu the hoa bao nhieu phan tram nam 2025")
    assert "TC-4" in said and "100%" in said
    assert "Diệu Anh" in ask(seeded, "mang the che ai phu trach")


def test_an_officer_asking_whether_their_figures_reach_the_target(seeded):
    said = ask(seeded, "em báo cáo 92 rồi thì đạt chỉ tiêu chưa", who="Lê Thị Bích Hậu")
    assert "TTHC-1" in said and "92%" in said and "100%" in said
    said = ask(seeded, "em đã gửi báo cáo nào chưa", who="Phạm Thị Minh Lý")
    assert "Chưa có báo cáo nào" in said and "TTHC-1" in said  # and what to report


def test_definitions_lists_and_the_next_deadline_after_a_period(seeded):
    """"X là gì": the sentence that says what X is; "những kế hoạch nào": the sentence that
    lists most of them; a period gone by ("quý 1 qua rồi") and "còn hạn nào": what comes next;
    "mấy giai đoạn, mỗi giai đoạn đến năm nào": the phases, not the plan's status."""
    said = ask(seeded, "trọng tâm của cải cách hành chính là gì")
    assert said.split("\n")[1].startswith("“Trọng tâm của CCHC là")
    said = ask(seeded, "phòng phải xây dựng những kế hoạch nào về CCHC")
    assert "thi đua" in said and "một cửa" in said
    clock.set(dt.datetime(2025, 7, 3, 9))
    said = answer(seeded, asker(seeded, "Phan Văn Thắng", "vi"), "quý 2 qua rồi, còn hạn nào",
                  dt.date(2025, 7, 3)).text
    assert said.startswith("⏭") and "Quý III/2025" in said
    said = ask(seeded, "kế hoạch có mấy giai đoạn, mỗi giai đoạn đến năm nào")
    assert "2021-2023" in said and "31/12/2025" in said
    said = ask(seeded, "Who signed the plan, and on what date?", lang="en")
    assert "TRƯỞNG PHÒNG" in said and "05/7/2021" in said


def test_a_schools_reports_by_its_name(seeded):
    """The head of office names a school ("THCS Lê Lợi nộp mấy lần rồi"): its reports; its
    principal naming it: the same; another school's principal: not theirs to read."""
    said = ask(seeded, "trường Lê Lợi báo cáo mấy lần rồi")
    assert "40/50" in said and "31/50" in said and "Văn Yên" not in said
    said = ask(seeded, "Lê Lợi gửi báo cáo bao nhiêu lần rồi", who="Nguyễn Văn Bình")
    assert "40/50" in said
    said = ask(seeded, "Lê Lợi gửi báo cáo bao nhiêu lần rồi", who="Trần Thị Mai")
    assert "40/50" not in said and "31/50" not in said


def test_everyday_forms_of_own_work_deadlines_and_years(seeded):
    said = ask(seeded, "chị có những chỉ tiêu nào", who="Đỗ Thị Tuyết Nhung")
    assert said.startswith("👤 Đỗ Thị Tuyết Nhung") and "TCC-1" in said
    said = ask(seeded, "chỉ tiêu của chị tiến độ sao rồi", who="Lê Thị Bích Hậu")
    assert "TTHC-1" in said and "92%" in said
    assert "Quý II/2025" in ask(seeded, "sắp hết hạn việc gì không")
    said = ask(seeded, "tinh giản biên chế 10% là so với năm nào")
    assert "Mốc so sánh: năm 2021" in said


def test_english_in_everyday_words(seeded):
    said = ask(seeded, "Who's the point person for public finance reform?", lang="en")
    assert "Tuyết Nhung" in said
    said = ask(seeded, "When is the final wrap-up scheduled?", lang="en")
    assert "11/2025" in said
    said = ask(seeded, "Anything due in the next couple of weeks?", lang="en")
    assert "14 days" in said or "(10/5 - 24/5/2025)" in said
    said = ask(seeded, "Anything we have to hand in over the next couple of weeks?", lang="en")
    assert "(10/5 - 24/5/2025)" in said
    said = ask(seeded, "Which office put this plan out?", lang="en")
    assert "Phòng Giáo dục và Đào tạo quận Hà Đông" in said
    # "behind" a law is no target behind schedule
    said = ask(seeded, "Which resolution is behind the urban government pilot?", lang="en")
    assert "97/2019" in said and "⚠️" not in said


def test_own_reports_in_short_words_and_a_period_with_what_to_watch(seeded):
    said = ask(seeded, "tuần trước em báo mấy rồi nhỉ", who="Lê Thị Bích Hậu")
    assert "92%" in said
    said = ask(seeded, "thầy gửi báo cáo mấy lần rồi", who="Nguyễn Văn Bình")
    assert "40/50" in said and "31/50" in said
    # "cần chú ý" with a period and "còn mốc nào": what falls due, not what is behind
    said = ask(seeded, "từ giờ tới cuối năm còn mốc nào cần chú ý")
    assert said.startswith("📅") and "Tổng kết" in said


def test_the_asker_stays_the_subject_of_a_message_about_their_own_work(seeded):
    """"em phụ trách gì, đã báo cáo chưa": their work and that nothing is reported yet, once."""
    said = ask(seeded, "em phải lo mảng nào, đã gửi báo cáo gì chưa", who="Phạm Thị Minh Lý")
    assert "Chưa có báo cáo nào" in said and said.count("👤 Phạm Thị Minh Lý") == 1
    assert len(said) <= 1500


def test_more_everyday_forms(seeded):
    said = ask(seeded, "trưởng phòng ký kế hoạch này tên là gì")
    assert "Kế hoạch không ghi gì thêm về người ký" in said
    assert "Quý III/2025" in ask(seeded, "quý ba thì báo cáo phải nộp trước ngày nào")
    said = ask(seeded, "kế hoạch này phát đi những nơi nào")
    assert "Nơi nhận" in said
    said = ask(seeded, "kế hoạch áp dụng từ năm nào tới năm nào")
    assert "2021-2025" in said
    said = ask(seeded, "anh Dũng đang ôm những mảng nào")
    assert said.startswith("👤 Vũ Ngọc Dũng")
    # a colleague named by honorific and given name: theirs, not the asker's own work
    said = ask(seeded, "chị Nhung ngoài việc của mình còn phối hợp việc gì",
               who="Nguyễn Tuấn An")
    assert "Tuyết Nhung" in said and "Tuấn An" not in said.split("\n")[0]
    said = ask(seeded, "Have I reported anything yet?", who="Nguyễn Tuấn An", lang="en")
    assert "No report" in said or "no report" in said


def test_names_with_a_slip_levels_of_discipline_and_money(seeded):
    said = ask(seeded, "Kim Xa lo mảng nào")  # the first word whole, one letter off after
    assert said.startswith("👤 Kim Sa")
    said = ask(seeded, "mảng của chị đến đâu rồi", who="Đỗ Thị Tuyết Nhung")
    assert said.startswith("👤 Đỗ Thị Tuyết Nhung")
    said = ask(seeded, "làm khó người dân thì bị kỷ luật hình thức nào")
    assert "không nêu hình thức, mức kỷ luật cụ thể" in said and "xử lý kỷ luật" in said
    said = ask(seeded, "How much money is budgeted for simplifying procedures?", lang="en")
    assert "does not specify any budget or amount of money" in said


def test_a_start_date_a_past_phase_and_words_between_pieces(seeded):
    """"từ ngày nào": the sentence that says from which date; a phase gone by shows that
    phase's last figure, not today's against today's goal; "rồi" meaning "already" stays."""
    said = ask(seeded, "thí điểm chính quyền đô thị bắt đầu từ khi nào")
    assert "01/7/2021" in said
    said = ask(seeded, "tỷ lệ họp trực tuyến giai đoạn 2021-2023 phải đạt bao nhiêu")
    assert "40%" in said and "85%" not in said and "năm 2023" in said
    assert split("trường mình nộp rồi à? được bao nhiêu") == ["trường mình nộp rồi à",
                                                            "được bao nhiêu"]
    said = ask(seeded, "em mới báo 92 thôi, còn thiếu bao nhiêu so với chỉ tiêu",
               who="Lê Thị Bích Hậu")
    assert "92%" in said and "100%" in said


def test_who_words_an_area_compared_by_count_and_a_year_after_the_plan(seeded):
    """"ai lo thể chế": "lo" is the question's form, no unknown subject; "2 giai đoạn có gì
    khác" of an area: its targets per phase; a year after the plan says when the plan ends."""
    assert "Diệu Anh" in ask(seeded, "ai lo thể chế")
    said = ask(seeded, "chi tieu the che 2 giai doan co gi khac ko a")
    assert "TC-4" in said and "80%" in said and "100%" in said
    assert "theo từng giai đoạn" not in ask(seeded, "kh nay dua tren kh nao cua so vs quan")
    assert "kết thúc năm 2025" in ask(seeded, "kh 737 con hieu luc ko, nam 2026 dung tiep dc k")


def test_an_officer_sees_the_offices_reports_others_send(seeded):
    """"tháng này có báo cáo nào phải nộp" of an officer with no report of their own: the
    office's recurring reports in the period, apart from their own work."""
    clock.set(dt.datetime(2025, 5, 14, 8))
    said = answer(seeded, asker(seeded, "Ngô Thị Lan Hương", "vi"),
                  "thang nay co bao cao nao phai nop ko", dt.date(2025, 5, 14)).text
    own_part, office = said.split("Báo cáo chung của phòng")
    assert "Không có việc nào đến hạn" in own_part and "01/6/2025" not in own_part
    assert "Quý II/2025): trước 01/6/2025" in office
    # the leader's scope is everything: nothing is listed apart
    assert "Báo cáo chung" not in ask(seeded, "tháng này có gì đến hạn")


def test_the_asker_naming_themself_and_a_schools_figures_against_the_goals(seeded):
    """"thay Binh day, …", "c Sa nè, …", "Em là Mai TH Văn Yên, …": the asker naming themself
    is no part of the question (someone else's name stays); a principal asking whether the
    school's reports reach the target sees the school's figure against today's goal."""
    said = ask(seeded, "thay Binh day, truong minh bc hop truc tuyen toi dau r, dat chi tieu chua",
               who="Nguyễn Văn Bình")
    assert "80% (40/50)" in said and "≥ 85% — trường: 80%" in said and "chưa đạt" in said
    against = said.split("So với chỉ tiêu")[1].split("\n\n")[0]
    assert "40%" not in against and "2021-2023" not in against  # the past phase's goal is past
    said = ask(seeded, "Em nhập 30/50 rồi, vậy so với chỉ tiêu là đạt chưa ạ?", who="Trần Thị Mai")
    assert "trường: 60%" in said and "≥ 85%" in said
    said = ask(seeded, "c Sa nè, tiến độ mảng của c tới đâu rồi", who="Hoàng Thị Kim Sa")
    assert "Hoàng Thị Kim Sa" in said and "30% (báo cáo 01/3/2025)" in said


def test_both_kinds_of_own_work_a_toned_word_no_name_and_what_a_reform_focuses_on(seeded):
    """"đứng tên chính … còn mảng nào chỉ phối hợp": both kinds, and "đứng" is no Dũng; "em
    chỉ là người phối hợp" is one's own; "X tập trung vào cái gì" / "what is the main focus of
    X": the sentence that says what X's focus is; "nói ngắn gọn thì" sums up, asks nothing."""
    said = ask(seeded, "chị đứng tên chính ở mảng nào, còn mảng nào chị chỉ phối hợp thôi",
               who="Đỗ Thị Tuyết Nhung")
    assert "Phụ trách (5)" in said and "TCC-1" in said and "Phối hợp (3)" in said
    said = ask(seeded, "e chỉ là người phối hợp thôi đúng k, phối hợp với những ai",
               who="Trần Thị Hòa")
    assert said.startswith("👤 Trần Thị Hòa") and "Diệu Anh" in said
    for question, lang in (("nói ngắn gọn thì cchc lần này tập trung vào cái gì là chính", "vi"),
                           ("What is the main focus of administrative reform?", "en")):
        said = ask(seeded, question, lang=lang)
        assert "Trọng tâm của CCHC là cải cách TTHC" in said, question


def test_english_typed_on_without_a_stop_is_split_at_its_questions():
    assert split("who handles admin procedures whats the 2024-2025 simplification target and "
                 "when is the final review") == ["who handles admin procedures",
                                                 "whats the 2024-2025 simplification target",
                                                 "when is the final review"]
    assert split("tell me what is the target for SIPAS") == ["tell me what is the target for SIPAS"]


def test_contact_details_things_counted_and_how_often(seeded):
    """A contact detail the plan never gives is said so above the item's card; a count of
    something no sentence counts is "không nêu số …" (in English the word typed); "bao lâu
    kiểm tra 1 lần": the sentence that says how often; "những kỹ năng gì" of training: the
    plan's list beside the target's card."""
    said = ask(seeded, "báo cáo quý gửi về email nào")
    assert said.startswith("Kế hoạch không nêu “email”") and "Văn phòng Sở" in said
    assert ask(seeded, "quận mình có bao nhiêu trường MN, TH, THCS").startswith(
        "Kế hoạch không nêu số “trường”")
    assert ask(seeded, "How many schools in the district are covered by this plan?",
               lang="en").startswith("The plan does not specify a number of “schools”")
    assert "hàng năm" in ask(seeded, "doan kiem tra cchc bao lau kiem tra 1 lan")
    said = ask(seeded, "bồi duõng cán bộ thì cập nhật những kỹ năng gì")
    assert "giao tiếp" in said and "xử lý tình huống" in said
    said = ask(seeded, "a Quân bên CNTT đc giao nhiệm vụ gì trong KH ko")
    assert "Kế hoạch không nêu chỉ tiêu hay báo cáo nào" in said


def test_everyday_words_for_helping_signing_issuing_and_school_levels(seeded):
    """"phụ giúp" is to coordinate; "đứng tên ký" asks the signer, "ra hôm nào" the issue date;
    "bên cấp 1" picks the primary-level people of the item; "còn ai …" asks a second who."""
    said = ask(seeded, "chị Hoà phụ giúp những việc nào trong kh hả e")
    assert said.startswith(("👤 Hoà", "👤 Trần Thị Hòa")) and "Phối hợp (12)" in said
    assert "TRƯỞNG PHÒNG" in ask(seeded, "ai đứng tên ký cái kh này vậy")
    assert "05/7/2021" in ask(seeded, "kh 737 ra hôm nào ấy e")
    said = ask(seeded, "thủ tục bên cấp 1 thì ai lo")
    assert "Minh Lý" in said and "Bích Hậu" not in said
    assert split("thế ai lo mảng tiền nong còn ai lo mảng văn bản pháp luật nhờ") == [
        "thế ai lo mảng tiền nong", "ai lo mảng văn bản pháp luật nhờ"]
    assert split("ngoài chị ra còn ai phối hợp không") == ["ngoài chị ra còn ai phối hợp không"]


def test_each_schools_figure_and_a_named_colleagues_reports(seeded):
    """A target measured per school shows each reporting school's latest figure to the office
    (a principal sees their own school's); "chị Diệu Anh đã báo cáo gì chưa" is hers, not the
    leader's own history ("anh đã báo cáo" inside her name)."""
    said = ask(seeded, "cac truong bao cao hop truc tuyen den dau roi")
    assert "Từng trường: Trường THCS Lê Lợi 80% (40/50), 02/5/2025; " \
           "Trường Tiểu học Văn Yên 60% (30/50), 05/5/2025" in said
    assert "Từng trường" not in ask(seeded, "họp trực tuyến đến đâu rồi", who="Nguyễn Văn Bình")
    said = ask(seeded, "chị Diệu Anh đã báo cáo kết quả gì chưa")
    assert "TC-5 · đạt · Nguyễn Thị Diệu Anh" in said and "Phan Văn Thắng" not in said


def test_who_a_sections_title_names_periods_to_an_end_and_a_baseline_year(seeded):
    """"ai … xây dựng kế hoạch CCHC hằng năm": the sentence, and the section's title that names
    who ("Trách nhiệm của Trưởng phòng GDĐT"), not an area sharing a verb; "đến cuối tháng",
    "before year end": from today to that end; "so với 2015" is a baseline, no year asked."""
    said = ask(seeded, "ai có trách nhiệm xây dựng kế hoạch CCHC hằng năm")
    assert "Trách nhiệm của Trưởng phòng GDĐT" in said and "Tuấn An" not in said
    assert "Tháng 5/2025 (01/5 - 31/5/2025)" in ask(seeded, "từ giờ đến cuối tháng có hạn gì không")
    clock.set(dt.datetime(2025, 9, 10, 9))
    said = answer(seeded, asker(seeded, "Phan Văn Thắng", "en"),
                  "anything due before year end?", dt.date(2025, 9, 10)).text
    assert "(10/9 - 31/12/2025)" in said
    said = ask(seeded, "tổ chức bên trong đơn vị sự nghiệp giảm bao nhiêu so với 2015")
    assert "≥ 20%" in said and "không nêu giá trị cho năm 2015" not in said


def test_english_words_left_after_the_lexicon_are_the_sentences_own(seeded):
    """An English question said in the plan's words keeps words of its own ("how big a jump",
    "intelligent-campus idea"): they are no things the plan lacks; a count of a thing no item
    counts ("how much money") is still "does not give a number of …"."""
    said = ask(seeded, "How big a jump is there in the remote-meeting goal between the first "
                       "three years and the last two?", lang="en")
    assert "40%" in said and "85%" in said
    said = ask(seeded, "Does it say anything about looking into the intelligent-campus idea?",
               lang="en")
    assert "thông minh" in said
    said = ask(seeded, "How much money is allocated to the smart school model?", lang="en")
    assert "does not" in said and "“money”" in said


def test_named_principals_reports_counts_in_words_and_rewards(seeded):
    """"thầy Bình với cô Mai báo cáo bn rồi": each one's reports; "1 việc do mấy tổ chức chủ
    trì": the sentence that says it in words ("một tổ chức chủ trì"); "mình là" is no "Minh
    Lý"; "khen thưởng … bao nhiêu tiền" is a reward the plan does not give."""
    said = ask(seeded, "thầy Bình với cô Mai báo cáo bn rồi")
    assert "80% (40/50)" in said and "60% (30/50)" in said
    said = ask(seeded, "theo nguyên tắc thì 1 việc do mấy tổ chức chủ trì?")
    assert "một tổ chức chủ trì" in said
    said = ask(seeded, "chỉ tiêu PAR INDXE của ngành mình là gì nhỉ")
    assert "Top 10" in said and "Minh Lý" not in said
    said = ask(seeded, "khen thuong ca nhan hoan thanh chi tieu dc bao nhieu tien")
    assert said.startswith("Kế hoạch không nêu việc được thưởng hay bị phạt")


def test_own_work_shows_each_school_and_what_is_already_reported(seeded):
    """An officer's per-school target shows each school's figure behind the pooled one ("trường
    nào báo cáo rồi"); "em còn thiếu báo cáo gì" lists what is sent this quarter too."""
    said = ask(seeded, "anh có chỉ tiêu nào, trường nào báo cáo rồi", who="Nguyễn Tuấn An")
    assert "hiện nay: 70%" in said and "Từng trường: Trường THCS Lê Lợi 80% (40/50)" in said
    said = ask(seeded, "Em còn thiếu báo cáo gì không ạ?", who="Lê Thị Bích Hậu")
    missing, sent = said.split("Đã báo cáo trong Quý II/2025:")
    assert "TTHC-2" in missing and "TTHC-1" not in missing and "TTHC-1" in sent and "92%" in sent


def test_issue_date_issuer_and_district_asked_in_other_words(seeded):
    """"ngày nào ban hành", "có phải … do UBND quận ban hành ko", "áp dụng cho quận nào": the
    plan's own facts; "chị Diệu Anh báo cáo … chưa?": her reports."""
    assert "05/7/2021" in ask(seeded, "kh 737 ngày nào ban hành")
    said = ask(seeded, "có phải KH này do UBND quận ban hành ko?")
    assert "do Phòng Giáo dục và Đào tạo quận Hà Đông ban hành" in said
    assert "Hà Đông" in ask(seeded, "kế hoạch này áp dụng cho ngành GD quận nào vậy")
    assert "TC-5 · đạt" in ask(seeded, "chị Diệu Anh báo cáo thể chế chưa?")


def test_who_has_reported_several_named_and_a_report_on_a_day(seeded):
    """"những ai gửi bc tiến độ rồi": everyone's latest reports; two schools or two people named
    ("Lê Lợi với Văn Yên", "a Dũng vs c Kim Sa"): each one's; "e nhập hôm 1/4 là bao nhiêu":
    one's own report of that day; a principal's school history with today's goals beside it;
    "how much higher" compares, counts nothing."""
    said = ask(seeded, "những ai gửi bc tiến độ rồi e")
    assert all(n in said for n in ("Trần Thị Mai", "Nguyễn Văn Bình", "Vũ Ngọc Dũng"))
    said = ask(seeded, "Lê Lợi với Văn Yên báo cáo họp trực tuyến đc bao nhiêu r?")
    assert "80% (40/50)" in said and "60% (30/50)" in said
    said = ask(seeded, "a Dũng vs c Kim Sa đã báo cáo số liệu j chưa, bao nhiêu")
    assert "TCBM-2 · 6%" in said and "TTHC-2 · 30%" in said
    said = ask(seeded, "số liệu e nhập hôm 1/4 là bao nhiêu nhỉ", who="Lê Thị Bích Hậu")
    assert "TTHC-1 · 92%" in said
    said = ask(seeded, "lần bc gần nhất của trường c là khi nào", who="Trần Thị Mai")
    assert "60% (30/50)" in said and "≥ 85% — trường: 60%" in said
    said = ask(seeded, "Digital skills training: first phase vs 2024-2025, how much higher?",
               lang="en")
    assert "30%" in said and "50%" in said and "number of" not in said


def test_a_later_part_that_points_back_keeps_its_own_sure_answer(seeded):
    """"… ký ngày nào ấy với cả nó làm theo kế hoạch của sở số mấy": "nó" is the plan already
    answered, so the part's own sure answer (the documents it implements) stands."""
    said = ask(seeded, "ờ kế hoạch số bảy ba bảy ký ngày nào ấy với cả nó làm theo kế hoạch "
                       "của sở số mấy")
    assert "05/7/2021" in said and "2387" in said


def test_numbered_questions_a_group_by_its_short_name_and_ones_own_school(seeded):
    """"1. … 2. … 3. …" are questions; "tổ THCS" is "Tổ chuyên môn THCS"; "c Nhung hỏi 2 việc:"
    is the asker naming themself; "trường tôi lần báo cáo mới nhất" is the school's history."""
    assert split("1. tổng kết KH dự kiến khi nào 2. báo cáo quý III hạn ngày nào") == [
        "tổng kết KH dự kiến khi nào", "báo cáo quý III hạn ngày nào"]
    said = ask(seeded, "tổ THCS phối hợp những tiêu chí nào", who="Trịnh Văn Hùng")
    assert said.startswith("👤 Tổ chuyên môn THCS") and "CV-1" in said
    said = ask(seeded, "c Nhung hỏi 2 việc: c thực hiện tiêu chí nào", who="Đỗ Thị Tuyết Nhung")
    assert said.startswith("👤 Đỗ Thị Tuyết Nhung") and "TCC-1" in said
    said = ask(seeded, "truong toi lan bao cao moi nhat ket qua bao nhieu, ngay nao",
               who="Nguyễn Văn Bình")
    assert "80% (40/50)" in said


def test_until_a_day_and_ones_own_work_after_a_self_introduction(seeded):
    """"từ nay tới mùng 5/6": from today to that day; "anh Dũng hỏi: việc của a theo kế hoạch
    gồm những gì": his own work."""
    clock.set(dt.datetime(2025, 5, 26, 9))
    said = answer(seeded, asker(seeded, "Trần Thị Mai", "vi"),
                  "Cho cô hỏi từ nay tới mùng 5/6 có hạn báo cáo nào không?",
                  dt.date(2025, 5, 26)).text
    assert "(26/5 - 05/6/2025)" in said and "trước 01/6/2025" in said
    clock.set(dt.datetime(2025, 5, 10, 9))
    said = ask(seeded, "anh Dũng hỏi: việc của a theo kế hoạch gồm những gì thế",
               who="Vũ Ngọc Dũng")
    assert said.startswith("👤 Vũ Ngọc Dũng") and "TCBM-1" in said


def test_an_aside_after_the_question_and_to_whom_something_goes(seeded):
    """"…, a cần nhắc hiệu trưởng": why the asker asks is no part of the search; "tuyên truyền
    tới những ai": to whom (the plan's sentence), not who owns it; "theo kiểu gì" asks how."""
    assert split("các trường phải làm những gì theo KH này, a cần nhắc hiệu trưởng") == [
        "các trường phải làm những gì theo KH này"]
    said = ask(seeded, "các trường phải làm những gì theo KH này, a cần nhắc hiệu trưởng")
    assert "Các đơn vị trường học trên địa bàn quận xây dựng" in said
    said = ask(seeded, "văn bản phòng chống tham nhũng phải tuyên truyền tới những ai")
    assert "phụ huynh, học sinh" in said
    said = ask(seeded, "ngân sách cho trường sẽ cấp theo kiểu gì, dựa vào đâu")
    assert "kết quả và chất lượng hoạt động" in said


def test_a_schools_gap_a_colleagues_report_by_its_value_and_duties_given(seeded):
    """"trường mình còn thiếu gì so với chỉ tiêu": the school's figures against the goals; "chị
    Diệu Anh báo 'đạt' hôm nào": her report; "chị đc phân phối hợp những j": one's own work."""
    said = ask(seeded, "trường mình còn thiếu gì so với chỉ tiêu", who="Nguyễn Văn Bình")
    assert "≥ 85% — trường: 80%" in said
    assert "20/3/2025" in ask(seeded, "Chị Diệu Anh báo 'đạt' hôm nào vậy?")
    said = ask(seeded, "chị đc phân phối hợp những j", who="Trần Thị Hòa")
    assert said.startswith("👤 Trần Thị Hòa") and "Phối hợp (12)" in said
