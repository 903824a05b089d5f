"""At the door of `POST /slack/events`: a request that is not correctly signed gets 401,
whatever else is wrong with it; a body over 1 MB gets 413; a content type Slack does not send,
or a signed body Slack would never send, gets 400. None of them reaches a listener, and none
logs an error."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from bot.door import MAX_BODY_BYTES
from slack_standin.payloads import Response
from slack_standin.requester import byte_signature
from tests.e2e.conftest import SIGNING_SECRET, Slack

FORM = b"application/x-www-form-urlencoded"
JSON = b"application/json"
STATUS = urlencode(
    {
        "command": "/license",
        "text": "status",
        "team_id": "T0001",
        "user_id": "UOWNER",
        "channel_id": "C0GENERAL",
        "trigger_id": "1.2.3",
        "response_url": "https://hooks.slack.com/commands/T0001/1/x",
    }
).encode()  # the owner's `/license status`, which opens the account when it is let in


@dataclass(frozen=True)
class Raw:
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]


def signing(body: bytes, timestamp: str | None = None, secret: str = SIGNING_SECRET) -> Raw:
    """`body` as a form post, signed with `secret` at `timestamp` (now by default)."""
    ts = timestamp if timestamp is not None else str(int(time.time()))
    return Raw(
        body,
        (
            (b"Content-Type", FORM),
            (b"X-Slack-Request-Timestamp", ts.encode()),
            (b"X-Slack-Signature", byte_signature(secret, ts, body).encode()),
        ),
    )


def replaced(raw: Raw, name: bytes, *values: bytes) -> Raw:
    """`raw` with header `name` given `values` (none: left out)."""
    kept = tuple((n, v) for n, v in raw.headers if n != name)
    return Raw(raw.body, kept + tuple((name, value) for value in values))


def with_content_type(raw: Raw, content_type: bytes) -> Raw:
    return replaced(raw, b"Content-Type", content_type)


def at(timestamp: str) -> Raw:
    """The owner's `/license status` signed with the right secret, at a timestamp Slack would
    never send: only the timestamp is wrong."""
    return signing(STATUS, timestamp)


def not_correctly_signed() -> dict[str, Raw]:
    """Requests that are not correctly signed, each with something else wrong besides; the
    ones with a body fault carry a signature made with a stranger's secret."""
    now = int(time.time())
    good = signing(STATUS)
    signature = dict(good.headers)[b"X-Slack-Signature"]
    other_body = dict(signing(b"text=buy").headers)[b"X-Slack-Signature"]

    def stranger(body: bytes) -> Raw:
        return signing(body, secret="not-the-signing-secret")

    return {
        "no signature headers": replaced(
            replaced(good, b"X-Slack-Signature"), b"X-Slack-Request-Timestamp"
        ),
        "a stale timestamp": at(str(now - 6 * 60)),
        "a timestamp from the future": at(str(now + 6 * 60)),
        "a timestamp that is a word": at("abc"),
        "a timestamp with an exponent": at("1e+20"),
        "a timestamp with a fraction": at(f"{now}.5"),
        "a huge timestamp": at("9" * 5000),
        "a negative timestamp": at("-1"),
        "an empty timestamp": at(""),
        "a timestamp with a plus sign": at(f"+{now}"),
        "a timestamp with underscores": at(f"{now:_}"),
        "a timestamp in Arabic-Indic digits": at(str(now).translate(ARABIC_INDIC)),
        "a timestamp but no signature": replaced(good, b"X-Slack-Signature"),
        "a signature but no timestamp": replaced(good, b"X-Slack-Request-Timestamp"),
        "the signature of another body": replaced(good, b"X-Slack-Signature", other_body),
        "a signature made with another secret": stranger(STATUS),
        "a signature without its version": replaced(good, b"X-Slack-Signature", signature[3:]),
        "a signature that is not ASCII": replaced(
            good, b"X-Slack-Signature", b"v0=" + b"\xff" * 64
        ),
        "two signatures, the right one last": replaced(
            good, b"X-Slack-Signature", b"v0=" + b"0" * 64, signature
        ),
        "a body that is not UTF-8": stranger(b"text=\xff\xfe"),
        "payload={": stranger(b"payload={"),
        "payload=[1]": stranger(b"payload=%5B1%5D"),
        "payload=null": stranger(b"payload=null"),
        "a JSON array": with_content_type(stranger(b"[1, 2]"), JSON),
        "a form body that starts with {": stranger(b"{text=status"),
        "a body cut short": replaced(
            replaced(good, b"X-Slack-Signature"), b"Content-Length", b"100000"
        ),
        "another header that is not UTF-8": replaced(
            stranger(STATUS), b"User-Agent", b"Slackbot \xff"
        ),
        "a content type Slack never sends": with_content_type(stranger(STATUS), b"text/plain"),
        "an SSL check carrying a command": Raw(
            b"ssl_check=1&token=t&" + STATUS, ((b"Content-Type", FORM),)
        ),
    }


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.fixture
def logs(
    slack: Slack, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> pytest.LogCaptureFixture:
    """Every record, uvicorn's too: its loggers keep their records from the root's handlers."""
    monkeypatch.setattr(logging.getLogger("uvicorn"), "propagate", True)
    return caplog


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def post(slack: Slack, raw: Raw) -> Response:
    return slack.send.post_raw(raw.body, raw.headers)


def assert_let_nothing_in(slack: Slack) -> None:
    assert list(slack.service.export()) == []
    assert slack.fake.calls() == []


def test_requests_not_correctly_signed_get_401_whatever_else_is_wrong_with_them(
    slack: Slack, logs: pytest.LogCaptureFixture
) -> None:
    kinds = not_correctly_signed()
    assert len(kinds) >= 20
    answers = {name: post(slack, raw).status for name, raw in kinds.items()}
    assert answers == dict.fromkeys(kinds, 401)
    assert errors(logs) == []
    assert_let_nothing_in(slack)


def test_slacks_ssl_check_which_slack_sends_unsigned_gets_an_empty_200_and_goes_no_further(
    slack: Slack,
) -> None:
    answer = post(slack, Raw(b"ssl_check=1&token=legacy-token", ((b"Content-Type", FORM),)))
    assert (answer.status, answer.body) == (200, "")
    assert_let_nothing_in(slack)


def test_the_same_command_correctly_signed_is_let_in(slack: Slack) -> None:
    """The requests above differ from this one only in what makes them wrong."""
    answer = post(slack, signing(STATUS))
    assert answer.status == 200
    assert "Subscription *trialing*" in answer.body
    assert [account.team_id for account in slack.service.export()] == ["T0001"]


def test_a_body_over_one_megabyte_gets_413(slack: Slack, logs: pytest.LogCaptureFixture) -> None:
    too_big = STATUS + b"&pad=" + b"x" * (MAX_BODY_BYTES - len(STATUS) - 4)
    assert len(too_big) == MAX_BODY_BYTES + 1
    assert post(slack, signing(too_big)).status == 413
    assert errors(logs) == []
    assert_let_nothing_in(slack)


def test_a_body_of_exactly_one_megabyte_is_let_in(slack: Slack) -> None:
    largest = STATUS + b"&pad=" + b"x" * (MAX_BODY_BYTES - len(STATUS) - 5)
    assert len(largest) == MAX_BODY_BYTES
    assert post(slack, signing(largest)).status == 200


def test_a_chunked_body_that_goes_on_past_the_limit_gets_413_before_it_ends(
    slack: Slack, logs: pytest.LogCaptureFixture
) -> None:
    """No Content-Length, and no last chunk: the door answers once it has read too much."""
    chunk = b"x" * 65536
    endless = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * (MAX_BODY_BYTES // len(chunk) + 1)
    raw = replaced(signing(STATUS), b"Transfer-Encoding", b"chunked")
    assert slack.send.post_raw(endless, raw.headers).status == 413
    assert errors(logs) == []
    assert_let_nothing_in(slack)


@pytest.mark.parametrize(
    "content_type",
    [
        b"text/plain",
        b"multipart/form-data; boundary=x",
        b"application/xml",
        b"application/json; charset=latin-1",
        b"application/x-www-form-urlencoded; version=2",
        b"application/jsonx",
        b"",
    ],
)
def test_a_correctly_signed_request_of_another_content_type_gets_400(
    slack: Slack, logs: pytest.LogCaptureFixture, content_type: bytes
) -> None:
    raw = with_content_type(signing(STATUS), content_type)
    assert post(slack, raw).status == 400
    assert errors(logs) == []
    assert_let_nothing_in(slack)


def test_a_request_without_a_content_type_gets_400(slack: Slack) -> None:
    raw = replaced(signing(STATUS), b"Content-Type")
    assert post(slack, raw).status == 400
    assert_let_nothing_in(slack)


def test_content_types_with_a_utf_8_charset_are_let_in(slack: Slack) -> None:
    form = with_content_type(signing(STATUS), b"application/x-www-form-urlencoded; charset=UTF-8")
    assert post(slack, form).status == 200
    challenge = json.dumps({"type": "url_verification", "challenge": "c-42"}).encode()
    event = with_content_type(signing(challenge), b'application/json; charset="utf-8"')
    answer = post(slack, event)
    assert answer.status == 200 and "c-42" in answer.body


def as_json(body: bytes) -> Raw:
    return with_content_type(signing(body), JSON)


def signed_but_malformed() -> dict[str, Raw]:
    return {
        "payload={": signing(b"payload={"),
        "payload=[]": signing(b"payload=%5B%5D"),
        "payload=null": signing(b"payload=null"),
        'payload="text"': signing(b"payload=%22text%22"),
        "a body that is not UTF-8": signing(b"text=\xff\xfe&command=/license"),
        "an empty body": signing(b""),
        "a JSON array": as_json(b"[1, 2]"),
        "JSON that does not parse": as_json(b'{"type": '),
        "a JSON string": as_json(b'"event_callback"'),
        "JSON whose team is a number": as_json(b'{"type": "event_callback", "team": 5}'),
        "JSON nested too deep to read": signing(b"payload=" + b"%5B" * 100_000),
    }


def test_correctly_signed_bodies_that_slack_never_sends_get_400(
    slack: Slack, logs: pytest.LogCaptureFixture
) -> None:
    kinds = signed_but_malformed()
    answers = {name: post(slack, raw).status for name, raw in kinds.items()}
    assert answers == dict.fromkeys(kinds, 400)
    assert errors(logs) == []
    assert_let_nothing_in(slack)
