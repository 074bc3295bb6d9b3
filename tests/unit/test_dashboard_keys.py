"""Telegram Mini App initData validation and the dashboard's signed links (bot.dashboard.keys)."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.dashboard import keys

TOKEN = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8"
USER = ('{"id":279058397,"first_name":"Vladislav","last_name":"Kibenko","username":"vdkfrost",'
        '"language_code":"ru","is_premium":true,"allows_write_to_pm":true}')
FIELDS = {"query_id": "AAHdF6IQAAAAAN0XohDhrOrc", "user": USER, "auth_date": "1662771648"}
# HMAC-SHA256(HMAC-SHA256("WebAppData", TOKEN), data_check_string), written out once and kept:
# a change of algorithm (key order, separator, secret derivation) breaks this vector.
VECTOR_HASH = "1311f04998ddf42dd61000a81a68d8b937675812c166814df4019a8f4f7d939c"


def documented_hash(fields: dict[str, str], token: str) -> str:
    """Telegram's documented steps, spelled out independently of bot.dashboard.keys."""
    data_check_string = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret_key = hmac.new(key=b"WebAppData", msg=token.encode(), digestmod=hashlib.sha256)
    return hmac.new(secret_key.digest(), data_check_string.encode(), hashlib.sha256).hexdigest()


def test_the_documented_algorithm_and_the_kept_vector_agree():
    assert documented_hash(FIELDS, TOKEN) == VECTOR_HASH
    signed = dict(parse_qsl(keys.sign_init_data(FIELDS, TOKEN)))
    assert signed["hash"] == VECTOR_HASH


def test_a_valid_init_data_gives_the_telegram_user():
    raw = urlencode({**FIELDS, "hash": VECTOR_HASH})
    user = keys.check_init_data(raw, TOKEN, max_age=3600, now=1662771648 + 60)
    assert (user.id, user.first_name, user.language_code) == (279058397, "Vladislav", "ru")
    assert user.hash == VECTOR_HASH


@pytest.mark.parametrize("change, reason", [
    (lambda f: {**f, "user": f["user"].replace("279058397", "279058398")}, "bad signature"),
    (lambda f: {**f, "auth_date": "1662771649"}, "bad signature"),
    (lambda f: {**f, "hash": "0" * 64}, "bad signature"),
    (lambda f: {k: v for k, v in f.items() if k != "hash"}, "no hash"),
])
def test_tampered_init_data_is_refused(change, reason):
    fields = change({**FIELDS, "hash": VECTOR_HASH})
    with pytest.raises(keys.Refused, match=reason):
        keys.check_init_data(urlencode(fields), TOKEN, max_age=3600, now=1662771648 + 60)


def test_another_bots_token_and_old_init_data_are_refused():
    raw = urlencode({**FIELDS, "hash": VECTOR_HASH})
    with pytest.raises(keys.Refused, match="bad signature"):
        keys.check_init_data(raw, "1:other", max_age=3600, now=1662771648)
    with pytest.raises(keys.Refused, match="expired"):
        keys.check_init_data(raw, TOKEN, max_age=3600, now=1662771648 + 3601)
    with pytest.raises(keys.Refused, match="future"):
        keys.check_init_data(raw, TOKEN, max_age=3600, now=1662771648 - 3600)
    with pytest.raises(keys.Refused):
        keys.check_init_data("", TOKEN, max_age=3600)
    with pytest.raises(keys.Refused, match="twice"):
        keys.check_init_data(raw + "&user=x", TOKEN, max_age=3600, now=1662771648)


def test_links_sign_and_check():
    secret = b"k" * 32
    token = keys.link_token(42, secret, seconds=900, now=1000.0)
    payload = keys.unsign(token, secret, "link", now=1000.0 + 899)
    assert payload["o"] == 42 and payload["k"] == "link" and len(payload["n"]) >= 16
    assert keys.link_token(42, secret, now=1000.0) != token, "each link has its own nonce"
    with pytest.raises(keys.Refused, match="expired"):
        keys.unsign(token, secret, "link", now=1000.0 + 901)
    with pytest.raises(keys.Refused, match="bad signature"):
        keys.unsign(token, b"x" * 32, "link", now=1000.0)
    body, mac = token.split(".")
    forged = keys._b64(keys._unb64(body).replace(b'"o":42', b'"o":12')) + "." + mac
    with pytest.raises(keys.Refused, match="bad signature"):
        keys.unsign(forged, secret, "link", now=1000.0)
    with pytest.raises(keys.Refused, match="malformed"):
        keys.unsign("nonsense", secret, "link")
    session = keys.session_token(42, "link", secret, now=time.time())
    with pytest.raises(keys.Refused, match="wrong kind"):
        keys.unsign(session, secret, "link"), "a session cookie is not a login link"
    assert keys.unsign(session, secret, "session")["o"] == 42


def test_addresses():
    assert keys.app_url("https://x.example/") == "https://x.example/app/"
    assert keys.link_url("https://x.example", "a.b") == "https://x.example/app/login?t=a.b"
