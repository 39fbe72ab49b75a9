"""SDK contract checks for the official Python clients, through each SDK's own API.

Clients and modes: alibabacloud-resourcemanager20200331 (Tea) with its default V3 signing
(ACS3-HMAC-SHA256), with signature_algorithm='ACS3-HMAC-SM3' and with signature_algorithm='v2'; aliyun-python-sdk-core + aliyun-python-sdk-resourcemanager
(legacy) with POST and GET in JSON, and XML through its raw get_response() path.

Every mode is held to one contract (`contract`); an adapter per client turns an action call
into the SDK's own call and hands back the response body with its wire (PascalCase) keys.
Prints one line per check (PASS/FAIL) and, last, "N passed, N failed". The emulator address
comes from RM_EMULATOR_HOSTPORT (host:port); tests/sdk/world.toml is the world it serves.
"""

import json
import os
import re
import traceback
import warnings
import xml.etree.ElementTree as ElementTree

warnings.simplefilter("ignore")

HOSTPORT = os.environ["RM_EMULATOR_HOSTPORT"]
MANAGEMENT = ("LTAI5tEmuManagement01", "EmuManagementSecret01")
UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[0-9A-F]{4}-[0-9A-F]{12}$")
HANDSHAKE_ID = re.compile(r"^h-[A-Za-z0-9]{16}$")
UNKNOWN = "h-Unkn0wnHandshake"

MISMATCH = (409, "HandshakeStatusMismatch", "The invitation is invalid.")
NOT_FOUND = (404, "EntityNotExists.Handshake", "The specified handshake does not exist.")
INVALID_ID = (400, "InvalidParameter.HandshakeId", "The HandshakeId is invalid.")
BAD_SIGNATURE = (400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
# V3 has its own wording (the live gateway's, quoted in aliyun/alibabacloud-csharp-sdk#40).
BAD_SIGNATURE_V3 = (400, "SignatureDoesNotMatch", "Specified signature does not match our calculation. server StringToSign is [")
BAD_TOKEN = (400, "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed.")
NONCE_USED = (400, "SignatureNonceUsed", "Specified signature nonce was used already.")
DUPLICATE = (409, "EntityAlreadyExists.Handshake", "Handshakes with the same target entity already exist.")
BAD_PAGE_SIZE = (400, "InvalidParameter", "Specified parameter PageSize is not valid.")

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


def assert_handshake(body, handshake_id, status):
    handshake = body["Handshake"]
    assert (handshake["HandshakeId"], handshake["Status"]) == (handshake_id, status), body
    assert handshake["ResourceDirectoryId"] == "rd-3G6zcw" and handshake["ExpireTime"].endswith("Z"), body
    assert UUID.match(body["RequestId"]), body


def listed_ids(body):
    items = body["Handshakes"]["Handshake"]
    assert int(body["TotalCount"]) == len(items), body
    return [item["HandshakeId"] for item in items]


# ---- The contract every client mode is held to ----------------------------------------


def contract(adapter, mode):
    """The checks, through `adapter` (one client in one mode); `mode` names its world entries."""
    label = adapter.label
    client = adapter.client(*invitee(mode))
    management = adapter.client(*MANAGEMENT)
    accept_id, cancel_id, sts_id = f"h-{mode}Accept0001", f"h-{mode}Cancel0001", f"h-{mode}StsAcc0001"
    decline_id = f"h-{mode}Declin0001"
    error = adapter.assert_error

    def accept(c, handshake_id):
        return adapter.call(c, "AcceptHandshake", HandshakeId=handshake_id)

    check(f"{label}: AcceptHandshake succeeds", lambda: assert_handshake(accept(client, accept_id), accept_id, "Accepted"))
    check(f"{label}: CancelHandshake succeeds", lambda: assert_handshake(
        adapter.call(management, "CancelHandshake", HandshakeId=cancel_id), cancel_id, "Cancelled"))
    check(f"{label}: HandshakeStatusMismatch", lambda: error(lambda: accept(client, accept_id), MISMATCH))
    check(f"{label}: EntityNotExists.Handshake", lambda: error(lambda: accept(client, UNKNOWN), NOT_FOUND))
    check(f"{label}: InvalidParameter.HandshakeId", lambda: error(lambda: accept(client, "h-bad"), INVALID_ID))
    check(f"{label}: a wrong caller is told the handshake does not exist",
          lambda: error(lambda: accept(management, sts_id), NOT_FOUND))
    wrong_secret = adapter.client(invitee(mode)[0], "wrong")
    check(f"{label}: a wrong secret is {adapter.bad_signature[1]}",
          lambda: error(lambda: accept(wrong_secret, UNKNOWN), adapter.bad_signature))
    check(f"{label}: an STS credential works",
          lambda: assert_handshake(accept(adapter.client(*sts(mode)), sts_id), sts_id, "Accepted"))
    bogus_token = adapter.client(*sts(mode)[:2], "bogus")
    check(f"{label}: a wrong STS token is refused", lambda: error(lambda: accept(bogus_token, UNKNOWN), BAD_TOKEN))

    # The rest of the lifecycle.
    check(f"{label}: DeclineHandshake succeeds", lambda: assert_handshake(
        adapter.call(client, "DeclineHandshake", HandshakeId=decline_id), decline_id, "Declined"))
    target = f"new-{mode.lower()}@fresh.example"
    sent = {}

    def invite():
        body = adapter.call(management, "InviteAccountToResourceDirectory", TargetEntity=target, TargetType="Email", Note="SDK")
        sent["id"] = body["Handshake"]["HandshakeId"]
        assert HANDSHAKE_ID.match(sent["id"]), body
        assert_handshake(body, sent["id"], "Pending")

    check(f"{label}: InviteAccountToResourceDirectory sends a Pending invitation", invite)
    check(f"{label}: EntityAlreadyExists.Handshake", lambda: error(lambda: adapter.call(
        management, "InviteAccountToResourceDirectory", TargetEntity=target, TargetType="Email"), DUPLICATE))
    check(f"{label}: GetHandshake reads it", lambda: assert_handshake(
        adapter.call(management, "GetHandshake", HandshakeId=sent.get("id")), sent.get("id"), "Pending"))
    check(f"{label}: ListHandshakesForResourceDirectory lists it", lambda: _assert(
        sent.get("id") in listed_ids(adapter.call(management, "ListHandshakesForResourceDirectory", PageNumber=1, PageSize=100))))
    check(f"{label}: ListHandshakesForAccount lists the invitee's invitations", lambda: _assert(
        {accept_id, cancel_id, decline_id} <= set(listed_ids(adapter.call(client, "ListHandshakesForAccount", PageSize=100)))))
    check(f"{label}: a bad PageSize is InvalidParameter", lambda: error(
        lambda: adapter.call(client, "ListHandshakesForAccount", PageSize=101), BAD_PAGE_SIZE))

    if hasattr(adapter, "access_denied"):
        def denied():
            add_fault({"action": "AcceptHandshake", "access_key_id": invitee(mode)[0], "code": "NoPermission", "times": 1})
            error = expect_raise(lambda: accept(client, accept_id))
            assert getattr(error, "status_code", None) == 403 and error.code == "NoPermission", repr(error)
            detail = adapter.access_denied(error) or {}
            assert detail.get("AuthAction") == "resourcemanager:AcceptHandshake", detail
            assert detail.get("AuthPrincipalDisplayName") == invitee(mode)[0], detail
            assert detail.get("AuthPrincipalType") == "SubUser" and detail.get("EncodedDiagnosticMessage"), detail

        check(f"{label}: a RAM denial carries its AccessDeniedDetail", denied)

    if adapter.nonce_owner is None:
        return

    def replay():
        owner, name = adapter.nonce_owner
        original = getattr(owner, name)
        setattr(owner, name, lambda: f"replayed-nonce-{mode}")
        try:
            error(lambda: accept(client, UNKNOWN), NOT_FOUND)
            error(lambda: accept(client, UNKNOWN), NONCE_USED)
        finally:
            setattr(owner, name, original)

    check(f"{label}: a replayed nonce is refused", replay)


def _assert(condition):
    assert condition


def add_fault(rule):
    """Adds a fault rule through the emulator's control plane."""
    import urllib.request

    request = urllib.request.Request(f"http://{HOSTPORT}/_emulator/faults", data=json.dumps(rule).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request) as reply:
        assert reply.status == 201, reply.status


# ---- Tea: alibabacloud-resourcemanager20200331 -------------------------------------------

from alibabacloud_resourcemanager20200331 import models as rm_models  # noqa: E402
from alibabacloud_resourcemanager20200331.client import Client as TeaClient  # noqa: E402
from alibabacloud_tea_openapi.exceptions import ClientException  # noqa: E402
from alibabacloud_tea_openapi.utils import Utils as TeaUtils  # noqa: E402
from alibabacloud_tea_openapi.utils_models import Config  # noqa: E402


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Tea:
    """The Tea client, with its default V3 signing or `signature_algorithm`."""

    nonce_owner = (TeaUtils, "get_nonce")

    def __init__(self, algorithm=None):
        self.algorithm = algorithm
        self.label = f"python tea {algorithm or 'v3'}"
        self.bad_signature = BAD_SIGNATURE if algorithm == "v2" else BAD_SIGNATURE_V3

    def client(self, key, secret, token=None):
        config = Config(access_key_id=key, access_key_secret=secret, security_token=token,
                        endpoint=HOSTPORT, protocol="http")
        if self.algorithm:
            config.signature_algorithm = self.algorithm
        return TeaClient(config)

    @staticmethod
    def access_denied(error):
        return error.access_denied_detail

    @staticmethod
    def call(client, action, **params):
        request = getattr(rm_models, f"{action}Request")(**{snake(k): v for k, v in params.items()})
        response = getattr(client, snake(action))(request)
        assert response.status_code == 200, response.status_code
        return response.body.to_map()

    @staticmethod
    def assert_error(call, expected):
        status, code, message = expected
        error = expect_raise(call)
        assert isinstance(error, ClientException), repr(error)
        assert (error.status_code, error.code) == (status, code), (error.status_code, error.code, error.message)
        assert message in error.message, error.message
        assert UUID.match(error.request_id or ""), error.request_id


# ---- Legacy: aliyun-python-sdk-core + aliyun-python-sdk-resourcemanager ------------------

import importlib  # noqa: E402

from aliyunsdkcore.acs_exception.exceptions import ServerException  # noqa: E402
from aliyunsdkcore.auth.credentials import StsTokenCredential  # noqa: E402
from aliyunsdkcore.client import AcsClient  # noqa: E402
from aliyunsdkcore.utils import parameter_helper  # noqa: E402


class Legacy:
    """The legacy AcsClient in JSON through do_action_with_exception, with `method`."""

    # The SDK rewrites the code only when the server's string to sign equals its own, byte for
    # byte: this proves the emulator's V1 string to sign is exact.
    bad_signature = (400, "InvalidAccessKeySecret", "")
    nonce_owner = (parameter_helper, "get_uuid")

    def __init__(self, method):
        self.method = method
        self.label = f"python legacy {method} JSON"

    @staticmethod
    def client(key, secret, token=None):
        if token:
            return AcsClient(region_id="cn-hangzhou", credential=StsTokenCredential(key, secret, token))
        return AcsClient(key, secret, "cn-hangzhou")

    def request(self, action, params):
        module = importlib.import_module(f"aliyunsdkresourcemanager.request.v20200331.{action}Request")
        request = getattr(module, f"{action}Request")()
        for name, value in params.items():
            getattr(request, f"set_{name}")(value)
        request.set_endpoint(HOSTPORT)
        request.set_protocol_type("http")
        request.set_method(self.method)
        return request

    def call(self, client, action, **params):
        return json.loads(client.do_action_with_exception(self.request(action, params)))

    @staticmethod
    def assert_error(call, expected):
        status, code, message = expected
        e = expect_raise(call)
        assert isinstance(e, ServerException), repr(e)
        got = (e.get_http_status(), e.get_error_code())
        assert got == (status, code), (got, e.get_error_msg())
        assert message in e.get_error_msg(), e.get_error_msg()
        assert UUID.match(e.get_request_id() or ""), e.get_request_id()


class XmlError(Exception):
    """A non-200 XML reply, as the raw path hands it back."""

    def __init__(self, status, fields):
        super().__init__(status, fields)
        self.status, self.fields = status, fields


def xml_to_dict(element):
    """An XML body as the JSON one would be: `Handshakes` holds a list under `Handshake`."""
    children = list(element)
    if not children:
        return element.text or ""
    if element.tag == "Handshakes":
        return {"Handshake": [xml_to_dict(child) for child in children]}
    return {child.tag: xml_to_dict(child) for child in children}


class LegacyXml(Legacy):
    """The legacy AcsClient with Format=XML through its raw get_response() path."""

    bad_signature = BAD_SIGNATURE
    # Nonce replay is covered by the JSON modes of the same SDK.
    nonce_owner = None

    def __init__(self):
        super().__init__("POST")
        self.label = "python legacy POST XML (raw)"

    def call(self, client, action, **params):
        request = self.request(action, params)
        request.set_accept_format("XML")
        status, headers, body = client.get_response(request)
        text = body.decode()
        assert headers.get("Content-Type") == "text/xml;charset=utf-8", headers
        assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>"), text
        root = ElementTree.fromstring(text)
        if status != 200:
            assert root.tag == "Error", text
            raise XmlError(status, xml_to_dict(root))
        assert root.tag == f"{action}Response", text
        return xml_to_dict(root)

    @staticmethod
    def assert_error(call, expected):
        status, code, message = expected
        e = expect_raise(call)
        assert isinstance(e, XmlError), repr(e)
        assert (e.status, e.fields["Code"]) == (status, code), (e.status, e.fields)
        assert message in e.fields["Message"], e.fields
        assert UUID.match(e.fields["RequestId"]), e.fields


if __name__ == "__main__":
    contract(Tea(), "PyTeV3")
    contract(Tea("ACS3-HMAC-SM3"), "PyTeS3")
    contract(Tea("v2"), "PyTeV2")
    contract(Legacy("POST"), "PyLegP")
    contract(Legacy("GET"), "PyLegG")
    contract(LegacyXml(), "PyLegX")
    print(f"{passed} passed, {failed} failed")
    raise SystemExit(1 if failed else 0)
