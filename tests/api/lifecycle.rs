//! The whole invitation lifecycle through the gateway: InviteAccountToResourceDirectory,
//! DeclineHandshake, GetHandshake and both List actions, with their exact bodies, every error
//! code each documents (both formats), paging edges, and expiry through the emulator clock.

use crate::helpers::*;
use crate::signer::Key;
use chrono::TimeDelta;
use serde_json::Value;

const UNVERIFIED: Key = Key::new("LTAI5tEmuInvitee00006", "EmuInviteeSecret00006");
const NAMELESS: Key = Key::new("LTAI5tEmuInvitee00007", "EmuInviteeSecret00007");

fn invite<'a>(app: &'a TestApp, entity: &str, target_type: &str) -> Call<'a> {
    app.call(MANAGEMENT, "InviteAccountToResourceDirectory")
        .param("TargetEntity", entity)
        .param("TargetType", target_type)
}

fn handshake_ids(reply: &Reply) -> Vec<String> {
    reply.json()["Handshakes"]["Handshake"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {}", reply.body))
        .iter()
        .map(|h| h["HandshakeId"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_invitation_is_pending_for_fourteen_days_with_a_fresh_id() {
    let app = spawn_app();
    let reply = invite(&app, "new-partner@fresh.example", "Email")
        .param("Note", "Join us")
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let id = reply.json()["Handshake"]["HandshakeId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        id.len() == 18
            && id.starts_with("h-")
            && id[2..].bytes().all(|b| b.is_ascii_alphanumeric()),
        "{id}"
    );
    let expected = format!(
        r#"{{"RequestId":"<RequestId>","Handshake":{{"HandshakeId":"{id}","ResourceDirectoryId":"rd-3G6zcw","MasterAccountId":"1512666876910000","MasterAccountName":"CompanyA","TargetEntity":"new-partner@fresh.example","TargetType":"Email","Note":"Join us","Status":"Pending","CreateTime":"2026-11-22T08:00:00Z","ModifyTime":"2026-11-22T08:00:00Z","ExpireTime":"2026-12-06T08:00:00Z"}}}}"#
    );
    assert_eq!(reply.masked(), expected);

    let xml = invite(&app, "other@fresh.example", "Email")
        .format("XML")
        .send();
    assert_eq!(xml.status, 200, "{}", xml.body);
    assert!(
        xml.body
            .contains("<InviteAccountToResourceDirectoryResponse><RequestId>"),
        "{}",
        xml.body
    );
    assert_eq!(xml.xml_field("Status").as_deref(), Some("Pending"));
    assert_eq!(xml.xml_field("Note").as_deref(), Some(""));
}

#[test]
fn an_invited_account_can_read_list_and_accept_the_invitation_and_the_directory_sees_it() {
    let app = spawn_app();
    // Free the invitee's pending invitations so a new one to it is not a duplicate.
    for id in [
        "h-Ih8IuPfvV0t0abcd",
        "h-Pend1ngAcc0unt02",
        "h-Pend1ngEma1l0003",
    ] {
        assert_eq!(
            app.call(MANAGEMENT, "CancelHandshake")
                .handshake(id)
                .send()
                .status,
            200
        );
    }
    app.clock.advance(TimeDelta::minutes(1)).unwrap();
    let sent = invite(&app, "1772422852740000", "Account")
        .param("Tag.1.Key", "team")
        .param("Tag.1.Value", "ops")
        .send();
    assert_eq!(sent.status, 200, "{}", sent.body);
    let id = sent.json()["Handshake"]["HandshakeId"]
        .as_str()
        .unwrap()
        .to_owned();

    let by_invitee = app.call(INVITEE, "GetHandshake").handshake(&id).send();
    assert_eq!(
        by_invitee.json()["Handshake"]["MasterAccountRealName"],
        "CompanyA"
    );
    assert_eq!(
        by_invitee.json()["Handshake"]["InvitedAccountRealName"],
        "Partner"
    );
    let by_manager = app.call(MANAGEMENT, "GetHandshake").handshake(&id).send();
    assert_eq!(by_manager.json()["Handshake"]["Status"], "Pending");
    assert!(
        by_manager.json()["Handshake"]
            .get("MasterAccountRealName")
            .is_none(),
        "real names are for the invitee only"
    );

    let received = app.call(INVITEE, "ListHandshakesForAccount").send();
    assert_eq!(handshake_ids(&received)[0], id, "newest first");

    assert_eq!(
        app.call(INVITEE, "AcceptHandshake")
            .handshake(&id)
            .send()
            .status,
        200
    );
    let directory = app
        .call(MANAGEMENT, "ListHandshakesForResourceDirectory")
        .param("PageSize", "100")
        .send();
    let listed: Vec<Value> = directory.json()["Handshakes"]["Handshake"]
        .as_array()
        .unwrap()
        .clone();
    let mine = listed
        .iter()
        .find(|h| h["HandshakeId"] == id.as_str())
        .expect("the directory lists it");
    assert_eq!(mine["Status"], "Accepted");
    // The real service no longer lets the invitee read an invitation it accepted.
    let again = app.call(INVITEE, "GetHandshake").handshake(&id).send();
    assert_error(
        &again,
        "JSON",
        &app.host(),
        &expected(409, "HandshakeStatusMismatch", "The invitation is invalid."),
    );
}

#[test]
fn the_invitee_declines_and_cannot_decline_twice() {
    let app = spawn_app();
    let reply = app
        .call(INVITEE, "DeclineHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .format("XML")
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.masked(),
        r"<?xml version='1.0' encoding='UTF-8'?><DeclineHandshakeResponse><RequestId><RequestId></RequestId><Handshake><HandshakeId>h-Ih8IuPfvV0t0abcd</HandshakeId><ResourceDirectoryId>rd-3G6zcw</ResourceDirectoryId><MasterAccountId>1512666876910000</MasterAccountId><MasterAccountName>CompanyA</MasterAccountName><TargetEntity>1772422852740000</TargetEntity><TargetType>Account</TargetType><Note>Welcome</Note><Status>Declined</Status><CreateTime>2026-11-22T07:00:00Z</CreateTime><ModifyTime>2026-11-22T08:00:00Z</ModifyTime><ExpireTime>2026-12-06T07:00:00Z</ExpireTime></Handshake></DeclineHandshakeResponse>"
    );
    let twice = app
        .call(INVITEE, "DeclineHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    assert_eq!(twice.code(), "HandshakeStatusMismatch");
}

fn check<'a>(app: &'a TestApp, call: impl Fn(&str) -> Call<'a>, want: &Expected) {
    for format in ["JSON", "XML"] {
        assert_error(&call(format).send(), format, &app.host(), want);
    }
}

#[test]
fn every_invite_error_comes_with_its_status_and_message_in_both_formats() {
    let app = spawn_app();
    let before = app.world();
    let target_entity = || {
        expected(
            400,
            "InvalidParameter.TargetEntity",
            "The TargetEntity is invalid.",
        )
    };
    let long_note = "n".repeat(1025);
    let cases: Vec<(Vec<(&str, &str)>, Key, Expected)> = vec![
        (
            vec![("TargetType", "Account")],
            MANAGEMENT,
            expected(
                400,
                "MissingParameter.TargetEntity",
                "You must specify TargetEntity.",
            ),
        ),
        (
            vec![("TargetEntity", "1772422852740000")],
            MANAGEMENT,
            expected(
                400,
                "MissingParameter.TargetType",
                "You must specify TargetType.",
            ),
        ),
        (
            vec![
                ("TargetEntity", "1772422852740000"),
                ("TargetType", "account"),
            ],
            MANAGEMENT,
            expected(
                400,
                "InvalidParameter.TargetType",
                "The TargetType is invalid.",
            ),
        ),
        (
            vec![
                ("TargetEntity", "17724228527400"),
                ("TargetType", "Account"),
            ],
            MANAGEMENT,
            target_entity(),
        ),
        (
            vec![
                ("TargetEntity", "1999999999999999"),
                ("TargetType", "Account"),
            ],
            MANAGEMENT,
            target_entity(),
        ),
        (
            vec![("TargetEntity", "not-an-email"), ("TargetType", "Email")],
            MANAGEMENT,
            target_entity(),
        ),
        (
            vec![
                ("TargetEntity", "new@fresh.example"),
                ("TargetType", "Email"),
                ("Note", &long_note),
            ],
            MANAGEMENT,
            expected(
                400,
                "InvalidParameter.Note.Length",
                "The length of the invitation note exceeds the limit.",
            ),
        ),
        (
            vec![
                ("TargetEntity", "new@fresh.example"),
                ("TargetType", "Email"),
                ("Note", "bell\u{7}"),
            ],
            MANAGEMENT,
            expected(400, "InvalidParameter.Note", "The Note is invalid."),
        ),
        (
            vec![
                ("TargetEntity", "new@fresh.example"),
                ("TargetType", "Email"),
                ("Tag.0.Key", "k"),
            ],
            MANAGEMENT,
            invalid("Tag.0.Key"),
        ),
        (
            vec![
                ("TargetEntity", "new@fresh.example"),
                ("TargetType", "Email"),
                ("Tag.21.Key", "k"),
            ],
            MANAGEMENT,
            invalid("Tag.21.Key"),
        ),
        (
            vec![
                ("TargetEntity", "new@fresh.example"),
                ("TargetType", "Email"),
                ("Tag.1.Value", "v"),
            ],
            MANAGEMENT,
            invalid("Tag.1.Key"),
        ),
        // Each index has one spelling (issue #10): these would fill Tag.1's slot and one tag
        // would be dropped without a word.
        (
            vec![
                ("TargetEntity", "new@fresh.example"),
                ("TargetType", "Email"),
                ("Tag.1.Key", "a"),
                ("Tag.01.Key", "b"),
            ],
            MANAGEMENT,
            invalid("Tag.01.Key"),
        ),
        (
            vec![
                ("TargetEntity", "new@fresh.example"),
                ("TargetType", "Email"),
                ("Tag.1.Key", "a"),
                ("Tag.+1.Value", "b"),
            ],
            MANAGEMENT,
            invalid("Tag.+1.Value"),
        ),
        (
            vec![
                ("TargetEntity", "new@fresh.example"),
                ("TargetType", "Email"),
            ],
            INVITEE,
            expected(
                404,
                "EntityNotExists.ResourceDirectory",
                "The resource directory for the account is not enabled. We recommend that you first enable the resource directory for the account.",
            ),
        ),
        (
            vec![
                ("TargetEntity", "1772422852740000"),
                ("TargetType", "Account"),
            ],
            MANAGEMENT,
            expected(
                409,
                "EntityAlreadyExists.Handshake",
                "Handshakes with the same target entity already exist.",
            ),
        ),
        (
            vec![
                ("TargetEntity", "OPS@partner.example"),
                ("TargetType", "Email"),
            ],
            MANAGEMENT,
            expected(
                409,
                "EntityAlreadyExists.Handshake",
                "Handshakes with the same target entity already exist.",
            ),
        ),
        (
            vec![
                ("TargetEntity", "1772422852740001"),
                ("TargetType", "Account"),
            ],
            MANAGEMENT,
            expected(
                409,
                "NotSupport.AccountInAnotherResourceDirectory",
                "Your account is a management account for another resource directory or a member of another resource directory.",
            ),
        ),
        (
            vec![
                ("TargetEntity", "1772422852740002"),
                ("TargetType", "Account"),
            ],
            MANAGEMENT,
            expected(
                409,
                "Invalid.AccountType",
                "The specified profile type of account is invalid.",
            ),
        ),
    ];
    for (params, key, want) in &cases {
        check(
            &app,
            |format| {
                params.iter().fold(
                    app.call(*key, "InviteAccountToResourceDirectory")
                        .format(format),
                    |call, (k, v)| call.param(k, v),
                )
            },
            want,
        );
    }
    assert!(
        app.world() == before,
        "no refused invitation changed the world"
    );
}

#[test]
fn every_decline_and_get_error_comes_with_its_status_and_message_in_both_formats() {
    let app = spawn_app();
    let not_found = expected(
        404,
        "EntityNotExists.Handshake",
        "The specified handshake does not exist.",
    );
    let mismatch = expected(409, "HandshakeStatusMismatch", "The invitation is invalid.");
    for action in ["DeclineHandshake", "GetHandshake"] {
        check(
            &app,
            |f| app.call(INVITEE, action).format(f),
            &expected(
                400,
                "MissingParameter.HandshakeId",
                "You must specify HandshakeId.",
            ),
        );
        check(
            &app,
            |f| app.call(INVITEE, action).format(f).handshake("h-short"),
            &expected(
                400,
                "InvalidParameter.HandshakeId",
                "The HandshakeId is invalid.",
            ),
        );
        check(
            &app,
            |f| {
                app.call(INVITEE, action)
                    .format(f)
                    .handshake("h-Unkn0wnHandshake")
            },
            &not_found,
        );
        check(
            &app,
            |f| {
                app.call(OTHER_MEMBER, action)
                    .format(f)
                    .handshake("h-Ih8IuPfvV0t0abcd")
            },
            &not_found,
        );
    }
    check(
        &app,
        |f| {
            app.call(MANAGEMENT, "DeclineHandshake")
                .format(f)
                .handshake("h-Ih8IuPfvV0t0abcd")
        },
        &not_found,
    );
    check(
        &app,
        |f| {
            app.call(INVITEE, "DeclineHandshake")
                .format(f)
                .handshake("h-Canc3lledAlrdy08")
        },
        &mismatch,
    );
    check(
        &app,
        |f| {
            app.call(INVITEE, "DeclineHandshake")
                .format(f)
                .handshake("h-Exp1redAlready10")
        },
        &mismatch,
    );
    check(
        &app,
        |f| {
            app.call(JOINED, "GetHandshake")
                .format(f)
                .handshake("h-Acc3ptedAlready7")
        },
        &mismatch,
    );
    check(
        &app,
        |f| {
            app.call(UNVERIFIED, "GetHandshake")
                .format(f)
                .handshake("h-NoRealName000012")
        },
        &expected(
            409,
            "NoRealNameAuthentication",
            "The account invited has not passed real-name authentication.",
        ),
    );
    check(
        &app,
        |f| {
            app.call(NAMELESS, "GetHandshake")
                .format(f)
                .handshake("h-EmptyName0000013")
        },
        &expected(
            409,
            "MissingAccountRealName",
            "The name of the invited account is not specified.",
        ),
    );
    check(
        &app,
        |f| {
            app.call(INVITEE, "ListHandshakesForResourceDirectory")
                .format(f)
        },
        &expected(
            404,
            "EntityNotExists.ResourceDirectory",
            "The resource directory for the account is not enabled. We recommend that you first enable the resource directory for the account.",
        ),
    );
}

#[test]
fn lists_page_newest_first_with_total_count() {
    let app = spawn_app();
    let all = app
        .call(INVITEE, "ListHandshakesForAccount")
        .param("PageSize", "100")
        .send();
    assert_eq!(all.json()["TotalCount"], 7, "{}", all.body);
    let everything = handshake_ids(&all);
    assert_eq!(
        everything[0], "h-G0neD1rectory011",
        "same CreateTime: by id; older ones after"
    );
    assert_eq!(everything.last().unwrap(), "h-Exp1redAlready10");

    let mut paged = Vec::new();
    for page in 1..=4 {
        let reply = app
            .call(INVITEE, "ListHandshakesForAccount")
            .param("PageNumber", &page.to_string())
            .param("PageSize", "2")
            .send();
        assert_eq!(
            (
                reply.json()["PageNumber"].clone(),
                reply.json()["PageSize"].clone()
            ),
            (page.into(), 2.into())
        );
        paged.extend(handshake_ids(&reply));
    }
    assert_eq!(paged, everything, "pages of 2 walk the same order");

    let beyond = app
        .call(INVITEE, "ListHandshakesForAccount")
        .param("PageNumber", "9")
        .send();
    assert_eq!(
        beyond.masked(),
        r#"{"RequestId":"<RequestId>","TotalCount":7,"PageNumber":9,"PageSize":10,"Handshakes":{"Handshake":[]}}"#
    );
    let none = app
        .call(MANAGEMENT, "ListHandshakesForAccount")
        .format("XML")
        .send();
    assert_eq!(
        none.masked(),
        r"<?xml version='1.0' encoding='UTF-8'?><ListHandshakesForAccountResponse><RequestId><RequestId></RequestId><TotalCount>0</TotalCount><PageNumber>1</PageNumber><PageSize>10</PageSize><Handshakes></Handshakes></ListHandshakesForAccountResponse>"
    );
    let directory = app
        .call(MANAGEMENT, "ListHandshakesForResourceDirectory")
        .format("XML")
        .param("PageSize", "2")
        .send();
    assert_eq!(
        directory.body.matches("<Handshake><HandshakeId>").count(),
        2,
        "{}",
        directory.body
    );
    assert!(directory.body.contains("<TotalCount>12</TotalCount><PageNumber>1</PageNumber><PageSize>2</PageSize><Handshakes><Handshake><HandshakeId>"));
}

#[test]
fn bad_paging_values_are_invalid_parameters_in_both_formats() {
    let app = spawn_app();
    for action in [
        "ListHandshakesForAccount",
        "ListHandshakesForResourceDirectory",
    ] {
        for (name, value) in [
            ("PageNumber", "0"),
            ("PageNumber", "-1"),
            ("PageNumber", "x"),
            ("PageSize", "0"),
            ("PageSize", "101"),
            ("PageSize", ""),
            // Plain decimal digits only (issue #10): Rust's parser alone would take these.
            ("PageSize", "+2"),
            ("PageNumber", "+1"),
        ] {
            check(
                &app,
                |f| app.call(MANAGEMENT, action).format(f).param(name, value),
                &invalid(name),
            );
        }
        assert_eq!(
            app.call(MANAGEMENT, action)
                .param("PageSize", "100")
                .send()
                .status,
            200
        );
    }
}

#[test]
fn invitations_expire_as_the_emulator_clock_passes_their_expire_time() {
    let app = spawn_app();
    let sent = invite(&app, "later@fresh.example", "Email").send();
    let id = sent.json()["Handshake"]["HandshakeId"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = app.control(
        "POST",
        "/_emulator/clock",
        Some(r#"{"action":"advance","by":"14d"}"#),
    );
    assert_eq!(moved.json()["now"], "2026-12-06T08:00:00Z");

    let read = app.call(MANAGEMENT, "GetHandshake").handshake(&id).send();
    assert_eq!(read.json()["Handshake"]["Status"], "Expired");
    assert_eq!(
        read.json()["Handshake"]["ModifyTime"],
        "2026-12-06T08:00:00Z"
    );
    let listed = app
        .call(MANAGEMENT, "ListHandshakesForResourceDirectory")
        .param("PageSize", "100")
        .send();
    let statuses: Vec<_> = listed.json()["Handshakes"]["Handshake"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["Status"].clone())
        .collect();
    assert!(
        statuses.iter().all(|s| s != "Pending"),
        "everything sent before now+14d has expired: {statuses:?}"
    );
    let cancel = app
        .call(MANAGEMENT, "CancelHandshake")
        .handshake(&id)
        .send();
    assert_eq!(cancel.code(), "HandshakeStatusMismatch");
    // A new invitation to the same target is allowed once the old one expired.
    assert_eq!(
        invite(&app, "later@fresh.example", "Email").send().status,
        200
    );
}
