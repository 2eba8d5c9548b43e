"""The /api/messages endpoint over real HTTP: malformed activities and the JWT check."""

from __future__ import annotations

import base64
import json

import pytest

from teams_stack import TeamsStack, post_json


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not an object"),
        (json.dumps({"type": 7, "conversation": "x"}).encode(), "not a valid activity"),
        (json.dumps({"type": "message", "text": "hi"}).encode(), "conversation.id"),
        (json.dumps({"type": "message", "conversation": {"id": "a:1"}}).encode(), "serviceUrl"),
    ],
)
def test_a_malformed_activity_gets_400_and_the_server_keeps_serving(
    teams_http: TeamsStack, body: bytes, problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    status, answer = post_json(teams_http.endpoint, body)
    assert status == 400
    assert problem in json.loads(answer)["error"]
    assert any("malformed activity" in record.getMessage() for record in caplog.records)
    assert teams_http.connector.log.calls() == []
    # still alive: a real activity is answered afterwards
    user = teams_http.user("aad-after-400")
    assert user.says("こんにちは") == 202
    assert teams_http.messages_to(user)


def _unsigned_token() -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"aud": "00000000-1111-2222-3333-444444444444", "iss": "https://api.botframework.com",
              "serviceurl": "http://127.0.0.1/"}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer " + _unsigned_token()}, {"Authorization": "Basic dXNlcjpwYXNz"},
     {"Authorization": "Bearer not-a-jwt"}],
    ids=["no token", "unsigned token", "not bearer", "garbage"],
)
def test_with_credentials_the_jwt_check_rejects_an_unsigned_request(
    secured_endpoint: str, connector: object, headers: dict[str, str]
) -> None:
    activity = {
        "type": "message", "id": "m1", "text": "こんにちは", "channelId": "msteams",
        "serviceUrl": "http://127.0.0.1:9/", "from": {"id": "29:intruder"}, "recipient": {"id": "28:bot"},
        "conversation": {"id": "a:intruder", "conversationType": "personal"},
    }
    status, _ = post_json(secured_endpoint, activity, headers)
    assert status == 401


def test_with_credentials_even_a_malformed_body_is_refused_before_it_is_read(secured_endpoint: str) -> None:
    status, _ = post_json(secured_endpoint, b"{not json")
    assert status == 401
