"""The thing a question counts ("bao nhiêu trường") and whether it asks an amount: "máy" (a
machine) typed with its tone is no "mấy" (how many)."""

from bot.answers.extract import asks_amount, counted


def test_the_thing_counted():
    assert counted("mỗi trường cần bao nhiêu máy tính") == ["maymoc"]
    assert counted("quận có bao nhiêu trường") == ["truong"]
    assert counted("bn tien z") == ["tien"]
    assert counted("bộ máy có mấy phòng") == ["phong"]
    for bare in ("SIPAS bao nhiêu", "bao nhiêu %", "mấy lần một năm", "bn vậy ad",
                 "tăng từ bao nhiêu lên bao nhiêu", "kế hoạch có mấy giai đoạn"):
        assert counted(bare) == [], bare


def test_a_machine_is_no_amount():
    assert not asks_amount("cần máy tính gì")
    assert asks_amount("cần bao nhiêu máy tính")
    assert asks_amount("bộ máy có mấy phòng")
    assert not asks_amount("tinh gọn bộ máy thế nào")


def test_mấy_before_a_what_is_the_not_a_count():
    assert counted("mấy khóa bồi dưỡng phải chú trọng kỹ năng gì") == []
    assert counted("mấy trường phải báo cáo") == ["truong"]
