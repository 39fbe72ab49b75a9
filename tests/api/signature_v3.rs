//! V3 (ACS3-HMAC-SHA256 and ACS3-HMAC-SM3) authentication through the whole stack, signed by
//! the test signer:
//! the action and version come from headers, the client's SignedHeaders decide what is signed,
//! and each failure has its code. V3 answers in JSON.

use crate::helpers::*;
use crate::signer::{self, Key};
use chrono::TimeDelta;

fn accept(app: &TestApp, key: Key) -> CallV3<'_> {
    app.call_v3(key, "AcceptHandshake")
        .query("HandshakeId", "h-Ih8IuPfvV0t0abcd")
}

#[test]
fn a_v3_accept_handshake_succeeds_in_json() {
    let app = spawn_app();
    let reply = accept(&app, INVITEE).send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, "application/json;charset=utf-8");
    assert_eq!(reply.json()["Handshake"]["Status"], "Accepted");
    assert_eq!(reply.json()["RequestId"], reply.request_id.as_str());
}

#[test]
fn only_the_headers_the_client_lists_are_signed() {
    let app = spawn_app();
    // Node signs host and x-acs-* only; everything else it sends is outside the signature.
    let reply = app
        .call_v3(MANAGEMENT, "CancelHandshake")
        .query("HandshakeId", "h-Ih8IuPfvV0t0abcd")
        .header("accept", None)
        .unsigned_header("accept", "application/json")
        .unsigned_header(
            "user-agent",
            "AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.0.1 TeaDSL/2",
        )
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[test]
fn a_wrong_v3_signature_quotes_the_servers_string_to_sign_and_canonical_request() {
    let app = spawn_app();
    let call = accept(&app, INVITEE).secret("NotTheSecret");
    let cr = call.canonical_request();
    let sts = format!("ACS3-HMAC-SHA256\n{}", signer::sha256_hex(cr.as_bytes()));
    let reply = call.send();
    // The live gateway's V3 wording (aliyun/alibabacloud-csharp-sdk#40), not V1's.
    let message = format!(
        "Specified signature does not match our calculation. server StringToSign is [{sts}] server CanonicalRequest is [{cr}]"
    );
    assert_error(
        &reply,
        "JSON",
        &app.host(),
        &expected(400, "SignatureDoesNotMatch", message),
    );
}

#[test]
fn an_empty_signature_is_a_mismatch_quoting_the_servers_calculation() {
    let app = spawn_app();
    let call = accept(&app, INVITEE);
    let cr = call.canonical_request();
    let sts = format!("ACS3-HMAC-SHA256\n{}", signer::sha256_hex(cr.as_bytes()));
    let names: Vec<_> = {
        let mut names: Vec<_> = call.signed_header_names();
        names.sort();
        names
    };
    let reply = call
        .authorization(&format!(
            "ACS3-HMAC-SHA256 Credential=LTAI5tEmuInvitee00001,SignedHeaders={},Signature=",
            names.join(";")
        ))
        .send();
    let message = format!(
        "Specified signature does not match our calculation. server StringToSign is [{sts}] server CanonicalRequest is [{cr}]"
    );
    assert_error(
        &reply,
        "JSON",
        &app.host(),
        &expected(400, "SignatureDoesNotMatch", message),
    );
}

#[test]
fn a_body_that_does_not_match_its_signed_hash_fails_the_signature() {
    let app = spawn_app();
    let reply = accept(&app, INVITEE)
        .body(b"HandshakeId=h-Pend1ngAcc0unt02")
        .send();
    assert_eq!(reply.code(), "SignatureDoesNotMatch", "{}", reply.body);
}

#[test]
fn a_malformed_authorization_is_an_incomplete_signature_and_another_algorithm_is_refused() {
    let app = spawn_app();
    for bad in [
        "ACS3-HMAC-SHA256",
        "ACS3-HMAC-SHA256 Credential=LTAI5tEmuInvitee00001",
        "Bearer abc",
    ] {
        let reply = accept(&app, INVITEE).authorization(bad).send();
        let message =
            "The request signature does not conform to Aliyun standards. server string to sign is:";
        assert_error(
            &reply,
            "JSON",
            &app.host(),
            &expected(400, "IncompleteSignature", message),
        );
    }
    let reply = accept(&app, INVITEE)
        .authorization(
            "ACS3-RSA-SHA256 Credential=LTAI5tEmuInvitee00001,SignedHeaders=host,Signature=00",
        )
        .send();
    assert_error(
        &reply,
        "JSON",
        &app.host(),
        &expected(
            400,
            "InvalidSignatureMethod",
            "Specified signature method is not valid.",
        ),
    );
}

#[test]
fn a_request_routed_by_x_acs_action_without_an_authorization_header_is_an_incomplete_signature() {
    let app = spawn_app();
    let headers = format!(
        "Host: {}\r\nx-acs-action: AcceptHandshake\r\nx-acs-version: 2020-03-31\r\n",
        app.host()
    );
    let request = format!(
        "POST /?HandshakeId=h-Ih8IuPfvV0t0abcd HTTP/1.1\r\n{headers}Connection: close\r\nContent-Length: 0\r\n\r\n"
    );
    let message =
        "The request signature does not conform to Aliyun standards. server string to sign is:";
    assert_error(
        &app.raw(request.as_bytes()),
        "JSON",
        &app.host(),
        &expected(400, "IncompleteSignature", message),
    );
}

#[test]
fn the_action_version_date_and_nonce_headers_are_required() {
    let app = spawn_app();
    for name in [
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
    ] {
        let reply = accept(&app, INVITEE).header(name, None).send();
        assert_error(&reply, "JSON", &app.host(), &missing(name));
    }
    let reply = accept(&app, INVITEE)
        .header("x-acs-action", Some("ListAccounts"))
        .send();
    assert_eq!(
        (reply.status, reply.code()),
        (404, "InvalidAction.NotFound".to_owned())
    );
    let reply = accept(&app, INVITEE)
        .header("x-acs-version", Some("2022-04-19"))
        .send();
    assert_eq!(reply.code(), "InvalidVersion");
}

#[test]
fn the_v3_date_is_checked_against_real_time_and_nonces_are_single_use() {
    let app = spawn_app();
    let stale = signer::timestamp(-TimeDelta::minutes(16));
    let reply = accept(&app, INVITEE)
        .header("x-acs-date", Some(&stale))
        .send();
    assert_error(
        &reply,
        "JSON",
        &app.host(),
        &expected(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ),
    );
    let reply = accept(&app, INVITEE)
        .header("x-acs-date", Some("20261122T080000Z"))
        .send();
    assert_eq!(reply.code(), "InvalidTimeStamp.Format");

    let nonce = signer::nonce();
    assert_eq!(
        accept(&app, INVITEE)
            .header("x-acs-signature-nonce", Some(&nonce))
            .send()
            .status,
        200
    );
    let replayed = accept(&app, INVITEE)
        .header("x-acs-signature-nonce", Some(&nonce))
        .send();
    assert_error(
        &replayed,
        "JSON",
        &app.host(),
        &expected(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ),
    );
}

#[test]
fn v3_sts_credentials_travel_in_headers() {
    let app = spawn_app();
    assert_eq!(accept(&app, STS).send().status, 200);
    let reply = app
        .call_v3(STS, "CancelHandshake")
        .query("HandshakeId", "h-Pend1ngAcc0unt02")
        .header("x-acs-security-token", None)
        .send();
    assert_eq!(reply.code(), "MissingSecurityToken");
    let reply = app
        .call_v3(STS, "CancelHandshake")
        .query("HandshakeId", "h-Pend1ngAcc0unt02")
        .header("x-acs-security-token", Some("EmuStsTokenExpired01"))
        .send();
    assert_eq!(reply.code(), "InvalidSecurityToken.MismatchWithAccessKey");
    let reply = app
        .call_v3(Key::new("LTAI5tNoSuchKey000000", "x"), "AcceptHandshake")
        .send();
    assert_eq!(
        (reply.status, reply.code()),
        (404, "InvalidAccessKeyId.NotFound".to_owned())
    );
}

// Issue #10: a signature over `host` alone, taken from a GetHandshake, was accepted as an
// AcceptHandshake with a fresh nonce. The spec requires `host` and every `x-acs-*` header the
// request carries to be signed.
#[test]
fn a_signature_that_leaves_out_a_header_it_must_cover_is_incomplete() {
    let app = spawn_app();
    let incomplete = expected(
        400,
        "IncompleteSignature",
        "The request signature does not conform to Aliyun standards. server string to sign is:",
    );
    let query = vec![("HandshakeId".to_owned(), "h-Ih8IuPfvV0t0abcd".to_owned())];
    let host = vec![("host".to_owned(), app.host())];
    let cr = signer::canonical_request_v3("POST", &query, &host, b"");
    let authorization = format!(
        "ACS3-HMAC-SHA256 Credential={},SignedHeaders=host,Signature={}",
        INVITEE.id,
        signer::signature_v3(INVITEE.secret, &cr)
    );
    let replayed = format!(
        "POST /?HandshakeId=h-Ih8IuPfvV0t0abcd HTTP/1.1\r\nHost: {}\r\nx-acs-action: AcceptHandshake\r\nx-acs-version: 2020-03-31\r\nx-acs-date: {}\r\nx-acs-signature-nonce: {}\r\nauthorization: {authorization}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        app.host(),
        signer::now_timestamp(),
        signer::nonce()
    );
    let reply = app.raw(replayed.as_bytes());
    assert_error(&reply, "JSON", &app.host(), &incomplete);
    assert_eq!(
        app.handshake("h-Ih8IuPfvV0t0abcd").unwrap().status,
        resourcemanager_emulator::domain::Status::Pending
    );

    for name in [
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
    ] {
        let call = accept(&app, INVITEE);
        let value = call.header_value(name).unwrap();
        let reply = call.header(name, None).unsigned_header(name, &value).send();
        assert_error(&reply, "JSON", &app.host(), &incomplete);
    }
    // An x-acs-* header the SDK never sends must be signed too; other headers need not be.
    let reply = accept(&app, INVITEE)
        .unsigned_header("x-acs-extra", "1")
        .send();
    assert_error(&reply, "JSON", &app.host(), &incomplete);
    let reply = accept(&app, INVITEE)
        .unsigned_header("x-custom", "1")
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[test]
fn an_sm3_signed_call_succeeds_and_a_wrong_sm3_signature_quotes_the_sm3_calculation() {
    let app = spawn_app();
    let reply = accept(&app, INVITEE).sm3().send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["Handshake"]["Status"], "Accepted");

    let call = app
        .call_v3(MANAGEMENT, "CancelHandshake")
        .query("HandshakeId", "h-Ih8IuPfvV0t0abcd")
        .sm3()
        .secret("NotTheSecret");
    let cr = call.canonical_request();
    let sts = format!("ACS3-HMAC-SM3\n{}", signer::sm3_hex(cr.as_bytes()));
    let message = format!(
        "Specified signature does not match our calculation. server StringToSign is [{sts}] server CanonicalRequest is [{cr}]"
    );
    assert_error(
        &call.send(),
        "JSON",
        &app.host(),
        &expected(400, "SignatureDoesNotMatch", message),
    );
    // The SM3 body hash is what is signed: a SHA-256 one fails the signature.
    let sha = signer::sha256_hex(b"");
    let reply = accept(&app, INVITEE)
        .sm3()
        .header("x-acs-content-sha256", Some(&sha))
        .body(b"x")
        .send();
    assert_eq!(reply.code(), "SignatureDoesNotMatch", "{}", reply.body);
}
