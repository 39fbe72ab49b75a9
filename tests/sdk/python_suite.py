"""SDK contract checks for the official Python clients, through each SDK's own API.

Clients and modes: alibabacloud-resourcemanager20200331 (Tea) with its default V3 signing and
with signature_algorithm='v2'; aliyun-python-sdk-core + aliyun-python-sdk-resourcemanager
(legacy) with POST and GET in JSON, and XML through its raw get_response() path.

Prints one line per check (PASS/FAIL) and, last, "N passed, N failed". The emulator address
comes from RM_EMULATOR_HOSTPORT (host:port); tests/sdk/world.toml is the world it serves.
"""

import json
import os
import re
import traceback
import warnings

warnings.simplefilter("ignore")

HOSTPORT = os.environ["RM_EMULATOR_HOSTPORT"]
MANAGEMENT = ("LTAI5tEmuManagement01", "EmuManagementSecret01")
UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[0-9A-F]{4}-[0-9A-F]{12}$")
UNKNOWN = "h-Unkn0wnHandshake"

MISMATCH = (409, "HandshakeStatusMismatch", "The invitation is invalid.")
NOT_FOUND = (404, "EntityNotExists.Handshake", "The specified handshake does not exist.")
INVALID_ID = (400, "InvalidParameter.HandshakeId", "The HandshakeId is invalid.")
BAD_SIGNATURE = (400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
BAD_TOKEN = (400, "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed.")
NONCE_USED = (400, "SignatureNonceUsed", "Specified signature nonce was used already.")

passed = failed = 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"PASS {name}")
    except Exception as error:  # noqa: BLE001 - every failure is a reported check
        failed += 1
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        print(f"FAIL {name}: {detail}")


def invitee(mode):
    return f"SDK.{mode}", f"Secret{mode}"


def sts(mode):
    return f"STS.{mode}", f"StsSecret{mode}", f"StsToken{mode}"


def expect_raise(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the caller inspects it
        return error
    raise AssertionError("the call succeeded but an error was expected")


# ---- Tea: alibabacloud-resourcemanager20200331 -------------------------------------------

from alibabacloud_resourcemanager20200331 import models as rm_models  # noqa: E402
from alibabacloud_resourcemanager20200331.client import Client as TeaClient  # noqa: E402
from alibabacloud_tea_openapi.exceptions import ClientException  # noqa: E402
from alibabacloud_tea_openapi.utils import Utils as TeaUtils  # noqa: E402
from alibabacloud_tea_openapi.utils_models import Config  # noqa: E402


def tea(key, secret, token=None, algorithm=None):
    config = Config(access_key_id=key, access_key_secret=secret, security_token=token,
                    endpoint=HOSTPORT, protocol="http")
    if algorithm:
        config.signature_algorithm = algorithm
    return TeaClient(config)


def tea_accept(client, handshake_id):
    return client.accept_handshake(rm_models.AcceptHandshakeRequest(handshake_id=handshake_id))


def tea_cancel(client, handshake_id):
    return client.cancel_handshake(rm_models.CancelHandshakeRequest(handshake_id=handshake_id))


def tea_ok(response, handshake_id, status):
    assert response.status_code == 200, response.status_code
    handshake = response.body.handshake
    assert (handshake.handshake_id, handshake.status) == (handshake_id, status), handshake.to_map()
    assert handshake.resource_directory_id == "rd-3G6zcw" and handshake.expire_time.endswith("Z")
    assert UUID.match(response.body.request_id), response.body.request_id


def tea_error(call, expected):
    status, code, message = expected
    error = expect_raise(call)
    assert isinstance(error, ClientException), repr(error)
    assert (error.status_code, error.code) == (status, code), (error.status_code, error.code, error.message)
    assert message in error.message, error.message
    assert UUID.match(error.request_id or ""), error.request_id


def tea_suite(mode, algorithm):
    label = f"python tea {algorithm or 'v3'}"
    client = tea(*invitee(mode), algorithm=algorithm)
    management = tea(*MANAGEMENT, algorithm=algorithm)
    accept_id, cancel_id, sts_id = f"h-{mode}Accept0001", f"h-{mode}Cancel0001", f"h-{mode}StsAcc0001"

    check(f"{label}: AcceptHandshake succeeds", lambda: tea_ok(tea_accept(client, accept_id), accept_id, "Accepted"))
    check(f"{label}: CancelHandshake succeeds", lambda: tea_ok(tea_cancel(management, cancel_id), cancel_id, "Cancelled"))
    check(f"{label}: HandshakeStatusMismatch", lambda: tea_error(lambda: tea_accept(client, accept_id), MISMATCH))
    check(f"{label}: EntityNotExists.Handshake", lambda: tea_error(lambda: tea_accept(client, UNKNOWN), NOT_FOUND))
    check(f"{label}: InvalidParameter.HandshakeId", lambda: tea_error(lambda: tea_accept(client, "h-bad"), INVALID_ID))
    check(f"{label}: a wrong caller is told the handshake does not exist",
          lambda: tea_error(lambda: tea_accept(management, sts_id), NOT_FOUND))
    check(f"{label}: a wrong secret is SignatureDoesNotMatch",
          lambda: tea_error(lambda: tea_accept(tea(invitee(mode)[0], "wrong", algorithm=algorithm), UNKNOWN), BAD_SIGNATURE))
    check(f"{label}: an STS credential works",
          lambda: tea_ok(tea_accept(tea(*sts(mode), algorithm=algorithm), sts_id), sts_id, "Accepted"))
    check(f"{label}: a wrong STS token is refused",
          lambda: tea_error(lambda: tea_accept(tea(*sts(mode)[:2], "bogus", algorithm=algorithm), UNKNOWN), BAD_TOKEN))

    def replay():
        original = TeaUtils.get_nonce
        TeaUtils.get_nonce = staticmethod(lambda: f"replayed-nonce-{mode}")
        try:
            tea_error(lambda: tea_accept(client, UNKNOWN), NOT_FOUND)
            tea_error(lambda: tea_accept(client, UNKNOWN), NONCE_USED)
        finally:
            TeaUtils.get_nonce = original

    check(f"{label}: a replayed nonce is refused", replay)


# ---- Legacy: aliyun-python-sdk-core + aliyun-python-sdk-resourcemanager ------------------

from aliyunsdkcore.acs_exception.exceptions import ServerException  # noqa: E402
from aliyunsdkcore.auth.credentials import StsTokenCredential  # noqa: E402
from aliyunsdkcore.client import AcsClient  # noqa: E402
from aliyunsdkcore.utils import parameter_helper  # noqa: E402
from aliyunsdkresourcemanager.request.v20200331.AcceptHandshakeRequest import AcceptHandshakeRequest  # noqa: E402
from aliyunsdkresourcemanager.request.v20200331.CancelHandshakeRequest import CancelHandshakeRequest  # noqa: E402


def legacy(key, secret, token=None):
    if token:
        return AcsClient(region_id="cn-hangzhou", credential=StsTokenCredential(key, secret, token))
    return AcsClient(key, secret, "cn-hangzhou")


def legacy_request(cls, handshake_id, method, fmt=None):
    request = cls()
    request.set_HandshakeId(handshake_id)
    request.set_endpoint(HOSTPORT)
    request.set_protocol_type("http")
    request.set_method(method)
    if fmt:
        request.set_accept_format(fmt)
    return request


def legacy_suite(mode, method):
    label = f"python legacy {method} JSON"
    client = legacy(*invitee(mode))
    management = legacy(*MANAGEMENT)
    accept_id, cancel_id, sts_id = f"h-{mode}Accept0001", f"h-{mode}Cancel0001", f"h-{mode}StsAcc0001"

    def call(c, cls, handshake_id):
        return json.loads(c.do_action_with_exception(legacy_request(cls, handshake_id, method)))

    def ok(c, cls, handshake_id, status):
        body = call(c, cls, handshake_id)
        assert (body["Handshake"]["HandshakeId"], body["Handshake"]["Status"]) == (handshake_id, status), body
        assert UUID.match(body["RequestId"]), body

    def error(c, cls, handshake_id, expected):
        status, code, message = expected
        e = expect_raise(lambda: call(c, cls, handshake_id))
        assert isinstance(e, ServerException), repr(e)
        assert (e.get_http_status(), e.get_error_code()) == (status, code), (e.get_http_status(), e.get_error_code(), e.get_error_msg())
        assert message in e.get_error_msg(), e.get_error_msg()
        assert UUID.match(e.get_request_id() or ""), e.get_request_id()

    check(f"{label}: AcceptHandshake succeeds", lambda: ok(client, AcceptHandshakeRequest, accept_id, "Accepted"))
    check(f"{label}: CancelHandshake succeeds", lambda: ok(management, CancelHandshakeRequest, cancel_id, "Cancelled"))
    check(f"{label}: HandshakeStatusMismatch", lambda: error(client, AcceptHandshakeRequest, accept_id, MISMATCH))
    check(f"{label}: EntityNotExists.Handshake", lambda: error(client, AcceptHandshakeRequest, UNKNOWN, NOT_FOUND))
    check(f"{label}: InvalidParameter.HandshakeId", lambda: error(client, AcceptHandshakeRequest, "h-bad", INVALID_ID))
    check(f"{label}: a wrong caller is told the handshake does not exist",
          lambda: error(management, AcceptHandshakeRequest, sts_id, NOT_FOUND))
    # The SDK rewrites the code only when the server's string to sign equals its own, byte for byte.
    check(f"{label}: a wrong secret is InvalidAccessKeySecret (our string to sign is exact)",
          lambda: error(legacy(invitee(mode)[0], "wrong"), AcceptHandshakeRequest, UNKNOWN,
                        (400, "InvalidAccessKeySecret", "")))
    check(f"{label}: an STS credential works", lambda: ok(legacy(*sts(mode)), AcceptHandshakeRequest, sts_id, "Accepted"))
    check(f"{label}: a wrong STS token is refused",
          lambda: error(legacy(*sts(mode)[:2], "bogus"), AcceptHandshakeRequest, UNKNOWN, BAD_TOKEN))

    def replay():
        original = parameter_helper.get_uuid
        parameter_helper.get_uuid = lambda: f"replayed-nonce-{mode}"
        try:
            error(client, AcceptHandshakeRequest, UNKNOWN, NOT_FOUND)
            error(client, AcceptHandshakeRequest, UNKNOWN, NONCE_USED)
        finally:
            parameter_helper.get_uuid = original

    check(f"{label}: a replayed nonce is refused", replay)


def xml_field(body, name):
    match = re.search(rf"<{name}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</{name}>", body)
    return match.group(1) if match else None


def legacy_xml_suite(mode):
    label = "python legacy POST XML (raw)"
    client = legacy(*invitee(mode))
    management = legacy(*MANAGEMENT)
    accept_id, cancel_id, sts_id = f"h-{mode}Accept0001", f"h-{mode}Cancel0001", f"h-{mode}StsAcc0001"

    def call(c, cls, handshake_id):
        status, headers, body = c.get_response(legacy_request(cls, handshake_id, "POST", "XML"))
        body = body.decode()
        assert headers.get("Content-Type") == "text/xml;charset=utf-8", headers
        assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>'), body
        return status, body

    def ok(c, cls, handshake_id, status):
        code, body = call(c, cls, handshake_id)
        root = "AcceptHandshakeResponse" if cls is AcceptHandshakeRequest else "CancelHandshakeResponse"
        assert code == 200 and f"<{root}><RequestId>" in body, body
        assert (xml_field(body, "HandshakeId"), xml_field(body, "Status")) == (handshake_id, status), body
        assert UUID.match(xml_field(body, "RequestId")), body

    def error(c, cls, handshake_id, expected):
        status, code, message = expected
        got, body = call(c, cls, handshake_id)
        assert (got, xml_field(body, "Code")) == (status, code), body
        assert message in xml_field(body, "Message"), body
        assert UUID.match(xml_field(body, "RequestId")), body

    check(f"{label}: AcceptHandshake succeeds", lambda: ok(client, AcceptHandshakeRequest, accept_id, "Accepted"))
    check(f"{label}: CancelHandshake succeeds", lambda: ok(management, CancelHandshakeRequest, cancel_id, "Cancelled"))
    check(f"{label}: HandshakeStatusMismatch", lambda: error(client, AcceptHandshakeRequest, accept_id, MISMATCH))
    check(f"{label}: EntityNotExists.Handshake", lambda: error(client, AcceptHandshakeRequest, UNKNOWN, NOT_FOUND))
    check(f"{label}: InvalidParameter.HandshakeId", lambda: error(client, AcceptHandshakeRequest, "h-bad", INVALID_ID))
    check(f"{label}: a wrong caller is told the handshake does not exist",
          lambda: error(management, AcceptHandshakeRequest, sts_id, NOT_FOUND))
    check(f"{label}: a wrong secret is SignatureDoesNotMatch",
          lambda: error(legacy(invitee(mode)[0], "wrong"), AcceptHandshakeRequest, UNKNOWN, BAD_SIGNATURE))
    check(f"{label}: an STS credential works", lambda: ok(legacy(*sts(mode)), AcceptHandshakeRequest, sts_id, "Accepted"))
    check(f"{label}: a wrong STS token is refused",
          lambda: error(legacy(*sts(mode)[:2], "bogus"), AcceptHandshakeRequest, UNKNOWN, BAD_TOKEN))


if __name__ == "__main__":
    tea_suite("PyTeV3", None)
    tea_suite("PyTeV2", "v2")
    legacy_suite("PyLegP", "POST")
    legacy_suite("PyLegG", "GET")
    legacy_xml_suite("PyLegX")
    print(f"{passed} passed, {failed} failed")
    raise SystemExit(1 if failed else 0)
