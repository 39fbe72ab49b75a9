"""SDK contract checks for the Huawei Cloud Organizations facade, through the official Python SDK.

Client: huaweicloudsdkorganizations / huaweicloudsdkcore 3.1.219 (pinned by huawei-requirements.txt),
`huaweicloudsdkorganizations.v1.OrganizationsClient`, SDK-HMAC-SHA256 signing. Modes:
- endpoint: `GlobalCredentials(ak, sk, domain_id)` + `with_endpoint("http://HOSTPORT")`: all seven APIs
  (InviteAccount by `account` id and by `name` with tags, ListHandshakes and ListReceivedHandshakes walked
  with limit=1 through page_info.next_marker, ShowHandshake with every HandshakeDto field checked, Accept,
  Decline, Cancel), and the same without a domain id (no X-Domain-Id, no bootstrap);
- temporary credentials: `.with_security_token(token)`, and the token in the request field `x_security_token`;
- region bootstrap: no domain id, `with_region(Region("cn-north-4", URL))` and `with_iam_endpoint(URL)`, so the
  SDK first calls IAM `GET /v3/auth/domains` (checked in the journal when it records paths);
- environment only, in a subprocess: HUAWEICLOUD_SDK_REGION_ORGANIZATIONS_CN_NORTH_4, HUAWEICLOUD_SDK_AK/SK,
  HUAWEICLOUD_SDK_IAM_ENDPOINT (and a temporary-credential variant with HUAWEICLOUD_SDK_SECURITY_TOKEN);
- errors: ClientRequestException with status_code, error_code, error_msg and a 32-hex request_id for a wrong
  secret, an unknown AK, 1401, 1400, 1000 (bad id, limit=0), 1015, 1405; 429 APIGW.0308 fault rules retried on
  a GET (retry_times=2) and not on a POST; a failed bootstrap is SdkException("Failed to get domain id, ...").
The world is the emulator's embedded default Huawei world; POST /_emulator/reset restores it before each
check that changes it. Prints one line per check (PASS/FAIL) and, last, "N passed, N failed". The emulator
address comes from RM_EMULATOR_HOSTPORT (host:port). Run with --env-child only from this file itself.
"""

import atexit
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
import urllib.request
import warnings
from datetime import datetime, timedelta, timezone

warnings.simplefilter("ignore")

# The SDK writes $HOME/.huaweicloud/application_id when it is imported: give it a scratch HOME.
SCRATCH_HOME = tempfile.mkdtemp(prefix="huawei-suite-home-")
os.environ["HOME"] = SCRATCH_HOME
atexit.register(shutil.rmtree, SCRATCH_HOME, True)

from huaweicloudsdkcore.auth.credentials import Credentials, GlobalCredentials  # noqa: E402
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, SdkException  # noqa: E402
from huaweicloudsdkcore.http.http_config import HttpConfig  # noqa: E402
from huaweicloudsdkcore.region.region import Region  # noqa: E402
from huaweicloudsdkorganizations.v1 import (  # noqa: E402
    AcceptHandshakeRequest,
    CancelHandshakeRequest,
    DeclineHandshakeRequest,
    InviteAccountReqBody,
    InviteAccountRequest,
    ListHandshakesRequest,
    ListReceivedHandshakesRequest,
    OrganizationsClient,
    ShowHandshakeRequest,
    TagDto,
    TargetDto,
)
from huaweicloudsdkorganizations.v1.region.organizations_region import OrganizationsRegion  # noqa: E402

# The SDK logs connection and retry errors; without a handler they would reach stderr.
logging.getLogger("HuaweiCloud-SDK-OrganizationsClient").addHandler(logging.NullHandler())

HOSTPORT = os.environ["RM_EMULATOR_HOSTPORT"]
BASE = f"http://{HOSTPORT}"

ORGANIZATION = "o-fhkmi6mek7wlqdp6nideqhb47qwtjdsv"
MANAGEMENT_ID, MANAGEMENT_NAME = "0a6d25d23900d45c0faac010e0fb4de0", "paas_iam_573331"
MANAGEMENT = ("EMUHWMANAGEMENT00001", "EmuHwManagementSecret0000000000000000001")
INVITEE_ID, INVITEE_NAME = "05c734152f00d4200f2bc0179ac6c5e0", "paas_iam_573332"
INVITEE = ("EMUHWINVITEE00000001", "EmuHwInviteeSecret0000000000000000000001")
TEMPORARY = ("EMUHWTEMPINVITEE0001", "EmuHwTempSecret0000000000000000000000001", "EmuHwSecurityToken0001")
PENDING = "h-awjp43m7bz3b8jgy5v61jrfwakt3og8w"
TO_CANCEL = "h-cancelme000000000000000000000001"
UNKNOWN_AK = "EMUHWUNKNOWNAK000001"

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
NEW_HANDSHAKE_ID = re.compile(r"^h-[0-9a-z]{32}$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
STATUSES = {"pending", "accepted", "cancelled", "declined", "expired"}
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

BAD_SIGNATURE = (401, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest:")
UNKNOWN_KEY = (401, "APIGW.0301", f"Incorrect IAM authentication information: Get secretKey failed,ak:{UNKNOWN_AK},err:ak not exist")
ALREADY_CANCELLED = (400, "Organizations.1401", "The invitation has been canceled.")
NOT_FOUND = (404, "Organizations.1400", "The handshake does not exist.")
INVALID_PARAMETER = (400, "Organizations.1000", None)
NO_ORGANIZATION = (401, "Organizations.1015", "The organization is not found.")
DUPLICATE = (400, "Organizations.1405", "A pending invitation for this account already exists.")
THROTTLED = (429, "APIGW.0308", "The throttling threshold has been reached")

passed = failed = 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"PASS {name}", flush=True)
    except Exception as error:  # noqa: BLE001 - every failure is a reported check
        failed += 1
        detail = "".join(traceback.format_exception_only(type(error), error)).strip().replace("\n", " | ")
        print(f"FAIL {name}: {detail}", flush=True)


# ---- Control plane (urllib, never the SDK) -----------------------------------------------


def control(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{BASE}/_emulator{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read() or b"null")


def reset():
    body = control("POST", "/reset")
    assert isinstance(body, dict), body
    return body


def add_fault(action, code, times):
    return control("POST", "/faults", {"cloud": "huawei", "action": action, "code": code, "times": times})


def clear_faults():
    return control("DELETE", "/faults")


def fault_rules(action):
    return [rule for rule in control("GET", "/faults").get("faults", []) if rule.get("action") == action]


def journal(limit):
    return control("GET", f"/requests?cloud=huawei&limit={limit}").get("requests", [])


# ---- Clients -----------------------------------------------------------------------------


def config(retry_times=0):
    http_config = HttpConfig.get_default_config()
    http_config.timeout = (5, 30)
    http_config.retry_times = retry_times
    return http_config


def client(credentials, retry_times=0):
    """The endpoint mode: the emulator's address given to the builder; never bootstraps."""
    return (OrganizationsClient.new_builder()
            .with_http_config(config(retry_times))
            .with_credentials(credentials)
            .with_endpoint(BASE)
            .build())


def region_client(credentials):
    """The region mode: an Organizations region pointing at the emulator, IAM there too."""
    Credentials._CACHE.clear()  # the SDK caches the bootstrapped domain id per AK for the process
    return (OrganizationsClient.new_builder()
            .with_http_config(config())
            .with_credentials(credentials.with_iam_endpoint(BASE))
            .with_region(Region("cn-north-4", BASE))
            .build())


def management():
    return client(GlobalCredentials(*MANAGEMENT, MANAGEMENT_ID))


def invitee():
    return client(GlobalCredentials(*INVITEE, INVITEE_ID))


def temporary():
    ak, sk, token = TEMPORARY
    return client(GlobalCredentials(ak, sk, INVITEE_ID).with_security_token(token))


# ---- Assertions --------------------------------------------------------------------------


def expect_raise(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the caller inspects it
        return error
    raise AssertionError("the call succeeded but an error was expected")


def describe(error):
    return f"{type(error).__name__}: {error}"


def expect_error(call, expected, exact=True):
    """A ClientRequestException with (status, code) and error_msg equal to (or, exact=False, starting with) the text."""
    status, code, message = expected
    error = expect_raise(call)
    assert isinstance(error, ClientRequestException), describe(error)
    got = (error.status_code, error.error_code, error.error_msg)
    assert (error.status_code, error.error_code) == (status, code), got
    assert isinstance(error.error_msg, str) and error.error_msg, got
    if message is not None:
        assert (error.error_msg == message) if exact else error.error_msg.startswith(message), got
    assert REQUEST_ID.match(error.request_id or ""), ("request_id", error.request_id)
    return error


def as_time(value):
    """A HandshakeDto time: a `YYYY-MM-DDThh:mm:ssZ` string (no dateutil in the pinned set), or a datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    assert isinstance(value, str) and TIME.match(value), ("time", value)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def assert_handshake(handshake, handshake_id, status, target=None):
    """The fields every HandshakeDto from this organization carries."""
    assert handshake is not None, "no handshake in the reply"
    if handshake_id is not None:
        assert handshake.id == handshake_id, (handshake.id, handshake_id)
    assert handshake.status == status, (handshake.id, handshake.status, status)
    assert handshake.urn == f"organizations::{MANAGEMENT_ID}:handshake:{ORGANIZATION}/{handshake.id}", handshake.urn
    assert (handshake.management_account_id, handshake.management_account_name, handshake.organization_id) == (
        MANAGEMENT_ID, MANAGEMENT_NAME, ORGANIZATION), handshake
    created, updated, expired = as_time(handshake.created_at), as_time(handshake.updated_at), as_time(handshake.expired_at)
    assert expired - created == timedelta(days=14), (handshake.created_at, handshake.expired_at)
    assert updated >= created, (handshake.created_at, handshake.updated_at)
    assert isinstance(handshake.notes, str), handshake.notes
    assert handshake.target is not None and handshake.target.type in ("account", "name"), handshake.target
    if target is not None:
        assert (handshake.target.type, handshake.target.entity) == target, handshake.target
    return handshake


def walk(list_call, request_type):
    """Every page at limit=1 until next_marker is None: the ids, each once, in listing order."""
    ids, marker = [], None
    for _ in range(200):
        reply = list_call(request_type(limit=1, marker=marker))
        assert reply.status_code == 200, reply.status_code
        assert reply.page_info is not None, "no page_info"
        items = reply.handshakes or []
        assert len(items) <= 1 and reply.page_info.current_count == len(items), (len(items), reply.page_info)
        ids += [item.id for item in items]
        marker = reply.page_info.next_marker
        if marker is None:
            break
        assert items, "a page with a next_marker but no item"
    else:
        raise AssertionError(f"next_marker never became None after {len(ids)} pages")
    assert len(ids) == len(set(ids)), ("an item listed twice", ids)
    whole = list_call(request_type())
    assert [item.id for item in whole.handshakes or []] == ids, ("limit=1 walk differs from one page", ids)
    assert whole.page_info is not None and whole.page_info.next_marker is None, whole.page_info
    return ids


def invite(target_type, entity, notes, tags=None):
    body = InviteAccountReqBody(target=TargetDto(type=target_type, entity=entity), notes=notes, tags=tags)
    return management().invite_account(InviteAccountRequest(body=body))


def cancel_seeded_invitations():
    """The invitee has pending invitations from the organization; a new one is a duplicate until they go."""
    for handshake_id in (PENDING, TO_CANCEL):
        management().cancel_handshake(CancelHandshakeRequest(handshake_id=handshake_id))


# ---- Checks: the seven APIs, AK/SK + domain id, with_endpoint ---------------------------


def list_handshakes_walk():
    ids = walk(management().list_handshakes, ListHandshakesRequest)
    assert {PENDING, TO_CANCEL} <= set(ids), ids


def list_received_walk():
    ids = walk(invitee().list_received_handshakes, ListReceivedHandshakesRequest)
    assert {PENDING, TO_CANCEL} <= set(ids), ids


def show_fields():
    reply = management().show_handshake(ShowHandshakeRequest(handshake_id=PENDING))
    assert reply.status_code == 200, reply.status_code
    handshake = assert_handshake(reply.handshake, PENDING, "pending")
    assert handshake.status == handshake.status.lower() and handshake.status in STATUSES, handshake.status
    for name in ("created_at", "updated_at", "expired_at"):
        assert isinstance(getattr(handshake, name), str), (name, type(getattr(handshake, name)))
    assert handshake.updated_at == handshake.created_at, ("a pending handshake's updated_at", handshake)
    assert handshake.target.entity in (INVITEE_ID, INVITEE_NAME), handshake.target


def invite_by_account():
    reset()
    cancel_seeded_invitations()
    handshake = invite("account", INVITEE_ID, "SDK contract: by account").handshake
    assert NEW_HANDSHAKE_ID.match(handshake.id or ""), handshake.id
    assert_handshake(handshake, None, "pending", ("account", INVITEE_ID))
    assert handshake.notes == "SDK contract: by account" and handshake.updated_at == handshake.created_at, handshake
    shown = management().show_handshake(ShowHandshakeRequest(handshake_id=handshake.id)).handshake
    assert_handshake(shown, handshake.id, "pending", ("account", INVITEE_ID))
    received = invitee().list_received_handshakes(ListReceivedHandshakesRequest()).handshakes or []
    assert handshake.id in [item.id for item in received], "the invitee does not receive it"


def invite_by_name_with_tags():
    reset()
    cancel_seeded_invitations()
    tags = [TagDto(key="env", value="test"), TagDto(key="team", value="")]
    handshake = invite("name", INVITEE_NAME, "Welcome \u2014 join us", tags).handshake
    assert NEW_HANDSHAKE_ID.match(handshake.id or ""), handshake.id
    assert_handshake(handshake, None, "pending", ("name", INVITEE_NAME))
    assert handshake.notes == "Welcome \u2014 join us", handshake.notes
    received = invitee().list_received_handshakes(ListReceivedHandshakesRequest()).handshakes or []
    assert handshake.id in [item.id for item in received], "the invitee (by name) does not receive it"


def accept():
    reset()
    reply = invitee().accept_handshake(AcceptHandshakeRequest(handshake_id=PENDING))
    assert reply.status_code == 200, reply.status_code
    assert_handshake(reply.handshake, PENDING, "accepted")


def accepted_invitee_is_member():
    reset()
    invitee().accept_handshake(AcceptHandshakeRequest(handshake_id=PENDING))
    shown = invitee().show_handshake(ShowHandshakeRequest(handshake_id=PENDING)).handshake
    assert_handshake(shown, PENDING, "accepted")


def decline():
    reset()
    reply = invitee().decline_handshake(DeclineHandshakeRequest(handshake_id=PENDING))
    assert reply.status_code == 200, reply.status_code
    assert_handshake(reply.handshake, PENDING, "declined")


def cancel():
    reset()
    reply = management().cancel_handshake(CancelHandshakeRequest(handshake_id=TO_CANCEL))
    assert reply.status_code == 200, reply.status_code
    assert_handshake(reply.handshake, TO_CANCEL, "cancelled")
    shown = management().show_handshake(ShowHandshakeRequest(handshake_id=TO_CANCEL)).handshake
    assert_handshake(shown, TO_CANCEL, "cancelled")


def without_domain_id():
    reset()
    no_domain = client(GlobalCredentials(*MANAGEMENT))
    assert {PENDING, TO_CANCEL} <= set(walk(no_domain.list_handshakes, ListHandshakesRequest))
    reply = client(GlobalCredentials(*INVITEE)).accept_handshake(AcceptHandshakeRequest(handshake_id=PENDING))
    assert_handshake(reply.handshake, PENDING, "accepted")


# ---- Checks: temporary credentials -------------------------------------------------------


def temporary_list_and_accept():
    reset()
    ids = walk(temporary().list_received_handshakes, ListReceivedHandshakesRequest)
    assert {PENDING, TO_CANCEL} <= set(ids), ids
    reply = temporary().accept_handshake(AcceptHandshakeRequest(handshake_id=PENDING))
    assert_handshake(reply.handshake, PENDING, "accepted")


def temporary_token_in_request_field():
    reset()
    ak, sk, token = TEMPORARY
    plain = client(GlobalCredentials(ak, sk, INVITEE_ID))
    reply = plain.decline_handshake(DeclineHandshakeRequest(x_security_token=token, handshake_id=PENDING))
    assert_handshake(reply.handshake, PENDING, "declined")


# ---- Checks: region bootstrap through IAM GET /v3/auth/domains ---------------------------


def bootstrap_journalled():
    entries = journal(50)
    text = json.dumps(entries)
    if "/v3/auth/domains" in text or "KeystoneListAuthDomains" in text:
        return
    # Only assert it when the journal records paths at all.
    assert not any("path" in entry for entry in entries), ("no /v3/auth/domains in the journal", entries[-5:])


def region_bootstrap_management():
    reset()
    credentials = GlobalCredentials(*MANAGEMENT)
    bootstrapped = region_client(credentials)
    assert bootstrapped.get_credentials().domain_id == MANAGEMENT_ID, bootstrapped.get_credentials().domain_id
    assert {PENDING, TO_CANCEL} <= set(walk(bootstrapped.list_handshakes, ListHandshakesRequest))
    reply = bootstrapped.cancel_handshake(CancelHandshakeRequest(handshake_id=TO_CANCEL))
    assert_handshake(reply.handshake, TO_CANCEL, "cancelled")
    bootstrap_journalled()


def region_bootstrap_invitee():
    reset()
    bootstrapped = region_client(GlobalCredentials(*INVITEE))
    assert bootstrapped.get_credentials().domain_id == INVITEE_ID, bootstrapped.get_credentials().domain_id
    reply = bootstrapped.accept_handshake(AcceptHandshakeRequest(handshake_id=PENDING))
    assert_handshake(reply.handshake, PENDING, "accepted")


def region_bootstrap_temporary():
    reset()
    ak, sk, token = TEMPORARY
    bootstrapped = region_client(GlobalCredentials(ak, sk).with_security_token(token))
    assert bootstrapped.get_credentials().domain_id == INVITEE_ID, bootstrapped.get_credentials().domain_id
    reply = bootstrapped.decline_handshake(DeclineHandshakeRequest(handshake_id=PENDING))
    assert_handshake(reply.handshake, PENDING, "declined")


def region_bootstrap_wrong_secret():
    error = expect_raise(lambda: region_client(GlobalCredentials(MANAGEMENT[0], "WrongSecret")))
    assert type(error) is SdkException, describe(error)
    assert error.error_msg.startswith("Failed to get domain id"), error.error_msg
    assert "APIGW.0301" in error.error_msg, error.error_msg


# ---- Checks: environment only (a subprocess, so env and the per-AK cache stay there) -----


def env_child(mode):
    """Runs in the subprocess: no credentials, no endpoint in code; prints one JSON line."""
    try:
        built = OrganizationsClient.new_builder().with_region(OrganizationsRegion.value_of("cn-north-4")).build()
        if mode == "management":
            reply = built.list_handshakes(ListHandshakesRequest())
        else:
            reply = built.list_received_handshakes(ListReceivedHandshakesRequest())
        result = {"ok": True, "domain_id": built.get_credentials().domain_id,
                  "ids": [item.id for item in reply.handshakes or []]}
    except Exception as error:  # noqa: BLE001 - reported to the parent
        result = {"ok": False, "error": "".join(traceback.format_exception_only(type(error), error)).strip()}
    print(json.dumps(result))


def run_env_child(mode, variables):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUAWEICLOUD_")}
    env.update(variables)
    env["HUAWEICLOUD_SDK_REGION_ORGANIZATIONS_CN_NORTH_4"] = BASE
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--env-child", mode], env=env,
                          capture_output=True, text=True, timeout=120)
    lines = done.stdout.strip().splitlines()
    assert lines, ("the child printed nothing", done.returncode, done.stderr[-2000:])
    result = json.loads(lines[-1])
    assert result["ok"], result["error"]
    return result


def env_only_management():
    reset()
    result = run_env_child("management", {
        "HUAWEICLOUD_SDK_AK": MANAGEMENT[0], "HUAWEICLOUD_SDK_SK": MANAGEMENT[1],
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": BASE})
    assert result["domain_id"] == MANAGEMENT_ID, result
    assert {PENDING, TO_CANCEL} <= set(result["ids"]), result


def env_only_temporary():
    reset()
    ak, sk, token = TEMPORARY
    result = run_env_child("invitee", {
        "HUAWEICLOUD_SDK_AK": ak, "HUAWEICLOUD_SDK_SK": sk, "HUAWEICLOUD_SDK_SECURITY_TOKEN": token,
        "HUAWEICLOUD_SDK_DOMAIN_ID": INVITEE_ID})
    assert result["domain_id"] == INVITEE_ID, result
    assert {PENDING, TO_CANCEL} <= set(result["ids"]), result


# ---- Checks: errors ----------------------------------------------------------------------


def wrong_secret():
    wrong = client(GlobalCredentials(MANAGEMENT[0], "WrongSecret", MANAGEMENT_ID))
    expect_error(lambda: wrong.list_handshakes(ListHandshakesRequest(limit=1)), BAD_SIGNATURE, exact=False)


def wrong_secret_canonical_request():
    wrong = client(GlobalCredentials(MANAGEMENT[0], "WrongSecret", MANAGEMENT_ID))
    error = expect_error(lambda: wrong.list_handshakes(ListHandshakesRequest(limit=1)), BAD_SIGNATURE, exact=False)
    canonical = error.error_msg[len(BAD_SIGNATURE[2]):]
    head = f"GET|/v1/organizations/handshakes/|limit=1|content-type:application/json|host:{HOSTPORT}|user-agent:"
    tail = f"|x-domain-id:{MANAGEMENT_ID}|"
    assert canonical.startswith(head), canonical
    assert tail in canonical, canonical
    assert canonical.endswith(f"||content-type;host;user-agent;x-domain-id;x-sdk-date|{EMPTY_SHA256}"), canonical


def unknown_access_key():
    unknown = client(GlobalCredentials(UNKNOWN_AK, "AnySecret", MANAGEMENT_ID))
    expect_error(lambda: unknown.show_handshake(ShowHandshakeRequest(handshake_id=PENDING)), UNKNOWN_KEY)


def cancel_twice():
    reset()
    management().cancel_handshake(CancelHandshakeRequest(handshake_id=TO_CANCEL))
    expect_error(lambda: management().cancel_handshake(CancelHandshakeRequest(handshake_id=TO_CANCEL)),
                 ALREADY_CANCELLED)


def accept_by_management():
    reset()
    expect_error(lambda: management().accept_handshake(AcceptHandshakeRequest(handshake_id=PENDING)), NOT_FOUND)


def invalid_handshake_id():
    expect_error(lambda: management().show_handshake(ShowHandshakeRequest(handshake_id="h-UPPER")), INVALID_PARAMETER)


def invite_by_invitee():
    body = InviteAccountReqBody(target=TargetDto(type="account", entity=MANAGEMENT_ID), notes="")
    expect_error(lambda: invitee().invite_account(InviteAccountRequest(body=body)), NO_ORGANIZATION)


def duplicate_invite():
    reset()
    expect_error(lambda: invite("account", INVITEE_ID, "duplicate"), DUPLICATE)


def limit_zero():
    expect_error(lambda: management().list_handshakes(ListHandshakesRequest(limit=0)), INVALID_PARAMETER)


def get_retried_after_throttling():
    clear_faults()
    try:
        add_fault("ListHandshakes", "APIGW.0308", 2)
        reply = client(GlobalCredentials(*MANAGEMENT, MANAGEMENT_ID), retry_times=2).list_handshakes(
            ListHandshakesRequest(limit=1))
        assert reply.status_code == 200 and reply.page_info is not None, reply
        assert not fault_rules("ListHandshakes"), ("the rule was not used up", fault_rules("ListHandshakes"))
    finally:
        clear_faults()


def get_retries_exhausted():
    clear_faults()
    try:
        add_fault("ListHandshakes", "APIGW.0308", 3)
        throttled = client(GlobalCredentials(*MANAGEMENT, MANAGEMENT_ID), retry_times=2)
        error = expect_raise(lambda: throttled.list_handshakes(ListHandshakesRequest(limit=1)))
        assert isinstance(error, ClientRequestException), describe(error)
        assert (error.status_code, error.error_code) == (429, "429"), (error.status_code, error.error_code)
    finally:
        clear_faults()


def post_not_retried():
    reset()
    clear_faults()
    try:
        add_fault("AcceptHandshake", "APIGW.0308", 2)
        throttled = client(GlobalCredentials(*INVITEE, INVITEE_ID), retry_times=2)
        expect_error(lambda: throttled.accept_handshake(AcceptHandshakeRequest(handshake_id=PENDING)),
                     THROTTLED, exact=False)
        rules = fault_rules("AcceptHandshake")
        assert len(rules) == 1 and rules[0].get("remaining") == 1, ("the POST was sent more than once", rules)
    finally:
        clear_faults()
        reset()


def main():
    check("control plane: POST /_emulator/reset answers JSON", reset)
    # The seven APIs, AK/SK + domain id, with_endpoint.
    check("endpoint: ListHandshakes limit=1 walks next_marker, every item once", list_handshakes_walk)
    check("endpoint: ListReceivedHandshakes limit=1 walks next_marker, every item once", list_received_walk)
    check("endpoint: ShowHandshake returns every HandshakeDto field (urn, times, +14 d, lowercase status)", show_fields)
    check("endpoint: InviteAccount by account id sends a pending invitation", invite_by_account)
    check("endpoint: InviteAccount by name with tags sends a pending invitation", invite_by_name_with_tags)
    check("endpoint: AcceptHandshake -> accepted", accept)
    check("endpoint: after Accept the invitee is a member and can Show it", accepted_invitee_is_member)
    check("endpoint: DeclineHandshake -> declined", decline)
    check("endpoint: CancelHandshake -> cancelled", cancel)
    check("endpoint: AK/SK without domain id (no X-Domain-Id) works", without_domain_id)
    # Temporary credentials.
    check("temporary: with_security_token lists received and accepts", temporary_list_and_accept)
    check("temporary: token in the request field x_security_token declines", temporary_token_in_request_field)
    # Region + IAM bootstrap.
    check("region: management bootstraps its domain id through /v3/auth/domains", region_bootstrap_management)
    check("region: invitee bootstraps and accepts", region_bootstrap_invitee)
    check("region: temporary credentials bootstrap and decline", region_bootstrap_temporary)
    check("region: a wrong secret fails the bootstrap with SdkException 'Failed to get domain id'",
          region_bootstrap_wrong_secret)
    # Environment only.
    check("env: region endpoint, AK/SK and IAM endpoint from the environment", env_only_management)
    check("env: temporary credentials and domain id from the environment", env_only_temporary)
    # Errors.
    check("error: a wrong secret is 401 APIGW.0301 verify aksk signature fail", wrong_secret)
    check("error: the 401 echoes the server's canonical request", wrong_secret_canonical_request)
    check("error: an unknown AK is 401 APIGW.0301 Get secretKey failed", unknown_access_key)
    check("error: cancelling a cancelled handshake is 400 Organizations.1401", cancel_twice)
    check("error: accept by the management account is 404 Organizations.1400", accept_by_management)
    check("error: handshake id h-UPPER is 400 Organizations.1000", invalid_handshake_id)
    check("error: invite by an account in no organization is 401 Organizations.1015", invite_by_invitee)
    check("error: a duplicate pending invitation is 400 Organizations.1405", duplicate_invite)
    check("error: limit=0 is 400 Organizations.1000", limit_zero)
    check("retry: two 429 APIGW.0308 on ListHandshakes, retry_times=2 -> third request succeeds",
          get_retried_after_throttling)
    check("retry: three 429 on ListHandshakes, retry_times=2 -> ClientRequestException 429", get_retries_exhausted)
    check("retry: a 429 on AcceptHandshake (POST) is not retried -> ClientRequestException 429 APIGW.0308",
          post_not_retried)
    print(f"{passed} passed, {failed} failed", flush=True)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--env-child"]:
        env_child(sys.argv[2])
    else:
        main()
