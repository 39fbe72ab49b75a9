//! V1 authentication through the whole stack: every way a signature, key, timestamp, token or
//! nonce can be wrong, with its exact code, status and message, in both formats.

use crate::helpers::*;
use crate::signer;
use chrono::TimeDelta;

fn accept<'a>(app: &'a TestApp, key: crate::signer::Key, format: &str) -> Call<'a> {
    app.call(key, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .format(format)
}

#[test]
fn each_missing_signature_parameter_is_named() {
    let app = spawn_app();
    for format in ["JSON", "XML"] {
        for name in [
            "AccessKeyId",
            "Signature",
            "SignatureMethod",
            "SignatureVersion",
            "Timestamp",
            "SignatureNonce",
        ] {
            let reply = accept(&app, INVITEE, format).without(name).send();
            assert_error(&reply, format, &app.host(), &missing(name));
        }
    }
}

#[test]
fn only_hmac_sha1_and_signature_version_1_0_are_accepted() {
    let app = spawn_app();
    for format in ["JSON", "XML"] {
        let reply = accept(&app, INVITEE, format)
            .param("SignatureMethod", "HMAC-SHA256")
            .send();
        assert_error(
            &reply,
            format,
            &app.host(),
            &expected(
                400,
                "InvalidSignatureMethod",
                "Specified signature method is not valid.",
            ),
        );
        let reply = accept(&app, INVITEE, format)
            .param("SignatureVersion", "2.0")
            .send();
        assert_error(&reply, format, &app.host(), &invalid("SignatureVersion"));
    }
}

#[test]
fn a_timestamp_must_be_well_formed_and_within_fifteen_minutes_of_real_time() {
    let app = spawn_app();
    for format in ["JSON", "XML"] {
        for bad in [
            "2026-11-22 08:00:00",
            "2026-11-22T08:00:00",
            "1700000000",
            "2026-11-22T08:00:00.123Z",
        ] {
            let reply = accept(&app, INVITEE, format).param("Timestamp", bad).send();
            assert_error(
                &reply,
                format,
                &app.host(),
                &expected(
                    400,
                    "InvalidTimeStamp.Format",
                    "Specified time stamp or date value is not well formatted.",
                ),
            );
        }
        for offset in [
            TimeDelta::minutes(-16),
            TimeDelta::minutes(16),
            TimeDelta::days(-400),
        ] {
            let reply = accept(&app, INVITEE, format)
                .param("Timestamp", &signer::timestamp(offset))
                .send();
            assert_error(
                &reply,
                format,
                &app.host(),
                &expected(
                    400,
                    "InvalidTimeStamp.Expired",
                    "Specified time stamp or date value is expired.",
                ),
            );
        }
    }
    let reply = accept(&app, INVITEE, "JSON")
        .param("Timestamp", &signer::timestamp(TimeDelta::minutes(-14)))
        .send();
    assert_eq!(
        reply.status, 200,
        "14 minutes old is inside the window: {}",
        reply.body
    );
}

#[test]
fn an_unknown_key_is_not_found_and_a_disabled_one_is_inactive() {
    let app = spawn_app();
    for format in ["JSON", "XML"] {
        let reply = accept(&app, signer::Key::new("LTAI5tNoSuchKey000000", "x"), format).send();
        assert_error(
            &reply,
            format,
            &app.host(),
            &expected(
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            ),
        );
        let reply = accept(&app, DISABLED, format).send();
        assert_error(
            &reply,
            format,
            &app.host(),
            &expected(
                400,
                "InvalidAccessKeyId.Inactive",
                "Specified access key is disabled.",
            ),
        );
    }
}

#[test]
fn a_wrong_signature_quotes_the_servers_string_to_sign_after_the_colon() {
    let app = spawn_app();
    for (format, transport) in [
        ("JSON", Transport::PostQuery),
        ("XML", Transport::Get),
        ("JSON", Transport::PostForm),
    ] {
        let call = accept(&app, INVITEE, format)
            .transport(transport)
            .secret("NotTheSecret");
        let method = if transport == Transport::Get {
            "GET"
        } else {
            "POST"
        };
        let sts = signer::string_to_sign(method, &call.signed_params());
        let reply = call.send();
        let message = format!(
            "Specified signature is not matched with our calculation. server string to sign is:{sts}"
        );
        assert_error(
            &reply,
            format,
            &app.host(),
            &expected(400, "SignatureDoesNotMatch", message),
        );
    }
}

#[test]
fn a_parameter_changed_after_signing_fails_the_signature() {
    let app = spawn_app();
    let reply = accept(&app, INVITEE, "JSON")
        .after_signing("HandshakeId", "h-Pend1ngAcc0unt02")
        .send();
    assert_eq!(reply.code(), "SignatureDoesNotMatch");
    assert!(
        reply.json()["Message"]
            .as_str()
            .unwrap()
            .contains("HandshakeId%3Dh-Pend1ngAcc0unt02")
    );
}

#[test]
fn a_nonce_is_refused_the_second_time_but_not_burnt_by_a_failed_request() {
    let app = spawn_app();
    let nonce = signer::nonce();
    let failed = accept(&app, INVITEE, "JSON")
        .param("SignatureNonce", &nonce)
        .secret("wrong")
        .send();
    assert_eq!(failed.code(), "SignatureDoesNotMatch");
    let first = accept(&app, INVITEE, "JSON")
        .param("SignatureNonce", &nonce)
        .send();
    assert_eq!(first.status, 200, "{}", first.body);
    for format in ["JSON", "XML"] {
        let replay = accept(&app, INVITEE, format)
            .param("SignatureNonce", &nonce)
            .send();
        assert_error(
            &replay,
            format,
            &app.host(),
            &expected(
                400,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            ),
        );
    }
}

#[test]
fn an_sts_credential_works_with_its_own_token_only() {
    let app = spawn_app();
    let reply = accept(&app, STS, "JSON").send();
    assert_eq!(reply.status, 200, "{}", reply.body);

    let mismatch = || {
        expected(
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "Specified SecurityToken mismatch with the AccessKey.",
        )
    };
    // (key, SecurityToken sent: None = left out, Some = this one instead of the key's own)
    let cases = [
        (
            STS,
            None,
            expected(
                400,
                "MissingSecurityToken",
                "SecurityToken is mandatory for this action.",
            ),
        ),
        (STS, Some("EmuStsTokenExpired01"), mismatch()),
        (INVITEE, Some("EmuStsToken00001"), mismatch()),
        // A permanent key with a token the world never issued: still a mismatch (the catalog's rule).
        (INVITEE, Some("not-a-token"), mismatch()),
        (
            STS,
            Some("not-a-token"),
            expected(
                400,
                "InvalidSecurityToken.Malformed",
                "Specified SecurityToken is malformed.",
            ),
        ),
        (
            STS_EXPIRED,
            Some("EmuStsTokenExpired01"),
            expected(
                400,
                "InvalidSecurityToken.Expired",
                "Specified SecurityToken is expired.",
            ),
        ),
    ];
    for format in ["JSON", "XML"] {
        for (key, token, want) in &cases {
            let call = app
                .call(*key, "CancelHandshake")
                .handshake("h-Pend1ngAcc0unt02")
                .format(format);
            let call = match token {
                None => call.without("SecurityToken"),
                Some(token) => call.param("SecurityToken", token),
            };
            assert_error(&call.send(), format, &app.host(), want);
        }
    }
}
