"""Random text at the value step of /report never crashes and never stores."""


from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.chat import Chat
from tests.report_helpers import (
    ERROR,
    drafts,
    office_fixture,  # noqa: F401  (the `office` fixture)
    reports,
)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(min_size=1, max_size=120), min_size=6, max_size=6),
       code=st.sampled_from(["TC-1", "TC-5"]))
async def test_random_text_at_the_value_step_never_crashes_and_never_stores(office, texts,
                                                                          code):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        for text in texts:
            await chat.text(anh, "/cancel")
            assert "Nhập tỷ lệ" in await chat.text(anh, f"/report {code}") or code == "TC-5"
            out = await chat.say(anh, text)
            rendered = "\n".join(o.render() for o in out)
            assert ERROR not in rendered and "Traceback" not in rendered
            assert not chat.errors, repr(chat.errors)  # no handler raised
            if text.strip() and not text.startswith("/"):
                assert out, f"no answer to {text!r}"
            assert not reports(office)
            for draft in drafts(office).values():
                assert draft["step"] in ("value", "note", "restart", "target"), draft
