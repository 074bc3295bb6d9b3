"""The message catalogue: both languages say the same things with the same placeholders."""

from bot.core.catalogue import language, messages, placeholders, t


def test_languages_have_the_same_keys_and_placeholders():
    vi, en = messages("vi"), messages("en")
    assert set(vi) == set(en)
    for key in vi:
        assert placeholders(vi[key]) == placeholders(en[key]), key


def test_language_mapping_and_fallback():
    assert language("en-US") == "en"
    assert language(None) == "vi"
    assert language("fr") == "vi"
    assert t("due.days_left", "en", days=3) == "3 days left"
    assert t("due.days_left", "vi", days=3) == "còn 3 ngày"


def test_every_command_has_help_and_menu_text_in_both_languages():
    import handlers

    names = [name for name, _ in handlers.commands()]
    assert len(names) == len(set(names)), "a command registered twice"
    for lang in ("vi", "en"):
        for name in names:
            assert f"cmd.{name}" in messages(lang), (lang, name)
            assert f"menu.{name}" in messages(lang), (lang, name)
