"""Huawei Cloud Organizations through huaweicloudsdkorganizations, against the same emulator."""

import pytest
from huaweicloudsdkorganizations.v1 import (
    AcceptHandshakeRequest,
    CancelHandshakeRequest,
    ListHandshakesRequest,
    ListReceivedHandshakesRequest,
)

PENDING = "h-awjp43m7bz3b8jgy5v61jrfwakt3og8w"
TO_CANCEL = "h-cancelme000000000000000000000001"


def test_the_invitee_accepts(rm_client, rm_requests):
    reply = rm_client("invitee", sdk="huawei").accept_handshake(AcceptHandshakeRequest(handshake_id=PENDING))
    assert reply.handshake.status == "accepted"
    rm_requests.assert_called("AcceptHandshake", times=1, cloud="huawei", handshake_id=PENDING)
    rm_requests.assert_not_called("AcceptHandshake", cloud="alibaba")


def test_cancelling_twice_is_1401(rm_client, rm_error):
    management = rm_client("management", sdk="huawei")
    assert management.cancel_handshake(CancelHandshakeRequest(handshake_id=TO_CANCEL)).handshake.status == "cancelled"
    with rm_error("Organizations.1401", sdk="huawei") as caught:
        management.cancel_handshake(CancelHandshakeRequest(handshake_id=TO_CANCEL))
    assert type(caught.value).__name__ == "ClientRequestException" and caught.error.status == 400
    assert len(caught.error.request_id) == 32


def test_temporary_credentials(rm_client):
    received = rm_client("sts", sdk="huawei").list_received_handshakes(ListReceivedHandshakesRequest())
    assert PENDING in [h.id for h in received.handshakes]


def test_a_throttling_fault(rm_emulator, rm_client, rm_error):
    # The SDK never retries a POST: the 429 reaches the test as APIGW.0308.
    rm_emulator.faults.add("CancelHandshake", "APIGW.0308", cloud="huawei", times=1)
    management = rm_client("management", sdk="huawei")
    with rm_error("APIGW.0308", status=429):
        management.cancel_handshake(CancelHandshakeRequest(handshake_id=TO_CANCEL))
    assert management.cancel_handshake(CancelHandshakeRequest(handshake_id=TO_CANCEL)).handshake.status == "cancelled"


def test_a_get_is_retried_through_a_429(rm_emulator, rm_client):
    rm_emulator.faults.add("ListHandshakes", "APIGW.0308", cloud="huawei", times=1)
    management = rm_client("management", sdk="huawei", retry_times=2)  # options reach HttpConfig
    assert len(management.list_handshakes(ListHandshakesRequest()).handshakes) >= 2
    assert [e["code"] for e in rm_emulator.requests(cloud="huawei", action="ListHandshakes")] == ["APIGW.0308", None]


@pytest.mark.rm_world("../worlds/partner.toml")
def test_a_world_of_its_own(rm_emulator, rm_client):
    assert rm_emulator.keys.huawei["invitee"].access_key_id == "HWSUBSIDIARY00000001"
    client = rm_client("invitee", sdk="huawei")
    assert client.accept_handshake(
        AcceptHandshakeRequest(handshake_id="h-subsidiary00000000000000000001")).handshake.status == "accepted"
