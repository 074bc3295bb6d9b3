"""The /report conversation in-process, through the real Application and handlers: buttons, the
quick form, values, evidence, cancel, timeout, edit, restart, roles, pooled school figures."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, select
from telegram.ext import ConversationHandler

from bot.core.clock import clock
from bot.progress import current_figure
from storage import models as m
from tests.chat import Chat
from tests.report_helpers import (
    DOCX,
    ERROR,
    PDF,
    XLSX,
    audit,
    button_update,
    document_update,
    drafts,
    evidence,
    menu,
    office_fixture,  # noqa: F401  (the `office` fixture)
    press,
    rendered,
    reports,
    target_id,
    to_summary,
    to_value_step,
    unit_id,
)

LE_LOI = "Trường THCS Lê Lợi"
VAN_YEN = "Trường Tiểu học Văn Yên"


async def test_full_flow_with_buttons_and_a_photo(office):
    async with Chat(office) as chat:
        an = chat.officer("Tuấn An")
        out = await chat.text(an, "/report")
        # one target (CQS-1): no list; it is measured per school, so the school comes first
        assert "CQS-1 đo theo từng trường" in out
        assert [label for label, _ in menu(chat, an)][:2] == [LE_LOI, VAN_YEN]
        out = await press(chat, an, f"rep:u:{unit_id(office, LE_LOI)}")
        assert "CQS-1 · Tỷ lệ cuộc họp trực tuyến" in out and f"Đơn vị: {LE_LOI}" in out
        assert "≥ 85%" in out and "31/12/2025 (còn 235 ngày)" in out
        assert "Chưa có số liệu" in out and "ví dụ 31/50" in out
        out = await chat.text(an, "31/50")
        assert "Thêm ghi chú" in out and "Bỏ qua" in out
        out = await chat.text(an, "Họp giao ban tháng 5 qua Zoom")
        assert "Gửi ảnh hoặc tệp minh chứng" in out
        out = rendered(await chat.feed(chat.request.photo_update(an, "PHOTO-1")))
        assert "📎 Đã nhận 1 tệp" in out
        out = await press(chat, an, "rep:done")
        assert "Kiểm tra lại báo cáo" in out and "Giá trị: 62% (31/50)" in out
        assert "Ghi chú: Họp giao ban tháng 5 qua Zoom" in out and "1 tệp" in out
        assert [label for label, _ in menu(chat, an)] == ["✅ Xác nhận", "✏️ Sửa", "✖ Hủy"]
        assert not reports(office), "nothing is stored before Confirm"
        out = await press(chat, an, "rep:ok:")
    assert "✅ Đã ghi nhận 62% (31/50) cho CQS-1 (Trường THCS Lê Lợi)" in out
    assert "▓▓▓▓▓▓░░░░ 62% / 85%" in out and "Hạn: 31/12/2025" in out
    assert "Còn 7,7 tháng; cần tăng ~3 điểm %/tháng để đạt." in out
    assert "Đúng tiến độ" in out and "/undo" in out
    [report] = reports(office)
    assert (report.value, report.numerator, report.denominator) == (62.0, 31.0, 50.0)
    assert report.unit_id == unit_id(office, LE_LOI)
    assert report.note == "Họp giao ban tháng 5 qua Zoom"
    assert report.dedupe_key and report.dedupe_key.startswith("report:")
    [photo] = evidence(office, report.id)
    assert (photo.file_id, photo.channel, photo.mime_type) == ("PHOTO-1", "console", "image/jpeg")
    assert [a.entity_id for a in audit(office, "report.create")] == [report.id]
    assert drafts(office) == {}, "the draft is gone once stored"


async def test_targets_listed_most_urgent_first(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await chat.text(anh, "/report TC-4 100")
        await press(chat, anh, "rep:ok:")  # TC-4 achieved
        await chat.text(anh, "/report TC-2 5")
        await press(chat, anh, "rep:ok:")  # TC-2 far behind
        out = await chat.text(anh, "/report")
    assert "Chọn chỉ tiêu cần báo cáo" in out
    codes = [data.split(":")[2] for _, data in menu(chat, anh) if data.startswith("rep:t:")]
    assert codes == ["TC-2", "TC-1", "TC-3", "TC-5", "TC-6", "TC-4"]
    labels = dict((data, label) for label, data in menu(chat, anh))
    assert "5%" in labels["rep:t:TC-2"] and "hạn 31/12/2025" in labels["rep:t:TC-2"]
    assert "chưa có số liệu" in labels["rep:t:TC-1"]


async def test_pick_from_the_list_by_button_and_by_typed_code(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await chat.text(anh, "/report")
        out = await press(chat, anh, "rep:t:TC-3")
        assert "TC-3 · Tuyên truyền" in out and "Nhập tỷ lệ" in out
        await chat.text(anh, "/cancel")
        await chat.text(anh, "/report")
        out = await chat.text(anh, "tc 6")
        assert "TC-6 · Văn bản hành chính" in out


async def test_quick_form_with_note(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        out = await chat.text(anh, "/report tc1 62,5 đã rà soát 25/40 văn bản")
        assert "Giá trị: 62,5%" in out and "Ghi chú: đã rà soát 25/40 văn bản" in out
        out = await press(chat, anh, "rep:ok:")
    assert "Đã ghi nhận 62,5% cho TC-1" in out
    [report] = reports(office)
    assert report.value == 62.5 and report.note == "đã rà soát 25/40 văn bản"
    assert report.target_id == target_id(office, "TC-1")


async def test_quick_form_bad_value_explains_then_goes_to_the_summary(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        out = await chat.text(anh, "/report TC-1 sáu mươi")
        assert "TC-1 ·" in out and "chưa đọc được" in out and "Ví dụ" in out
        assert "Nhập tỷ lệ hiện tại" in out
        out = await chat.text(anh, "60")
        assert "Kiểm tra lại báo cáo" in out and "Giá trị: 60%" in out


async def test_quick_form_for_several_schools_asks_the_school(office):
    async with Chat(office) as chat:
        an = chat.officer("Tuấn An")
        out = await chat.text(an, "/report CQS-1 20/30")
        assert "trường nào" in out
        out = await press(chat, an, f"rep:u:{unit_id(office, VAN_YEN)}")
        assert "Kiểm tra lại" in out and f"Đơn vị: {VAN_YEN}" in out
        assert "66,7% (20/30)" in out


ACCEPTED = [  # (target, typed, stored value, stored numerator/denominator)
    ("TC-1", "62", 62.0, None),
    ("TC-1", "62%", 62.0, None),
    ("TC-1", "62,5", 62.5, None),
    ("TC-1", "62.5 %", 62.5, None),
    ("TC-1", "6/10", 60.0, (6.0, 10.0)),
    ("TC-1", " 31 / 50 ", 62.0, (31.0, 50.0)),
    ("TC-5", "đạt", 1.0, None),
    ("TC-5", "chưa đạt", 0.0, None),
    ("TC-5", "Chua dat", 0.0, None),
    ("TC-5", "Đã hoàn thành", 1.0, None),
]


async def test_accepted_value_formats(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        for code, typed, _, _ in ACCEPTED:
            await to_value_step(chat, anh, code)
            out = await chat.text(anh, typed)
            assert "Thêm ghi chú" in out, (typed, out)
            await press(chat, anh, "rep:skip")
            await press(chat, anh, "rep:done")
            assert "Đã ghi nhận" in await press(chat, anh, "rep:ok:"), typed
    stored = [(r.value, None if r.denominator is None else (r.numerator, r.denominator))
              for r in reports(office)]
    assert stored == [(value, ratio) for _, _, value, ratio in ACCEPTED]


async def test_yes_no_target_by_button(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        out = await to_value_step(chat, anh, "TC-5")
        assert "hoàn thành chưa" in out
        await press(chat, anh, "rep:v:1")
        await press(chat, anh, "rep:skip")
        out = await press(chat, anh, "rep:done")
        assert "Giá trị: đạt" in out
        out = await press(chat, anh, "rep:ok:")
    assert "Đã ghi nhận đạt cho TC-5" in out and "Đã đạt chỉ tiêu" in out


REJECTED = [
    ("TC-1", "abc", "Tôi chưa đọc được giá trị này."),
    ("TC-1", "120", "Giá trị phải từ 0 đến 100."),
    ("TC-1", "100,5%", "Giá trị phải từ 0 đến 100."),
    ("TC-1", "7/5", "số đạt không vượt quá tổng số"),
    ("TC-1", "3/0", "tổng số phải lớn hơn 0"),
    ("TC-1", "62 người", "không đúng đơn vị"),
    ("TC-1", "-5", "Tôi chưa đọc được giá trị này."),
    ("TC-1", "đạt", "Tôi chưa đọc được giá trị này."),
    ("TC-1", "9" * 400, "Tôi chưa đọc được giá trị này."),
    ("TC-5", "62", "chỉ nhận \"đạt\" hoặc \"chưa đạt\""),
    ("TC-5", "có lẽ", "chỉ nhận \"đạt\" hoặc \"chưa đạt\""),
]


async def test_rejected_values_are_explained_with_an_example_and_asked_again(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        for code, typed, why in REJECTED:
            question = (await to_value_step(chat, anh, code)).splitlines()[-1]
            out = await chat.text(anh, typed)
            assert why in out, (typed, out)
            assert "Ví dụ:" in out, f"{typed!r}: an example of what is accepted"
            assert question.split(":")[0] in out, f"{typed!r}: the question is asked again"
            assert ERROR not in out and "Traceback" not in out
            [draft] = drafts(office).values()
            assert draft["step"] == "value" and draft["value"] is None, typed
            out = await chat.text(anh, "đạt" if code == "TC-5" else "55")
            assert "Thêm ghi chú" in out, f"{typed!r}: a good value is taken after a bad one"
            await chat.text(anh, "/cancel")
    assert not reports(office)


async def test_document_evidence_pdf_docx_xlsx_and_a_refused_type(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await to_value_step(chat, anh, "TC-1")
        await chat.text(anh, "70")
        # a document at the note step is evidence; its caption becomes the note
        out = rendered(await chat.feed(document_update(chat, anh, "DOC-1", "bien-ban.pdf", PDF,
                                                       caption="Biên bản rà soát")))
        assert "📎 Đã nhận 1 tệp" in out
        out = rendered(await chat.feed(document_update(chat, anh, "DOC-2", "danh-muc.docx",
                                                       DOCX)))
        assert "📎 Đã nhận 2 tệp" in out
        out = rendered(await chat.feed(document_update(chat, anh, "DOC-3", "so-lieu.xlsx",
                                                       XLSX, size=90_000)))
        assert "📎 Đã nhận 3 tệp" in out
        out = rendered(await chat.feed(document_update(chat, anh, "DOC-4", "virus.exe",
                                                       "application/x-msdownload")))
        assert "Không nhận được tệp \"virus.exe\"" in out and "PDF, DOCX hoặc XLSX" in out
        # the same file twice is kept once
        out = rendered(await chat.feed(document_update(chat, anh, "DOC-1", "bien-ban.pdf", PDF)))
        assert "📎 Đã nhận 3 tệp" in out
        out = await press(chat, anh, "rep:done")
        assert "Ghi chú: Biên bản rà soát" in out and "Minh chứng: 3 tệp" in out
        out = await press(chat, anh, "rep:ok:")
        assert "Kèm 3 tệp minh chứng" in out
    [report] = reports(office)
    files = evidence(office, report.id)
    assert [(f.file_id, f.file_name, f.mime_type, f.size) for f in files] == [
        ("DOC-1", "bien-ban.pdf", PDF, 2048),
        ("DOC-2", "danh-muc.docx", DOCX, 2048),
        ("DOC-3", "so-lieu.xlsx", XLSX, 90_000),
    ]
    assert all(f.file_unique_id == f"u-{f.file_id}" and f.local_path is None for f in files)


async def test_a_file_before_the_value_is_asked_for_later(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await to_value_step(chat, anh, "TC-1")
        out = rendered(await chat.feed(chat.request.photo_update(anh, "EARLY")))
        assert "gửi sau khi nhập giá trị" in out and "Nhập tỷ lệ" in out
        [draft] = drafts(office).values()
        assert draft["evidence"] == [] and draft["step"] == "value"


CANCEL_AT = {
    "target": [],
    "value": ["rep:t:TC-1"],
    "note": ["rep:t:TC-1", "62"],
    "evidence": ["rep:t:TC-1", "62", "rep:skip"],
    "summary": ["rep:t:TC-1", "62", "rep:skip", "rep:done"],
    "edit": ["rep:t:TC-1", "62", "rep:skip", "rep:done", "rep:edit"],
}


@pytest.mark.parametrize("how", ["/cancel", "button"])
async def test_cancel_at_every_step(office, how):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        for step, actions in CANCEL_AT.items():
            await chat.text(anh, "/report")
            for action in actions:
                if action.startswith("rep:"):
                    await press(chat, anh, action)
                else:
                    await chat.text(anh, action)
            [draft] = drafts(office).values()
            assert draft["step"] == step
            if how == "/cancel" or not any(d == "rep:cancel" for _, d in menu(chat, anh)):
                out = await chat.text(anh, "/cancel")
            else:
                out = await press(chat, anh, "rep:cancel")
            assert "Đã hủy báo cáo, chưa có gì được lưu" in out, step
            assert drafts(office) == {}, step
            # the conversation is over: a number is no longer a value
            out = await chat.text(anh, "62")
            assert "Thêm ghi chú" not in out, step
            assert "Không có thao tác nào đang dở" in await chat.text(anh, "/cancel")
    assert not reports(office)


def timeout_jobs(chat: Chat) -> list:
    return [j for j in chat.app.job_queue.jobs() if "_trigger_timeout" in repr(j.callback)]


def report_conversation(chat: Chat) -> ConversationHandler:
    [handler] = [h for h in chat.app.handlers[0]
                 if isinstance(h, ConversationHandler) and h.name == "report"]
    return handler


async def test_timeout_job_closes_the_report_with_a_message(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await to_value_step(chat, anh, "TC-1")
        [job] = timeout_jobs(chat)
        delay = job.next_t.timestamp() - time.time()
        assert 29 * 60 < delay <= 30 * 60, "PTB's job fires after 30 idle minutes"
        start = len(chat.request.outbox)
        await job.run(chat.app)  # as if the 30 minutes had passed
        out = rendered(chat.request.outbox[start:])
        assert "Phiên báo cáo TC-1 đã đóng vì không có thao tác trong 30 phút" in out
        assert "chưa có gì được lưu" in out and "/report" in out
        assert drafts(office) == {}
        out = await chat.text(anh, "62")
        assert "Thêm ghi chú" not in out and not reports(office)


async def test_idle_timeout_setting_is_used(office):
    async with Chat(office, PARBOT_REPORT_IDLE_MINUTES=5) as chat:
        anh = chat.officer("Diệu Anh")
        await to_value_step(chat, anh, "TC-1")
        assert report_conversation(chat).conversation_timeout == 300
        [job] = timeout_jobs(chat)
        assert 4 * 60 < job.next_t.timestamp() - time.time() <= 5 * 60
        clock.advance(minutes=6)
        assert "trong 5 phút" in await chat.text(anh, "62")


async def test_idle_time_is_also_checked_on_the_next_message(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await to_value_step(chat, anh, "TC-1")
        clock.advance(minutes=29)
        assert "Thêm ghi chú" in await chat.text(anh, "62"), "29 minutes: still open"
        clock.advance(minutes=31)
        out = await chat.text(anh, "ghi chú muộn")
        assert "đã đóng vì không có thao tác trong 30 phút" in out
        assert drafts(office) == {} and not reports(office)


async def test_second_report_asks_whether_to_restart(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await to_value_step(chat, anh, "TC-1")
        out = await chat.text(anh, "/report")
        assert "đang báo cáo dở TC-1" in out
        out = await press(chat, anh, "rep:continue")
        assert "TC-1 ·" in out and "Nhập tỷ lệ" in out
        assert "Thêm ghi chú" in await chat.text(anh, "40")
        out = await chat.text(anh, "báo cáo TC-3")
        assert "đang báo cáo dở TC-1" in out
        out = await press(chat, anh, "rep:restart")
        assert "TC-3 ·" in out, "starting over uses the new command's target"
        assert "Thêm ghi chú" in await chat.text(anh, "90")
        await press(chat, anh, "rep:skip")
        await press(chat, anh, "rep:done")
        await press(chat, anh, "rep:ok:")
    [report] = reports(office)
    assert report.target_id == target_id(office, "TC-3") and report.value == 90


async def test_typed_bao_cao_starts_a_report(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        assert "Chọn chỉ tiêu cần báo cáo" in await chat.text(anh, "báo cáo")
        await chat.text(anh, "/cancel")
        assert "Chọn chỉ tiêu" in await chat.text(anh, "Bao cao tien do")
        await chat.text(anh, "/cancel")
        out = await chat.text(anh, "bao cao TC-2 35")
        assert "Kiểm tra lại" in out and "35%" in out
        await chat.text(anh, "/cancel")
        out = await chat.text(anh, "báo cáo quý này thế nào")
        assert "Chọn chỉ tiêu" not in out, "a question about reports is not a report"


async def test_report_button_from_the_greeting_starts_the_conversation(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await chat.text(anh, "/start")
        out = await press(chat, anh, "cmd:report")
        assert "Chọn chỉ tiêu cần báo cáo" in out
        assert "TC-1 ·" in await press(chat, anh, "rep:t:TC-1")


async def test_edit_from_the_summary(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await to_value_step(chat, anh, "TC-1")
        await chat.text(anh, "40")
        await chat.text(anh, "ghi chú cũ")
        await chat.feed(chat.request.photo_update(anh, "P1"))
        await press(chat, anh, "rep:done")
        await press(chat, anh, "rep:edit")
        out = await press(chat, anh, "rep:e:value")
        assert "Nhập tỷ lệ" in out
        out = await chat.text(anh, "45")
        assert "Giá trị: 45%" in out and "Ghi chú: ghi chú cũ" in out, "back to the summary"
        await press(chat, anh, "rep:edit")
        await press(chat, anh, "rep:e:note")
        out = await chat.text(anh, "ghi chú mới")
        assert "Ghi chú: ghi chú mới" in out and "1 tệp" in out
        await press(chat, anh, "rep:edit")
        await press(chat, anh, "rep:e:evidence")
        out = await press(chat, anh, "rep:clear")
        assert "Đã bỏ các tệp minh chứng" in out
        out = await press(chat, anh, "rep:done")
        assert "Minh chứng: không có" in out
        # an old button from an earlier step is refused politely, the summary asked again
        out = rendered(await chat.feed(button_update(chat, anh, "rep:t:TC-2")))
        assert "thuộc bước trước" in out and "Kiểm tra lại" in out
        await press(chat, anh, "rep:ok:")
    [report] = reports(office)
    assert (report.value, report.note) == (45.0, "ghi chú mới")
    assert evidence(office, report.id) == []


async def test_typed_text_where_a_button_is_expected(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await to_summary(chat, anh, "TC-1", "50")
        out = await chat.text(anh, "có lẽ")
        assert "bấm một nút bên dưới" in out and "Kiểm tra lại" in out
        out = await chat.text(anh, "xác nhận")  # typing a button's label presses it
        assert "Đã ghi nhận 50%" in out


async def test_pooled_ratio_across_schools_and_schools_not_reported_flagged(office):
    async with Chat(office) as chat:
        binh = chat.officer("Văn Bình")  # principal, THCS Lê Lợi
        mai = chat.officer("Trần Thị Mai")  # principal, Tiểu học Văn Yên
        out = await chat.text(binh, "/report")
        codes = [d.split(":")[2] for _, d in menu(chat, binh) if d.startswith("rep:t:")]
        assert sorted(codes) == ["CQS-1", "CV-1", "CV-2", "CV-3"], "targets measured per school"
        await chat.text(binh, "/cancel")
        out = await to_summary(chat, binh, "CQS-1", "31/50")
        assert f"Đơn vị: {LE_LOI}" in out, "a principal reports for their own school"
        out = await press(chat, binh, "rep:ok:")
        assert "Chung các trường (1/2 trường đã báo cáo): 62% (31/50)" in out
        assert f"Chưa báo cáo: {VAN_YEN}." in out
        await to_summary(chat, mai, "CQS-1", "20/30")
        out = await press(chat, mai, "rep:ok:")
        assert "Chung các trường (2/2 trường đã báo cáo): 63,8% (51/80)" in out
        assert "Chưa báo cáo" not in out
    with Session(office) as session:
        figure = current_figure(session, session.get(m.Target, target_id(office, "CQS-1")))
    assert (figure.numerator, figure.denominator, figure.value) == (51.0, 80.0, 63.75)
    assert figure.units_missing == []
    assert {r.unit_id for r in reports(office)} == {unit_id(office, LE_LOI),
                                                    unit_id(office, VAN_YEN)}


async def test_role_refusals(office):
    async with Chat(office) as chat:
        an = chat.officer("Tuấn An")
        out = await chat.text(an, "/report TC-1 50")
        assert "Chỉ tiêu TC-1 không được giao cho Anh/Chị" in out and "CQS-1" in out
        out = await chat.text(an, "/report KHONG-9")
        assert "Không có chỉ tiêu mã KHONG-9" in out
        binh = chat.officer("Văn Bình")
        out = await chat.text(binh, "/report TC-1 50")
        assert "không đo theo từng trường" in out and "CQS-1" in out
        leader = chat.officer("Thắng")  # the head of office owns CDDH-1/2 (IV.1)
        out = await chat.text(leader, "/report")
        assert "CDDH-1" in out and "CDDH-2" in out and "CQS-1" not in out
        await chat.text(leader, "/cancel")
        out = await chat.text(leader, "/report TC-1 50")
        assert "Chỉ tiêu TC-1 không được giao cho Anh/Chị" in out
        admin = chat.officer("Minh Quân")
        out = await chat.text(admin, "/report")
        assert "Lệnh /report không dành cho vai trò quản trị" in out
        guest = chat.user()
        assert "chưa có trong danh sách" in await chat.text(guest, "/report CQS-1 50")
        assert "chưa có trong danh sách" in await chat.text(guest, "báo cáo")
    assert not reports(office) and drafts(office) == {}


async def test_assignment_removed_before_confirm_is_refused(office):
    from bot.people.assignments import change_assignment

    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await to_summary(chat, anh, "TC-1", "50")
        change_assignment(office, None, "TC-1", "Diệu Anh", remove=True)
        out = await press(chat, anh, "rep:ok:")
    assert "không được giao cho Anh/Chị" in out and not reports(office)


async def test_confirm_pressed_twice_stores_one_report(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await to_summary(chat, anh, "TC-1", "50")
        [confirm] = [d for _, d in menu(chat, anh) if d.startswith("rep:ok:")]
        first = rendered(await chat.feed(button_update(chat, anh, confirm)))
        second = rendered(await chat.feed(button_update(chat, anh, confirm)))
    assert "Đã ghi nhận 50% cho TC-1" in first
    assert "đã được ghi nhận lúc 10/5/2025 09:00" in second and "Không lưu thêm" in second
    assert len(reports(office)) == 1


async def test_the_same_update_delivered_twice_is_handled_once(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        command = chat.request.text_update(anh, "/report TC-1")
        assert "Nhập tỷ lệ" in rendered(await chat.feed(command))
        assert await chat.feed(command) == [], "no restart question for the same /report"
        value = chat.request.text_update(anh, "62")
        assert "Thêm ghi chú" in rendered(await chat.feed(value))
        assert await chat.feed(value) == [], "the value is not taken again as the note"
        [draft] = drafts(office).values()
        assert draft["step"] == "note" and draft["note"] is None
        await press(chat, anh, "rep:skip")
        await press(chat, anh, "rep:done")
        [confirm] = [d for _, d in menu(chat, anh) if d.startswith("rep:ok:")]
        press_update = button_update(chat, anh, confirm)
        assert "Đã ghi nhận" in rendered(await chat.feed(press_update))
        again = rendered(await chat.feed(press_update))
        assert "Đã ghi nhận 62%" not in again
    assert len(reports(office)) == 1


async def test_english(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh", language_code="en")
        await chat.text(anh, "/lang en")
        out = await chat.text(anh, "/report TC-1 62.5 reviewed")
        assert "Please check the report" in out and "Value: 62.5%" in out
        out = await press(chat, anh, "rep:ok:")
        assert "Recorded 62.5% for TC-1" in out and "months left" in out
        out = await chat.text(anh, "/report TC-5")
        assert "Is the target done?" in out
        assert "This target takes only" in await chat.text(anh, "maybe")
        assert "Add a note" in await chat.text(anh, "done")


async def test_nothing_to_report(office):
    from bot.people.assignments import change_assignment

    change_assignment(office, None, "CQS-1", "Tuấn An", remove=True)
    with Session(office) as session:  # a principal whose roster line names no school
        [binh] = [o for o in session.exec(select(m.Officer)) if o.full_name.endswith("Văn Bình")]
        binh.unit_id = None
        session.add(binh)
        session.commit()
    async with Chat(office) as chat:
        out = await chat.text(chat.officer("Tuấn An"), "/report")
        assert "chưa được giao chỉ tiêu nào" in out and "/plan" in out
        out = await chat.text(chat.officer("Văn Bình"), "/report")
        assert "chưa gắn với trường nào" in out
    assert drafts(office) == {}
