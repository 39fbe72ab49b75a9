//! The control plane under /_emulator/: health, reset, state export and import, the clock, fault
//! rules (observed through signed requests) and the request journal, with their bad inputs and
//! the admin token.

use crate::helpers::*;
use std::time::{Duration, Instant};

fn accept(app: &TestApp, id: &str) -> Reply {
    app.call(INVITEE, "AcceptHandshake").handshake(id).send()
}

#[test]
fn health_reports_version_counts_and_clock() {
    let app = spawn_app();
    let reply = app.control("GET", "/_emulator/health", None);
    assert_eq!(
        (reply.status, reply.content_type.as_str()),
        (200, "application/json")
    );
    let health = reply.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(health["world"]["handshakes"], 13);
    assert_eq!(health["world"]["access_keys"], 11);
    assert_eq!(health["clock"]["now"], "2026-11-22T08:00:00Z");
    assert_eq!(health["clock"]["frozen"], true);
    assert!(health["uptime_seconds"].is_u64());
}

#[test]
fn reset_puts_the_world_back_as_it_was_loaded() {
    let app = spawn_app();
    let loaded = app.world();
    assert_eq!(accept(&app, "h-Ih8IuPfvV0t0abcd").status, 200);
    assert!(app.world() != loaded);
    let reply = app.control("POST", "/_emulator/reset", None);
    assert_eq!(
        (reply.status, reply.json()["status"].clone()),
        (200, "reset".into())
    );
    assert!(app.world() == loaded);
    assert_eq!(
        accept(&app, "h-Ih8IuPfvV0t0abcd").status,
        200,
        "the invitation is Pending again"
    );
}

#[test]
fn state_exports_and_imports_the_fixture_schema_and_a_bad_document_changes_nothing() {
    let app = spawn_app();
    let exported = app.control("GET", "/_emulator/state", None);
    assert_eq!(exported.status, 200);
    let mut doc = exported.json();
    assert_eq!(doc["handshakes"].as_array().unwrap().len(), 13);
    assert!(
        doc["access_keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["id"] == "LTAI5tEmuManagement01")
    );

    // Import a smaller world: only the first handshake (by CreateTime) stays.
    doc["handshakes"] = doc["handshakes"].as_array().unwrap()[..1].to_vec().into();
    let kept = doc["handshakes"][0]["id"].as_str().unwrap().to_owned();
    let replaced = app.control("PUT", "/_emulator/state", Some(&doc.to_string()));
    assert_eq!(
        (
            replaced.status,
            replaced.json()["world"]["handshakes"].clone()
        ),
        (200, 1.into()),
        "{}",
        replaced.body
    );
    assert!(app.handshake(&kept).is_some());

    let before = app.world();
    for (body, problem) in [
        ("{", "state:1:1: EOF while parsing an object"),
        (r#"{"accounts": [{"id": "12"}]}"#, "invalid account id"),
        (
            r#"{"access_keys": [{"id": "AK", "secret": "S", "account_id": "1234567890123456"}]}"#,
            "is not defined",
        ),
        (r#"{"unknown": 1}"#, "unknown field"),
    ] {
        let reply = app.control("PUT", "/_emulator/state", Some(body));
        assert_eq!(reply.status, 400, "{body}");
        let error = reply.json()["error"].as_str().unwrap().to_owned();
        assert!(error.contains(problem), "{body}: {error}");
    }
    assert!(
        app.world() == before,
        "refused documents leave the world as it was"
    );

    let toml = "[[accounts]]\nid = \"1234567890123456\"\nname = \"Solo\"\nlogon_email = \"solo@example.com\"\ntype = \"enterprise\"\nreal_name_type = \"enterprise\"\n";
    let reply = app.raw_request(
        "PUT",
        "/_emulator/state",
        Some("application/toml"),
        toml.as_bytes(),
    );
    assert_eq!(
        (reply.status, reply.json()["world"]["accounts"].clone()),
        (200, 1.into()),
        "{}",
        reply.body
    );
}

#[test]
fn the_clock_can_be_read_frozen_set_advanced_and_resumed() {
    let app = spawn_app();
    let clock = |body: &str| app.control("POST", "/_emulator/clock", Some(body)).json();
    assert_eq!(
        app.control("GET", "/_emulator/clock", None).json()["now"],
        "2026-11-22T08:00:00Z"
    );
    assert_eq!(
        clock(r#"{"action":"advance","by":"-90m"}"#)["now"],
        "2026-11-22T06:30:00Z"
    );
    assert_eq!(
        clock(r#"{"action":"set","time":"2027-01-01T00:00:00Z"}"#)["now"],
        "2027-01-01T00:00:00Z"
    );
    let resumed = clock(r#"{"action":"resume"}"#);
    assert_eq!(resumed["frozen"], false);
    assert!(resumed["offset_seconds"].as_i64().unwrap() > 0, "{resumed}");
    assert_eq!(clock(r#"{"action":"freeze"}"#)["frozen"], true);
    let system = clock(r#"{"action":"system"}"#);
    assert_eq!(
        (system["frozen"].clone(), system["offset_seconds"].clone()),
        (false.into(), 0.into())
    );

    for bad in [
        r#"{"action":"advance","by":"3w"}"#,
        r#"{"action":"set","time":"tomorrow"}"#,
        r#"{"action":"rewind"}"#,
        "nope",
    ] {
        let reply = app.control("POST", "/_emulator/clock", Some(bad));
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        assert!(reply.json()["error"].is_string());
    }
}

#[test]
fn a_clock_change_out_of_range_is_refused_and_leaves_the_clock_and_server_as_they_were() {
    let app = spawn_app();
    for bad in [
        r#"{"action":"advance","by":"100000000d"}"#,
        r#"{"action":"advance","by":"-100000000d"}"#,
        r#"{"action":"advance","by":"9223372036854775807s"}"#,
        r#"{"action":"set","time":"+10000-01-01T00:00:00Z"}"#,
        r#"{"action":"set","time":"9999-12-31T00:00:00Z"}"#,
        r#"{"action":"set","time":"1969-12-31T23:59:59Z"}"#,
    ] {
        let reply = app.control("POST", "/_emulator/clock", Some(bad));
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        assert!(reply.json()["error"].is_string(), "{}", reply.body);
    }
    let health = app.control("GET", "/_emulator/health", None);
    assert_eq!(health.status, 200, "{}", health.body);
    assert_eq!(health.json()["clock"]["now"], "2026-11-22T08:00:00Z");
    let reply = accept(&app, "h-Ih8IuPfvV0t0abcd");
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[test]
fn a_state_document_with_a_time_beyond_the_calendar_is_refused_with_its_line() {
    let app = spawn_app();
    let before = app.world();
    let doc = r#"{
  "resource_directories": [{"id": "rd-3G6zcw", "master_account_id": "1512666876910000"}],
  "accounts": [{"id": "1512666876910000", "name": "A", "logon_email": "a@a.example", "type": "enterprise", "real_name_type": "enterprise"}],
  "handshakes": [{"id": "h-Ih8IuPfvV0t0abcd", "resource_directory_id": "rd-3G6zcw", "target_entity": "b@b.example", "target_type": "Email", "status": "Pending", "create_time": "now+100000000d"}]
}"#;
    let reply = app.control("PUT", "/_emulator/state", Some(doc));
    assert_eq!(reply.status, 400, "{}", reply.body);
    let error = reply.json()["error"].as_str().unwrap().to_owned();
    assert!(error.starts_with("state:4:"), "{error}");
    assert!(error.contains("out of range"), "{error}");
    assert!(app.world() == before, "a refused document changes nothing");
}

#[test]
fn a_throttling_fault_answers_a_signed_request_with_retry_after_then_expires() {
    let app = spawn_app();
    let rule = app.control(
        "POST",
        "/_emulator/faults",
        Some(r#"{"action":"AcceptHandshake","handshake_id":"h-Ih8IuPfvV0t0abcd","code":"Throttling.User","times":1,"retry_after_ms":250}"#),
    );
    assert_eq!(rule.status, 201, "{}", rule.body);
    assert_eq!(rule.json()["id"], "fault-1");

    let other = accept(&app, "h-Pend1ngEma1l0003");
    assert_eq!(
        other.status, 200,
        "another HandshakeId is not matched: {}",
        other.body
    );
    let reply = app.raw_request(
        "POST",
        &format!(
            "/?{}",
            crate::signer::form_encode(
                &app.call(INVITEE, "AcceptHandshake")
                    .handshake("h-Ih8IuPfvV0t0abcd")
                    .signed_params()
            )
        ),
        None,
        b"",
    );
    assert_error(
        &reply,
        "JSON",
        &app.host(),
        &expected(
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
        ),
    );
    assert!(
        app.control("GET", "/_emulator/faults", None).json()["faults"]
            .as_array()
            .unwrap()
            .is_empty(),
        "times=1 is spent"
    );
    let after = accept(&app, "h-Ih8IuPfvV0t0abcd");
    assert_eq!(
        after.code(),
        "NotSupport.AccountInAnotherResourceDirectory",
        "the rule is spent; the invitee joined through the email invitation"
    );
}

#[test]
fn a_fault_rule_sets_the_retry_after_header_that_sdks_read() {
    let app = spawn_app();
    app.control(
        "POST",
        "/_emulator/faults",
        Some(r#"{"action":"CancelHandshake","code":"Throttling.User"}"#),
    );
    let request = crate::signer::form_encode(
        &app.call(MANAGEMENT, "CancelHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
            .signed_params(),
    );
    let raw = format!(
        "POST /?{request} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        app.host()
    );
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", app.port)).unwrap();
    std::io::Write::write_all(&mut stream, raw.as_bytes()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stream, &mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains("x-acs-retry-after: 1000\r\n"),
        "{text}"
    );
}

#[test]
fn faults_can_add_latency_fire_by_key_and_be_listed_and_deleted() {
    let app = spawn_app();
    let latency = app.control(
        "POST",
        "/_emulator/faults",
        Some(
            r#"{"action":"GetHandshake","latency_ms":300,"access_key_id":"LTAI5tEmuManagement01"}"#,
        ),
    );
    let id = latency.json()["id"].as_str().unwrap().to_owned();
    app.control(
        "POST",
        "/_emulator/faults",
        Some(r#"{"action":"DeclineHandshake","code":"ServiceUnavailable","probability":1.0}"#),
    );

    let started = Instant::now();
    let slow = app
        .call(MANAGEMENT, "GetHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    assert_eq!(slow.status, 200, "latency alone lets the action run");
    assert!(started.elapsed() >= Duration::from_millis(300));
    let unavailable = app
        .call(INVITEE, "DeclineHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .format("XML")
        .send();
    assert_error(
        &unavailable,
        "XML",
        &app.host(),
        &expected(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        ),
    );

    let listed = app.control("GET", "/_emulator/faults", None).json();
    assert_eq!(listed["faults"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.control("DELETE", &format!("/_emulator/faults/{id}"), None)
            .status,
        200
    );
    assert_eq!(
        app.control("DELETE", &format!("/_emulator/faults/{id}"), None)
            .status,
        404
    );
    assert_eq!(
        app.control("DELETE", "/_emulator/faults", None).json()["deleted"],
        1
    );
    assert_eq!(
        app.call(INVITEE, "DeclineHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
            .send()
            .status,
        200
    );

    for bad in [
        r#"{"action":"Nope","code":"InternalError"}"#,
        r#"{"action":"GetHandshake","code":"NotACode"}"#,
        r#"{"action":"GetHandshake"}"#,
        r#"{"action":"GetHandshake","code":"InternalError","extra":1}"#,
        "[]",
    ] {
        let reply = app.control("POST", "/_emulator/faults", Some(bad));
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
    }
}

#[test]
fn the_journal_records_requests_without_secrets_and_filters_them() {
    let app = spawn_app();
    accept(&app, "h-Ih8IuPfvV0t0abcd");
    accept(&app, "h-Ih8IuPfvV0t0abcd");
    app.call(STS, "GetHandshake")
        .handshake("h-Pend1ngAcc0unt02")
        .send();
    app.raw_request("GET", "/nowhere", None, b"");

    let all = app.control("GET", "/_emulator/requests", None).json();
    let entries = all["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    let first = &entries[0];
    assert_eq!(
        (
            first["action"].clone(),
            first["status"].clone(),
            first["signature"].clone()
        ),
        ("AcceptHandshake".into(), 200.into(), "V1".into())
    );
    assert_eq!(first["access_key_id"], "LTAI5tEmuInvitee00001");
    assert_eq!(first["account_id"], "1772422852740000");
    assert_eq!(first["parameters"]["HandshakeId"], "h-Ih8IuPfvV0t0abcd");
    assert!(first["parameters"].get("Signature").is_none());
    assert!(
        entries[2]["parameters"].get("SecurityToken").is_none(),
        "tokens stay out of the journal"
    );
    assert_eq!(entries[3]["code"], "InvalidApi.NotFound");

    let mismatches = app
        .control(
            "GET",
            "/_emulator/requests?code=HandshakeStatusMismatch",
            None,
        )
        .json();
    assert_eq!(mismatches["requests"].as_array().unwrap().len(), 1);
    let gets = app
        .control(
            "GET",
            "/_emulator/requests?action=GetHandshake&limit=5",
            None,
        )
        .json();
    assert_eq!(gets["requests"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.control("GET", "/_emulator/requests?colour=red", None)
            .status,
        400
    );
    assert_eq!(
        app.control("DELETE", "/_emulator/requests", None).json()["deleted"],
        4
    );
    assert!(
        app.control("GET", "/_emulator/requests", None).json()["requests"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_control_plane_answers_json_errors_and_is_not_an_action() {
    let app = spawn_app();
    let unknown = app.control("GET", "/_emulator/nothing", None);
    assert_eq!(
        (unknown.status, unknown.json()["error"].as_str().unwrap()),
        (404, "no control-plane endpoint /_emulator/nothing")
    );
    let wrong_method = app.control("DELETE", "/_emulator/health", None);
    assert_eq!(wrong_method.status, 405);
    assert!(wrong_method.json()["error"].is_string());
    let as_action = app.call(MANAGEMENT, "_emulator/reset").send();
    assert_eq!(as_action.code(), "InvalidAction.NotFound");
}

#[test]
fn with_an_admin_token_every_control_call_needs_it_and_the_gateway_does_not() {
    let app = spawn_app_with(Options {
        admin_token: Some("s3cret".into()),
        ..Options::default()
    });
    for (method, path) in [
        ("GET", "/_emulator/health"),
        ("POST", "/_emulator/reset"),
        ("GET", "/_emulator/state"),
        ("GET", "/_emulator/nothing"),
    ] {
        let reply = app.control(method, path, None);
        assert_eq!(reply.status, 401, "{method} {path}");
        assert!(reply.json()["error"].as_str().unwrap().contains("Bearer"));
    }
    let with_token = "GET /_emulator/health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nConnection: close\r\n\r\n";
    assert_eq!(app.raw(with_token.as_bytes()).status, 200);
    let wrong = "GET /_emulator/health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer guess\r\nConnection: close\r\n\r\n";
    assert_eq!(app.raw(wrong.as_bytes()).status, 401);
    assert_eq!(
        accept(&app, "h-Ih8IuPfvV0t0abcd").status,
        200,
        "the cloud API needs no admin token"
    );
}

fn fault(app: &TestApp, spec: &str) {
    let rule = app.control("POST", "/_emulator/faults", Some(spec));
    assert_eq!(rule.status, 201, "{}", rule.body);
}

// Issue #10: a rule with a code whose message names something sent a literal `{}`.
#[test]
fn a_fault_rule_never_leaks_a_template_and_its_detail_fills_the_message() {
    let app = spawn_app();
    for (code, message) in [
        (
            "InvalidParameter",
            "Specified parameter HandshakeId is not valid.",
        ),
        (
            "MissingParameter",
            "The input parameter \"HandshakeId\" that is mandatory for processing this request is not supplied.",
        ),
    ] {
        fault(
            &app,
            &format!(r#"{{"action":"AcceptHandshake","code":"{code}","times":1}}"#),
        );
        let reply = accept(&app, "h-Ih8IuPfvV0t0abcd");
        assert_error(&reply, "JSON", &app.host(), &expected(400, code, message));
    }
    fault(
        &app,
        r#"{"action":"ListHandshakesForAccount","code":"InvalidParameter","times":1}"#,
    );
    let reply = app.call(INVITEE, "ListHandshakesForAccount").send();
    assert_error(&reply, "JSON", &app.host(), &invalid("PageSize"));
    fault(
        &app,
        r#"{"action":"AcceptHandshake","code":"InvalidParameter","detail":"Note","times":1}"#,
    );
    assert_error(
        &accept(&app, "h-Ih8IuPfvV0t0abcd"),
        "JSON",
        &app.host(),
        &invalid("Note"),
    );

    // The signature codes quote the request's real string to sign, in its scheme's wording.
    fault(
        &app,
        r#"{"action":"AcceptHandshake","code":"SignatureDoesNotMatch","times":2}"#,
    );
    let call = app
        .call(INVITEE, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd");
    let sts = crate::signer::string_to_sign("POST", &call.signed_params());
    let reply = call.send();
    assert_error(
        &reply,
        "JSON",
        &app.host(),
        &expected(
            400,
            "SignatureDoesNotMatch",
            format!(
                "Specified signature is not matched with our calculation. server string to sign is:{sts}"
            ),
        ),
    );
    let v3 = app
        .call_v3(INVITEE, "AcceptHandshake")
        .query("HandshakeId", "h-Ih8IuPfvV0t0abcd");
    let cr = v3.canonical_request();
    let sts = format!(
        "ACS3-HMAC-SHA256\n{}",
        crate::signer::sha256_hex(cr.as_bytes())
    );
    assert_error(
        &v3.send(),
        "JSON",
        &app.host(),
        &expected(
            400,
            "SignatureDoesNotMatch",
            format!(
                "Specified signature does not match our calculation. server StringToSign is [{sts}] server CanonicalRequest is [{cr}]"
            ),
        ),
    );
    fault(
        &app,
        r#"{"action":"AcceptHandshake","code":"IncompleteSignature","times":1}"#,
    );
    let reply = accept(&app, "h-Ih8IuPfvV0t0abcd");
    let message = reply.json()["Message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("The request signature does not conform to Aliyun standards. server string to sign is:POST&%2F&AccessKeyId%3DLTAI5tEmuInvitee00001%26Action%3DAcceptHandshake"),
        "{message}"
    );
    // Every code of the catalog, through a rule: no message keeps a placeholder.
    for code in resourcemanager_emulator::facade::alibaba::catalog::ErrorCode::ALL {
        fault(
            &app,
            &format!(
                r#"{{"action":"GetHandshake","code":"{}","times":1}}"#,
                code.as_str()
            ),
        );
        let reply = app
            .call(INVITEE, "GetHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
            .send();
        assert_eq!(reply.code(), code.as_str(), "{}", reply.body);
        assert!(!reply.body.contains("{}"), "{}", reply.body);
    }
}

// Real denials carry AccessDeniedDetail (RAM's DecodeDiagnosticMessage fields), which the Tea
// clients expose as access_denied_detail / accessDeniedDetail.
#[test]
fn a_denial_fault_carries_the_callers_access_denied_detail_in_both_formats() {
    let app = spawn_app();
    fault(
        &app,
        r#"{"action":"AcceptHandshake","code":"NoPermission","times":2}"#,
    );
    let reply = accept(&app, "h-Ih8IuPfvV0t0abcd");
    assert_eq!(reply.status, 403, "{}", reply.body);
    let detail = &reply.json()["AccessDeniedDetail"];
    let keys: Vec<_> = detail.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "AuthAction",
            "AuthPrincipalDisplayName",
            "AuthPrincipalOwnerId",
            "AuthPrincipalType",
            "EncodedDiagnosticMessage",
            "NoPermissionType",
            "PolicyType"
        ]
    );
    assert_eq!(detail["AuthAction"], "resourcemanager:AcceptHandshake");
    assert_eq!(detail["AuthPrincipalOwnerId"], "1772422852740000");
    assert_eq!(detail["AuthPrincipalDisplayName"], "LTAI5tEmuInvitee00001");
    assert_eq!(detail["AuthPrincipalType"], "SubUser");
    assert_eq!(detail["NoPermissionType"], "ImplicitDeny");
    assert_eq!(detail["PolicyType"], "AccountLevelIdentityBasedPolicy");
    let encoded = detail["EncodedDiagnosticMessage"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        reply.body.ends_with(&format!(
            r#","Recommend":"https://api.aliyun.com/troubleshoot?q=NoPermission&product=ResourceManager&requestId={}","AccessDeniedDetail":{{"AuthAction":"resourcemanager:AcceptHandshake","AuthPrincipalDisplayName":"LTAI5tEmuInvitee00001","AuthPrincipalOwnerId":"1772422852740000","AuthPrincipalType":"SubUser","EncodedDiagnosticMessage":"{encoded}","NoPermissionType":"ImplicitDeny","PolicyType":"AccountLevelIdentityBasedPolicy"}}}}"#,
            reply.request_id
        )),
        "{}",
        reply.body
    );

    let xml = app
        .call(STS, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .format("XML")
        .send();
    assert_eq!(xml.status, 403, "{}", xml.body);
    assert_eq!(
        xml.xml_field("AuthPrincipalType").as_deref(),
        Some("AssumedRoleUser")
    );
    assert_eq!(
        xml.xml_field("AuthPrincipalDisplayName").as_deref(),
        Some("STS.EmuInvitee00001")
    );
    assert!(
        xml.body
            .ends_with("</PolicyType></AccessDeniedDetail></Error>"),
        "{}",
        xml.body
    );
    fault(
        &app,
        r#"{"action":"CancelHandshake","code":"Forbidden.RAM","times":1}"#,
    );
    let reply = app
        .call(MANAGEMENT, "CancelHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    assert_eq!(
        reply.json()["AccessDeniedDetail"]["AuthAction"],
        "resourcemanager:CancelHandshake"
    );
    assert_eq!(
        reply.json()["AccessDeniedDetail"]["AuthPrincipalOwnerId"],
        "1512666876910000"
    );
}

#[test]
fn fault_rules_are_bounded_in_number_latency_retry_after_and_match_length() {
    let app = spawn_app();
    let long_id = format!(
        r#"{{"action":"GetHandshake","code":"InternalError","handshake_id":"{}"}}"#,
        "h".repeat(129)
    );
    for (rule, reason) in [
        (
            r#"{"action":"GetHandshake","latency_ms":18446744073709551615}"#,
            "latency_ms must be at most 300000",
        ),
        (
            r#"{"action":"AcceptHandshake","code":"Throttling.User","retry_after_ms":18446744073709551615}"#,
            "retry_after_ms must be at most 3600000",
        ),
        (long_id.as_str(), "handshake_id must be at most 128 bytes"),
    ] {
        let reply = app.control("POST", "/_emulator/faults", Some(rule));
        assert_eq!(reply.status, 400, "{rule}");
        assert!(
            reply.json()["error"].as_str().unwrap().contains(reason),
            "{}",
            reply.body
        );
    }
    let rule = r#"{"action":"CancelHandshake","handshake_id":"h-Canc3lledAlrdy08","code":"InternalError"}"#;
    for _ in 0..1000 {
        assert_eq!(
            app.control("POST", "/_emulator/faults", Some(rule)).status,
            201
        );
    }
    let refused = app.control("POST", "/_emulator/faults", Some(rule));
    assert_eq!(refused.status, 400);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .contains("1000 rules are in force"),
        "{}",
        refused.body
    );
    // Every matching call scans the rules; a thousand of them still answer at once.
    let started = Instant::now();
    let reply = app
        .call(MANAGEMENT, "GetHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    assert_eq!(reply.status, 200);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn a_huge_unauthenticated_request_is_journalled_cut_to_size_and_marked() {
    let app = spawn_app();
    let body = format!("Action=AcceptHandshake&Note={}", "n".repeat(250_000));
    let reply = app.raw_request(
        "POST",
        "/",
        Some("application/x-www-form-urlencoded"),
        body.as_bytes(),
    );
    assert_eq!(reply.code(), "MissingParameter");
    let journal = app
        .control("GET", "/_emulator/requests?limit=1", None)
        .json();
    let entry = &journal["requests"][0];
    assert_eq!(entry["truncated"], true);
    assert_eq!(entry["parameters"]["Action"], "AcceptHandshake");
    assert_eq!(entry["parameters"]["Note"].as_str().unwrap().len(), 1024);
    let small = app.raw_request("GET", "/?Action=GetHandshake", None, b"");
    assert_eq!(small.code(), "MissingParameter");
    let journal = app
        .control("GET", "/_emulator/requests?limit=1", None)
        .json();
    assert_eq!(journal["requests"].as_array().unwrap().len(), 1);
    assert_eq!(journal["requests"][0]["truncated"], false);
}

/// The journal's `why` of the last request.
fn last_why(app: &TestApp) -> String {
    let journal = app
        .control("GET", "/_emulator/requests?limit=1", None)
        .json();
    journal["requests"][0]["why"]
        .as_str()
        .unwrap_or_else(|| panic!("a why: {journal}"))
        .to_owned()
}

#[test]
fn every_refused_request_has_a_why_in_the_journal_that_never_reaches_the_body() {
    let app = spawn_app();
    let cases: Vec<(Box<dyn Fn() -> Reply + '_>, &str)> = vec![
        (
            Box::new(|| {
                app.call(OTHER_MEMBER, "AcceptHandshake")
                    .handshake("h-Ih8IuPfvV0t0abcd")
                    .send()
            }),
            "caller 1772422852740001 is not the invitee (TargetEntity 1772422852740000, account 1772422852740000)",
        ),
        (
            Box::new(|| {
                app.call(MANAGEMENT, "CancelHandshake")
                    .handshake("h-Canc3lledAlrdy08")
                    .send()
            }),
            "handshake h-Canc3lledAlrdy08 is Cancelled, not Pending",
        ),
        (
            Box::new(|| {
                app.call(MANAGEMENT, "CancelHandshake")
                    .handshake("h-Exp1redAlready10")
                    .send()
            }),
            "handshake h-Exp1redAlready10 expired at 2026-11-16T08:00:00Z",
        ),
        (
            Box::new(|| {
                app.call(MANAGEMENT, "AcceptHandshak")
                    .handshake("h-Ih8IuPfvV0t0abcd")
                    .send()
            }),
            "did you mean AcceptHandshake?",
        ),
        (
            Box::new(|| {
                app.call(INVITEE, "GetHandshake")
                    .handshake("h-Ih8IuPfvV0t0abcd")
                    .param(
                        "Timestamp",
                        &crate::signer::timestamp(chrono::TimeDelta::minutes(-31)),
                    )
                    .send()
            }),
            "is 31 minutes behind the emulator's wall clock",
        ),
        (
            Box::new(|| {
                app.call(INVITEE, "GetHandshake")
                    .handshake("h-Ih8IuPfvV0t0abcd")
                    .secret("NotTheSecret")
                    .send()
            }),
            "server string to sign is:POST&%2F&AccessKeyId%3DLTAI5tEmuInvitee00001",
        ),
        (
            Box::new(|| {
                app.call(
                    crate::signer::Key::new("LTAI5tNobody000000001", "x"),
                    "GetHandshake",
                )
                .handshake("h-Ih8IuPfvV0t0abcd")
                .send()
            }),
            "AccessKeyId LTAI5tNobody000000001: unknown access key",
        ),
    ];
    for (send, why) in cases {
        let reply = send();
        assert!(reply.status >= 400, "{}", reply.body);
        let journalled = last_why(&app);
        assert!(journalled.contains(why), "{journalled:?} names {why:?}");
        if !why.contains("string to sign") {
            assert!(
                !reply.body.contains(why),
                "the body carries no why: {}",
                reply.body
            );
        }
    }

    // A reused nonce names the request that used it first.
    let first = app
        .call(INVITEE, "GetHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .param("SignatureNonce", "why-nonce-0001")
        .send();
    assert_eq!(first.status, 200, "{}", first.body);
    let again = app
        .call(INVITEE, "GetHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .param("SignatureNonce", "why-nonce-0001")
        .send();
    assert_eq!(again.code(), "SignatureNonceUsed");
    let why = last_why(&app);
    assert!(
        why.starts_with(&format!(
            "SignatureNonce why-nonce-0001 was used by request {} at ",
            first.request_id
        )),
        "{why}"
    );
}
