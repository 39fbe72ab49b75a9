//! Transport and common parameters: whatever is wrong with a request before its action runs
//! comes back as a catalog envelope, never as HTML, a dropped connection or a 5xx.

use crate::helpers::*;

const NOT_FOUND_API: &str = "Specified api is not found, please check your url and method.";

#[test]
fn any_path_but_the_root_is_invalid_api_not_found_in_the_format_asked_for() {
    let app = spawn_app();
    let not_found = expected(404, "InvalidApi.NotFound", NOT_FOUND_API);
    // Naming no API of this product, a request gets the gateway's default, XML (issue #10).
    for target in [
        "/foo",
        "/v2/received-handshakes/h-Ih8IuPfvV0t0abcd/accept",
        "/v1x",
        "//",
    ] {
        let reply = app.raw_request("GET", target, None, b"");
        assert_error(&reply, "XML", &app.host(), &not_found);
    }
    let reply = app.raw_request("GET", "/index.html?Action=AcceptHandshake", None, b"");
    assert_error(&reply, "JSON", &app.host(), &not_found);
    let json = app.raw_request("POST", "/foo?Format=JSON", None, b"");
    assert_error(&json, "JSON", &app.host(), &not_found);
    let xml = app.raw_request("POST", "/foo?Format=XML&Action=AcceptHandshake", None, b"");
    assert_error(&xml, "XML", &app.host(), &not_found);
}

/// Errors found before the parameters parse still answer in a Format the query states plainly.
const FORMATS: [(&str, &str); 2] = [("JSON", "Format=JSON&"), ("XML", "Format=XML&")];

// A bare request to the live gateway answers `InvalidAction.NotFound` in XML; Alibaba's CLI
// documentation quotes the body (`aliyun mcp-proxy`, "curl http://127.0.0.1:8088/").
#[test]
fn a_bare_request_is_invalid_action_not_found_in_xml() {
    let app = spawn_app();
    let reply = app.raw_request("GET", "/", None, b"");
    let request_id = &reply.request_id;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.content_type, "text/xml;charset=utf-8");
    assert_eq!(
        reply.body,
        format!(
            "<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>{request_id}</RequestId><HostId>{}</HostId><Code>InvalidAction.NotFound</Code><Message>Specified api is not found, please check your url and method.</Message><Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=InvalidAction.NotFound&product=ResourceManager&requestId={request_id}]]></Recommend></Error>",
            app.host()
        )
    );
    let not_found = expected(404, "InvalidAction.NotFound", NOT_FOUND_API);
    for target in [
        "/?Version=2020-03-31",
        "/?Action=DescribeRegions",
        "/?Action=",
    ] {
        assert_error(
            &app.raw_request("POST", target, None, b""),
            "XML",
            &app.host(),
            &not_found,
        );
    }
    let form = Some("application/x-www-form-urlencoded");
    assert_error(
        &app.raw_request("POST", "/", form, b"Version=2020-03-31"),
        "XML",
        &app.host(),
        &not_found,
    );
    // Once a request names a Resource Manager action, the product's default, JSON, applies.
    let reply = app.raw_request("POST", "/?Action=AcceptHandshake", None, b"");
    assert_error(&reply, "JSON", &app.host(), &missing("Version"));
    let reply = app.raw_request("POST", "/", form, b"Action=AcceptHandshake&Note=%zz");
    assert_error(&reply, "JSON", &app.host(), &invalid("Note"));
    let reply = app.raw_request("POST", "/?Note=%zz", None, b"");
    assert_error(&reply, "XML", &app.host(), &invalid("Note"));
}

#[test]
fn methods_other_than_get_and_post_are_unsupported() {
    let app = spawn_app();
    let unsupported = expected(
        400,
        "UnsupportedHTTPMethod",
        "This http method not supported.",
    );
    for (format, prefix) in FORMATS {
        for method in ["PUT", "DELETE", "PATCH"] {
            let reply = app.raw_request(
                method,
                &format!("/?{prefix}Action=AcceptHandshake"),
                None,
                b"",
            );
            assert_error(&reply, format, &app.host(), &unsupported);
        }
    }
}

#[test]
fn a_repeated_parameter_is_invalid_naming_it_in_the_query_the_body_or_across_both() {
    let app = spawn_app();
    let form = Some("application/x-www-form-urlencoded; charset=utf-8");
    for (format, prefix) in FORMATS {
        let reply = app.raw_request(
            "GET",
            &format!("/?{prefix}Action=AcceptHandshake&Action=CancelHandshake"),
            None,
            b"",
        );
        assert_error(&reply, format, &app.host(), &invalid("Action"));
        let reply = app.raw_request(
            "POST",
            &format!("/?{prefix}"),
            form,
            b"HandshakeId=a&HandshakeId=a",
        );
        assert_error(&reply, format, &app.host(), &invalid("HandshakeId"));
        let reply = app.raw_request("POST", &format!("/?{prefix}Note=1"), form, b"Note=1");
        assert_error(&reply, format, &app.host(), &invalid("Note"));
    }
}

#[test]
fn broken_percent_encoding_and_invalid_utf8_are_invalid_parameters() {
    let app = spawn_app();
    for (format, prefix) in FORMATS {
        for note in ["%zz", "%4", "%FF%FE", "%C3%28"] {
            let reply = app.raw_request("GET", &format!("/?{prefix}Note={note}"), None, b"");
            assert_error(&reply, format, &app.host(), &invalid("Note"));
        }
        let form = Some("application/x-www-form-urlencoded");
        let reply = app.raw_request("POST", &format!("/?{prefix}"), form, b"Note=\xff");
        assert_error(&reply, format, &app.host(), &invalid("Note"));
    }
}

#[test]
fn a_query_over_32_kib_or_a_body_over_256_kib_is_too_large() {
    let app = spawn_app();
    let form = Some("application/x-www-form-urlencoded");
    for (format, prefix) in FORMATS {
        let long_query = format!("/?{prefix}Note={}", "a".repeat(32 * 1024));
        let reply = app.raw_request("GET", &long_query, None, b"");
        assert_error(
            &reply,
            format,
            &app.host(),
            &expected(413, "Request.UrlTooLarge", "Request URL too Large"),
        );

        let body = format!("Note={}", "a".repeat(256 * 1024));
        let reply = app.raw_request("POST", &format!("/?{prefix}"), form, body.as_bytes());
        assert_error(
            &reply,
            format,
            &app.host(),
            &expected(413, "Request.BodyTooLarge", "Request body too Large"),
        );
    }
    // Just under both limits is read and judged on its content.
    let near = format!(
        "/?Action=AcceptHandshake&Note={}",
        "a".repeat(32 * 1024 - 29)
    );
    assert_eq!(
        app.raw_request("GET", &near, None, b"").code(),
        "MissingParameter"
    );
    let body = format!(
        "Action=AcceptHandshake&Note={}",
        "a".repeat(256 * 1024 - 28)
    );
    assert_eq!(
        app.raw_request("POST", "/", form, body.as_bytes()).code(),
        "MissingParameter"
    );
}

#[test]
fn a_body_that_is_not_a_form_is_not_read_as_parameters() {
    let app = spawn_app();
    let reply = app.raw_request(
        "POST",
        "/",
        Some("application/json"),
        b"Action=AcceptHandshake",
    );
    assert_error(
        &reply,
        "XML",
        &app.host(),
        &expected(404, "InvalidAction.NotFound", NOT_FOUND_API),
    );
}

#[test]
fn action_and_version_errors_come_in_both_formats() {
    let app = spawn_app();
    for format in ["JSON", "XML"] {
        let host = app.host();
        // No Action names no API: the gateway's answer to a bare request (issue #10).
        let reply = app
            .call(INVITEE, "AcceptHandshake")
            .format(format)
            .without("Action")
            .send();
        assert_error(
            &reply,
            format,
            &host,
            &expected(404, "InvalidAction.NotFound", NOT_FOUND_API),
        );
        for unknown in ["DescribeRegions", "accepthandshake", "DeclineHandshakes"] {
            let reply = app.call(INVITEE, unknown).format(format).send();
            assert_error(
                &reply,
                format,
                &host,
                &expected(404, "InvalidAction.NotFound", NOT_FOUND_API),
            );
        }
        let reply = app
            .call(INVITEE, "AcceptHandshake")
            .format(format)
            .without("Version")
            .send();
        assert_error(&reply, format, &host, &missing("Version"));
        let reply = app
            .call(INVITEE, "AcceptHandshake")
            .format(format)
            .param("Version", "2016-11-11")
            .send();
        assert_error(
            &reply,
            format,
            &host,
            &expected(
                400,
                "InvalidVersion",
                "Specified parameter Version is not valid.",
            ),
        );
    }
}

#[test]
fn format_is_read_in_any_case_and_defaults_to_json() {
    let app = spawn_app();
    for (format, xml) in [
        ("xml", true),
        ("Xml", true),
        ("json", false),
        ("JSON", false),
    ] {
        let reply = app
            .call(INVITEE, "AcceptHandshake")
            .handshake("h-Unkn0wnHandshake")
            .format(format)
            .send();
        assert_eq!(
            reply.body.starts_with("<?xml"),
            xml,
            "{format}: {}",
            reply.body
        );
    }
    let reply = app
        .call(INVITEE, "AcceptHandshake")
        .handshake("h-Unkn0wnHandshake")
        .without("Format")
        .send();
    assert_error(
        &reply,
        "JSON",
        &app.host(),
        &expected(
            404,
            "EntityNotExists.Handshake",
            "The specified handshake does not exist.",
        ),
    );
    let reply = app.call(INVITEE, "AcceptHandshake").format("YAML").send();
    assert_error(
        &reply,
        "JSON",
        &app.host(),
        &expected(
            400,
            "InvalidParameter.Format",
            "Specified parameter format is not valid.",
        ),
    );
}

#[test]
fn other_common_parameters_are_signed_and_otherwise_ignored() {
    let app = spawn_app();
    let reply = app
        .call(INVITEE, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .param("RegionId", "cn-hangzhou")
        .param("OwnerId", "1772422852740000")
        .param("ResourceOwnerAccount", "partner")
        .param("SignatureType", "")
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[test]
fn without_a_host_header_the_host_id_is_the_public_endpoint() {
    let app = spawn_app();
    let reply = app.raw(b"GET /nowhere HTTP/1.0\r\n\r\n");
    assert_error(
        &reply,
        "XML",
        "resourcemanager.aliyuncs.com",
        &expected(404, "InvalidApi.NotFound", NOT_FOUND_API),
    );
}

/// 32 lower-case hex digits, as the live gateway's `x-acs-trace-id`.
fn is_trace_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

// Header dumps of live replies (SDK users' logs, 2022-2025) show x-acs-trace-id beside
// x-acs-request-id, and access-control-allow-origin / access-control-expose-headers "*".
#[test]
fn every_answer_carries_a_trace_id_and_the_gateways_cors_headers() {
    let app = spawn_app();
    let replies = [
        app.call(INVITEE, "AcceptHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
            .send(),
        app.call(INVITEE, "AcceptHandshake")
            .handshake("h-Unkn0wnHandshake")
            .format("XML")
            .send(),
        app.raw_request("GET", "/nowhere", None, b""),
        app.raw_request("PUT", "/", None, b""),
    ];
    let mut traces = Vec::new();
    for reply in &replies {
        assert!(is_request_id(&reply.request_id), "{:?}", reply.headers);
        let trace = reply.header("x-acs-trace-id").unwrap_or_default();
        assert!(is_trace_id(trace), "{:?}", reply.headers);
        traces.push(trace.to_owned());
        assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
        assert_eq!(reply.header("access-control-expose-headers"), Some("*"));
    }
    traces.dedup();
    assert_eq!(traces.len(), replies.len(), "a new trace id per answer");
}

// The methods, headers and max-age are those of the 2019-2022 dumps (fog/fog-aliyun#32 and SDK
// users' logs); the headers a browser asks for are allowed as asked.
#[test]
fn an_options_request_is_a_cors_preflight_that_lets_a_browser_call() {
    let app = spawn_app();
    let reply = app.raw(
        format!(
            "OPTIONS /?HandshakeId=h-Ih8IuPfvV0t0abcd HTTP/1.1\r\nHost: {}\r\nOrigin: http://localhost:3000\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization,x-acs-action,x-acs-signature-nonce\r\nConnection: close\r\n\r\n",
            app.host()
        )
        .as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body, "");
    for (name, value) in [
        ("access-control-allow-origin", "*"),
        ("access-control-expose-headers", "*"),
        (
            "access-control-allow-methods",
            "POST, GET, OPTIONS, PUT, DELETE",
        ),
        (
            "access-control-allow-headers",
            "authorization,x-acs-action,x-acs-signature-nonce",
        ),
        ("access-control-max-age", "172800"),
    ] {
        assert_eq!(
            reply.header(name),
            Some(value),
            "{name}: {:?}",
            reply.headers
        );
    }
    assert!(is_request_id(&reply.request_id));
    assert!(is_trace_id(
        reply.header("x-acs-trace-id").unwrap_or_default()
    ));

    let bare = app.raw_request("OPTIONS", "/", None, b"");
    assert_eq!(bare.status, 200);
    assert_eq!(
        bare.header("access-control-allow-headers"),
        Some(
            "X-Requested-With, X-Sequence, _aop_secret, _aop_signature, x-acs-action, x-acs-version, x-acs-date, Content-Type"
        )
    );
    // A preflight changes nothing and burns no nonce: the world is as it was.
    assert_eq!(
        app.handshake("h-Ih8IuPfvV0t0abcd").unwrap().status,
        resourcemanager_emulator::domain::Status::Pending
    );
}

// Echoed text with characters XML cannot carry (issue #10): every XML body still parses, with
// U+FFFD in their place; JSON escapes them and keeps them.
#[test]
fn xml_bodies_stay_well_formed_when_echoed_text_holds_control_characters() {
    let app = spawn_app();
    let reply = app.raw_request("GET", "/?Format=XML&x%01=1&x%01=2", None, b"");
    assert_error(&reply, "XML", &app.host(), &invalid("x\u{FFFD}"));
    assert_eq!(
        reply.xml_field("Message").as_deref(),
        Some("Specified parameter x\u{FFFD} is not valid.")
    );
    let json = app.raw_request("GET", "/?Format=JSON&x%01=1&x%01=2", None, b"");
    assert_error(&json, "JSON", &app.host(), &invalid("x\u{1}"));

    // A success body echoes stored text: an Email target may hold such a character.
    let sent = app
        .call(MANAGEMENT, "InviteAccountToResourceDirectory")
        .param("TargetEntity", "bell\u{7}@fresh.example")
        .param("TargetType", "Email")
        .format("XML")
        .send();
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert_eq!(
        sent.xml_field("TargetEntity").as_deref(),
        Some("bell\u{FFFD}@fresh.example")
    );
}

// The checker every XML reply goes through has teeth.
#[test]
#[should_panic(expected = "a character XML cannot carry")]
fn the_xml_check_refuses_a_control_character() {
    parse_xml("<?xml version='1.0' encoding='UTF-8'?><Error>\u{1}</Error>");
}

#[test]
#[should_panic(expected = "not well-formed XML")]
fn the_xml_check_refuses_unbalanced_tags() {
    parse_xml("<?xml version='1.0' encoding='UTF-8'?><Error><Code></Error>");
}
