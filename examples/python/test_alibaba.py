"""Alibaba Cloud Resource Manager through the official Python SDKs, against the emulator.

Each test starts from the default world (the plugin resets it before every test that uses it),
so the well-known invitation h-Ih8IuPfvV0t0abcd is Pending for the "invitee" key every time.
"""

import pytest
from alibabacloud_resourcemanager20200331 import models
from aliyunsdkresourcemanager.request.v20200331.CancelHandshakeRequest import CancelHandshakeRequest
from aliyunsdkresourcemanager.request.v20200331.GetHandshakeRequest import GetHandshakeRequest

PENDING = "h-Ih8IuPfvV0t0abcd"


def accept(client, handshake_id=PENDING):
    return client.accept_handshake(models.AcceptHandshakeRequest(handshake_id=handshake_id))


@pytest.mark.parametrize("sdk, signature", [("tea", "V3"), ("tea-v1", "V1")])
def test_the_invitee_accepts(rm_client, rm_requests, sdk, signature):
    reply = accept(rm_client("invitee", sdk=sdk))
    assert reply.body.handshake.status == "Accepted"
    [call] = rm_requests.assert_called("AcceptHandshake", times=1, code="none", HandshakeId=PENDING)
    assert (call["signature"], call["access_key_id"]) == (signature, "LTAI5tEmuInvitee00001")


def test_accepting_twice_is_a_status_mismatch(rm_client, rm_error, rm_requests):
    client = rm_client("invitee")
    accept(client)
    with rm_error("HandshakeStatusMismatch") as caught:
        accept(client)
    # The SDK's own exception, with the catalog's status (409).
    assert type(caught.value).__name__ == "ClientException" and caught.error.status == 409
    rm_requests.assert_called("AcceptHandshake", times=1, code="HandshakeStatusMismatch")


def test_the_legacy_sdk_cancels(rm_client, rm_error, rm_requests):
    management = rm_client("management", sdk="legacy")
    request = CancelHandshakeRequest()
    request.set_HandshakeId(PENDING)
    assert b'"Status":"Cancelled"' in management.do_action_with_exception(request)
    with rm_error("HandshakeStatusMismatch", sdk="legacy"):
        management.do_action_with_exception(request)
    rm_requests.assert_called("CancelHandshake", times=2, HandshakeId=PENDING)


def test_a_stranger_is_told_the_handshake_does_not_exist(rm_client, rm_error):
    with rm_error("EntityNotExists.Handshake", status=404, message="does not exist"):
        accept(rm_client("management"))


def test_sts_keys(rm_client, rm_error):
    assert accept(rm_client("sts"), "h-Pend1ngAcc0unt02").body.handshake.status == "Accepted"
    with rm_error("InvalidSecurityToken.Expired"):
        accept(rm_client("sts-expired"))


def test_invite_then_list(rm_emulator, rm_client, rm_requests):
    management = rm_client("management", sdk="tea-v1")
    sent = management.invite_account_to_resource_directory(models.InviteAccountToResourceDirectoryRequest(
        target_entity="new-team@partner.example", target_type="Email", note="welcome"))
    handshake_id = sent.body.handshake.handshake_id
    listed = management.list_handshakes_for_resource_directory(
        models.ListHandshakesForResourceDirectoryRequest(page_size=100))
    assert handshake_id in [h.handshake_id for h in listed.body.handshakes.handshake]
    rm_requests.assert_called("InviteAccountToResourceDirectory", TargetEntity="new-team@partner.example")
    # The same, straight from the control plane.
    assert [e["action"] for e in rm_emulator.requests(code="none")] == [
        "InviteAccountToResourceDirectory", "ListHandshakesForResourceDirectory"]


def test_invitations_expire_after_14_days(rm_emulator, rm_client, rm_error):
    rm_emulator.clock.freeze()
    rm_emulator.clock.advance("14d")
    with rm_error("HandshakeStatusMismatch"):
        accept(rm_client("invitee"))
    request = GetHandshakeRequest()
    request.set_HandshakeId(PENDING)
    assert b'"Status":"Expired"' in rm_client("management", sdk="legacy").do_action_with_exception(request)
    assert rm_emulator.clock.get()["frozen"] is True
    rm_emulator.clock.resume()
    assert rm_emulator.clock.get()["frozen"] is False


def test_clock_set(rm_emulator):
    reading = rm_emulator.clock.set("2030-01-01T00:00:00Z")
    assert reading["now"].startswith("2030-01-01T00:00")


def test_a_throttling_fault(rm_emulator, rm_client, rm_error):
    rule = rm_emulator.faults.add("AcceptHandshake", "Throttling.User", times=1, retry_after_ms=500)
    assert [r["id"] for r in rm_emulator.faults.list()] == [rule["id"]]
    client = rm_client("invitee")
    with rm_error("Throttling.User") as caught:
        accept(client)
    assert type(caught.value).__name__ == "ThrottlingException"
    assert accept(client).body.handshake.status == "Accepted"  # the rule fired its one time
    assert rm_emulator.faults.list() == []


def test_faults_clear(rm_emulator):
    rm_emulator.faults.add("GetHandshake", latency_ms=50)
    rm_emulator.faults.add("CancelHandshake", "ServiceUnavailable", probability=0.5)
    assert rm_emulator.faults.clear() == 2


def test_state_round_trip(rm_emulator, rm_client, tmp_path):
    state = rm_emulator.state()
    assert {h["id"] for h in state["handshakes"]} >= {PENDING}
    # Load a changed document: the invitation gone, so accepting it is EntityNotExists.
    state["handshakes"] = [h for h in state["handshakes"] if h["id"] != PENDING]
    rm_emulator.load(state)
    assert PENDING not in {h["id"] for h in rm_emulator.state()["handshakes"]}
    # And from a file; the per-test reset brings the start world back afterwards.
    path = tmp_path / "world.json"
    path.write_text(__import__("json").dumps(rm_emulator.state()))
    assert rm_emulator.load(path)["status"] == "replaced"


@pytest.mark.rm_world("../worlds/partner.toml")
def test_a_world_of_its_own(rm_emulator, rm_client, rm_requests):
    keys = rm_emulator.keys
    assert (keys["management"].access_key_id, keys["invitee"].access_key_id) == (
        "LTAI5tHoldingAdmin01", "LTAI5tSubsidiary0001")
    assert accept(rm_client("invitee"), "h-Subs1diaryInv001").body.handshake.status == "Accepted"
    rm_requests.assert_called("AcceptHandshake", access_key_id="LTAI5tSubsidiary0001")


def test_the_world_is_back_after_rm_world(rm_emulator):
    assert rm_emulator.keys["invitee"].access_key_id == "LTAI5tEmuInvitee00001"
    assert rm_emulator.health()["world"]["handshakes"] == 13


def test_keys_by_role_and_by_id(rm_emulator):
    keys = rm_emulator.keys
    assert keys["invitee"].secret == "EmuInviteeSecret00001"
    assert keys["sts"].security_token == "EmuStsToken00001"
    assert keys["LTAI5tEmuInvitee00003"].role == "personal"
    assert keys.huawei["management"].account_id == "0a6d25d23900d45c0faac010e0fb4de0"
    with pytest.raises(KeyError, match="roles: management"):
        keys["nobody"]
