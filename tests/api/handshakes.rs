//! AcceptHandshake and CancelHandshake through the whole stack: exact success bodies in both
//! formats, their side effects, and every error code each action documents, in both formats.

use crate::helpers::*;
use chrono::TimeDelta;
use resourcemanager_emulator::domain::{OrganizationId, Status};

fn handshake_json(id: &str, entity: &str, target_type: &str, status: &str, modify: &str) -> String {
    format!(
        r#"{{"RequestId":"<RequestId>","Handshake":{{"HandshakeId":"{id}","ResourceDirectoryId":"rd-3G6zcw","MasterAccountId":"1512666876910000","MasterAccountName":"CompanyA","TargetEntity":"{entity}","TargetType":"{target_type}","Note":"Welcome","Status":"{status}","CreateTime":"2026-11-22T07:00:00Z","ModifyTime":"{modify}","ExpireTime":"2026-12-06T07:00:00Z"}}}}"#
    )
}

fn handshake_xml(root: &str, id: &str, status: &str, modify: &str) -> String {
    format!(
        r"<?xml version='1.0' encoding='UTF-8'?><{root}><RequestId><RequestId></RequestId><Handshake><HandshakeId>{id}</HandshakeId><ResourceDirectoryId>rd-3G6zcw</ResourceDirectoryId><MasterAccountId>1512666876910000</MasterAccountId><MasterAccountName>CompanyA</MasterAccountName><TargetEntity>1772422852740000</TargetEntity><TargetType>Account</TargetType><Note>Welcome</Note><Status>{status}</Status><CreateTime>2026-11-22T07:00:00Z</CreateTime><ModifyTime>{modify}</ModifyTime><ExpireTime>2026-12-06T07:00:00Z</ExpireTime></Handshake></{root}>"
    )
}

#[test]
fn accept_handshake_returns_the_accepted_handshake_as_exact_json() {
    let app = spawn_app();
    let reply = app
        .call(INVITEE, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, "application/json;charset=utf-8");
    assert_eq!(
        reply.masked(),
        handshake_json(
            "h-Ih8IuPfvV0t0abcd",
            "1772422852740000",
            "Account",
            "Accepted",
            "2026-11-22T08:00:00Z"
        )
    );
}

#[test]
fn accept_handshake_returns_the_accepted_handshake_as_exact_xml() {
    let app = spawn_app();
    let reply = app
        .call(INVITEE, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .format("XML")
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, "text/xml;charset=utf-8");
    assert_eq!(
        reply.masked(),
        handshake_xml(
            "AcceptHandshakeResponse",
            "h-Ih8IuPfvV0t0abcd",
            "Accepted",
            "2026-11-22T08:00:00Z"
        )
    );
}

#[test]
fn cancel_handshake_returns_the_cancelled_handshake_in_both_formats() {
    let app = spawn_app();
    app.clock.advance(TimeDelta::minutes(5)).unwrap();
    let json = app
        .call(MANAGEMENT, "CancelHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    assert_eq!(json.status, 200, "{}", json.body);
    assert_eq!(
        json.masked(),
        handshake_json(
            "h-Ih8IuPfvV0t0abcd",
            "1772422852740000",
            "Account",
            "Cancelled",
            "2026-11-22T08:05:00Z"
        )
    );

    let xml = app
        .call(MANAGEMENT, "CancelHandshake")
        .handshake("h-Pend1ngAcc0unt02")
        .format("xml")
        .send();
    assert_eq!(xml.status, 200, "{}", xml.body);
    assert_eq!(
        xml.masked(),
        handshake_xml(
            "CancelHandshakeResponse",
            "h-Pend1ngAcc0unt02",
            "Cancelled",
            "2026-11-22T08:05:00Z"
        )
    );
}

#[test]
fn accepting_makes_the_invitee_a_member_of_the_directory() {
    let app = spawn_app();
    assert_eq!(app.account("1772422852740000").organization, None);

    app.call(INVITEE, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();

    assert_eq!(
        app.account("1772422852740000").organization,
        Some(OrganizationId::parse("rd-3G6zcw").unwrap())
    );
    assert_eq!(
        app.handshake("h-Ih8IuPfvV0t0abcd").unwrap().status,
        Status::Accepted
    );
    let second = app
        .call(INVITEE, "AcceptHandshake")
        .handshake("h-Pend1ngAcc0unt02")
        .send();
    assert_eq!(
        second.code(),
        "NotSupport.AccountInAnotherResourceDirectory"
    );
}

#[test]
fn an_invitation_addressed_by_email_is_accepted_by_the_account_with_that_logon_email() {
    let app = spawn_app();
    let reply = app
        .call(INVITEE, "AcceptHandshake")
        .handshake("h-Pend1ngEma1l0003")
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.masked(),
        handshake_json(
            "h-Pend1ngEma1l0003",
            "ops@partner.example",
            "Email",
            "Accepted",
            "2026-11-22T08:00:00Z"
        )
    );
}

#[test]
fn every_transport_an_sdk_uses_is_served() {
    for transport in [Transport::Get, Transport::PostQuery, Transport::PostForm] {
        let app = spawn_app();
        let reply = app
            .call(INVITEE, "AcceptHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
            .transport(transport)
            .send();
        assert_eq!(reply.status, 200, "{transport:?}: {}", reply.body);
    }
}

#[test]
fn a_pending_invitation_expires_at_its_expire_time_on_the_emulator_clock() {
    let app = spawn_app();
    app.clock
        .advance(TimeDelta::days(14) - TimeDelta::hours(1) - TimeDelta::seconds(1))
        .unwrap();
    let still_pending = app
        .call(MANAGEMENT, "CancelHandshake")
        .handshake("h-Pend1ngAcc0unt02")
        .send();
    assert_eq!(
        still_pending.status, 200,
        "one second before ExpireTime: {}",
        still_pending.body
    );

    app.clock.advance(TimeDelta::seconds(1)).unwrap();
    let expired = app
        .call(INVITEE, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    assert_error(
        &expired,
        "JSON",
        &app.host(),
        &expected(409, "HandshakeStatusMismatch", "The invitation is invalid."),
    );
    // Expiry is derived on read, never stored: the refused accept changed nothing.
    assert_eq!(
        app.handshake("h-Ih8IuPfvV0t0abcd").unwrap().status,
        Status::Pending
    );
    let shown = app
        .call(MANAGEMENT, "GetHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send()
        .json();
    assert_eq!(shown["Handshake"]["Status"], "Expired");
    assert_eq!(
        shown["Handshake"]["ModifyTime"],
        shown["Handshake"]["ExpireTime"]
    );
}

#[test]
fn expiry_depends_on_the_clock_alone_not_on_which_requests_touched_a_handshake() {
    let app = spawn_app();
    app.clock.advance(TimeDelta::days(15)).unwrap();
    // h-Ih8IuPfvV0t0abcd is touched by a refused accept; h-Pend1ngEma1l0003 is not.
    let refused = app
        .call(INVITEE, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    assert_eq!(refused.code(), "HandshakeStatusMismatch");
    let status = |id: &str| {
        app.call(MANAGEMENT, "GetHandshake")
            .handshake(id)
            .send()
            .json()["Handshake"]["Status"]
            .clone()
    };
    assert_eq!(
        (status("h-Ih8IuPfvV0t0abcd"), status("h-Pend1ngEma1l0003")),
        ("Expired".into(), "Expired".into())
    );

    app.clock.advance(TimeDelta::days(-15)).unwrap();
    assert_eq!(
        (status("h-Ih8IuPfvV0t0abcd"), status("h-Pend1ngEma1l0003")),
        ("Pending".into(), "Pending".into())
    );
    let accepted = app
        .call(INVITEE, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    assert_eq!(accepted.status, 200, "{}", accepted.body);
}

/// One expected error: who calls which handshake, and the code, status and message that come back.
struct Case {
    key: crate::signer::Key,
    handshake: Option<&'static str>,
    status: u16,
    code: &'static str,
    message: &'static str,
}

const MISSING: (u16, &str, &str) = (
    400,
    "MissingParameter.HandshakeId",
    "You must specify HandshakeId.",
);
const INVALID: (u16, &str, &str) = (
    400,
    "InvalidParameter.HandshakeId",
    "The HandshakeId is invalid.",
);
const NOT_FOUND: (u16, &str, &str) = (
    404,
    "EntityNotExists.Handshake",
    "The specified handshake does not exist.",
);
const MISMATCH: (u16, &str, &str) = (409, "HandshakeStatusMismatch", "The invitation is invalid.");

fn case(
    key: crate::signer::Key,
    handshake: Option<&'static str>,
    (status, code, message): (u16, &'static str, &'static str),
) -> Case {
    Case {
        key,
        handshake,
        status,
        code,
        message,
    }
}

fn check_cases(action: &str, cases: &[Case]) {
    for format in ["JSON", "XML"] {
        let app = spawn_app();
        let before = app.world();
        for case in cases {
            let mut call = app.call(case.key, action).format(format);
            if let Some(handshake) = case.handshake {
                call = call.handshake(handshake);
            }
            let reply = call.send();
            let want = expected(case.status, case.code, case.message);
            assert_error(&reply, format, &app.host(), &want);
        }
        assert!(
            app.world() == before,
            "{action} errors leave the world as it was"
        );
    }
}

#[test]
fn every_accept_handshake_error_comes_with_its_status_and_message_in_both_formats() {
    check_cases(
        "AcceptHandshake",
        &[
            case(INVITEE, None, MISSING),
            case(INVITEE, Some(""), MISSING),
            case(INVITEE, Some("h-ycm4rp"), INVALID),
            case(INVITEE, Some("h-Ih8IuPfvV0t0abc!"), INVALID),
            case(INVITEE, Some("h-Unkn0wnHandshake"), NOT_FOUND),
            // Only the invitee may accept: anyone else is told the handshake does not exist.
            case(MANAGEMENT, Some("h-Ih8IuPfvV0t0abcd"), NOT_FOUND),
            case(OTHER_MEMBER, Some("h-Ih8IuPfvV0t0abcd"), NOT_FOUND),
            case(
                INVITEE,
                Some("h-G0neD1rectory011"),
                (
                    404,
                    "SpecifiedResourceDirectoryNotExists",
                    "The specified resource directory does not exist. You must specify a valid resource directory.",
                ),
            ),
            case(INVITEE, Some("h-Canc3lledAlrdy08"), MISMATCH),
            case(INVITEE, Some("h-Decl1nedAlready9"), MISMATCH),
            case(INVITEE, Some("h-Exp1redAlready10"), MISMATCH),
            case(JOINED, Some("h-Acc3ptedAlready7"), MISMATCH),
            case(
                OTHER_MEMBER,
                Some("h-Pend1ngOther0004"),
                (
                    409,
                    "NotSupport.AccountInAnotherResourceDirectory",
                    "Your account is a management account for another resource directory or a member of another resource directory.",
                ),
            ),
            case(
                PERSONAL,
                Some("h-Pend1ngPers0n005"),
                (
                    409,
                    "Invalid.AccountType",
                    "The specified profile type of account is invalid.",
                ),
            ),
            case(
                INDIVIDUAL,
                Some("h-Pend1ngIndiv0006"),
                (
                    409,
                    "NotSupport.Account.RealNameType",
                    "Your account is not a real-name of enterprise type, so you cannot accept the invitation.",
                ),
            ),
        ],
    );
}

#[test]
fn every_cancel_handshake_error_comes_with_its_status_and_message_in_both_formats() {
    check_cases(
        "CancelHandshake",
        &[
            case(MANAGEMENT, None, MISSING),
            case(MANAGEMENT, Some("h-ycm4rp****"), INVALID),
            case(MANAGEMENT, Some("h-Unkn0wnHandshake"), NOT_FOUND),
            // Only the management account that sent it may cancel.
            case(INVITEE, Some("h-Ih8IuPfvV0t0abcd"), NOT_FOUND),
            case(MANAGEMENT, Some("h-Acc3ptedAlready7"), MISMATCH),
            case(MANAGEMENT, Some("h-Canc3lledAlrdy08"), MISMATCH),
            case(MANAGEMENT, Some("h-Decl1nedAlready9"), MISMATCH),
            case(MANAGEMENT, Some("h-Exp1redAlready10"), MISMATCH),
        ],
    );
}

#[test]
fn a_handshake_cannot_be_accepted_after_it_was_cancelled_or_cancelled_after_it_was_accepted() {
    let app = spawn_app();
    assert_eq!(
        app.call(MANAGEMENT, "CancelHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
            .send()
            .status,
        200
    );
    assert_eq!(
        app.call(INVITEE, "AcceptHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
            .send()
            .code(),
        "HandshakeStatusMismatch"
    );

    assert_eq!(
        app.call(INVITEE, "AcceptHandshake")
            .handshake("h-Pend1ngAcc0unt02")
            .send()
            .status,
        200
    );
    assert_eq!(
        app.call(MANAGEMENT, "CancelHandshake")
            .handshake("h-Pend1ngAcc0unt02")
            .send()
            .code(),
        "HandshakeStatusMismatch"
    );
}
