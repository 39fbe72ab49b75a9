//! Properties over arbitrary input: whatever arrives, the answer is a 4xx catalog envelope in
//! JSON or XML (never a 5xx, never anything else), and the world is left exactly as it was.

use crate::helpers::*;
use proptest::prelude::*;
use proptest::sample::select;

const NAMES: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "HandshakeId",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "SecurityToken",
    "RegionId",
    "",
];
const VALUES: &[&str] = &[
    "AcceptHandshake",
    "CancelHandshake",
    "2020-03-31",
    "XML",
    "xml",
    "JSON",
    "h-Ih8IuPfvV0t0abcd",
    "LTAI5tEmuInvitee00001",
    "STS.EmuInvitee00001",
    "HMAC-SHA1",
    "1.0",
    "2026-11-22T08:00:00Z",
    "EmuStsToken00001",
    "",
];
/// Characters a client can put in a request target: printable ASCII without space and `#`.
const CHARS: &[char] = &[
    'a', 'Z', '0', '9', '-', '_', '.', '~', '%', '+', '=', '&', '*', '/', ':', '?', '!', '$', '\'',
    '(', ')', ',', ';', '@', '[', ']', 'F', 'f', '2',
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        select(VALUES).prop_map(str::to_owned),
        prop::collection::vec(select(CHARS), 0..24).prop_map(|c| c.into_iter().collect()),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let pair = (
        select(NAMES)
            .prop_map(str::to_owned)
            .boxed()
            .prop_union(text().boxed()),
        text(),
    );
    prop::collection::vec(pair, 0..12).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn assert_envelope(reply: &Reply) {
    assert!(
        (400..500).contains(&reply.status),
        "status {}: {}",
        reply.status,
        reply.body
    );
    if reply.content_type == "text/xml;charset=utf-8" {
        assert!(
            reply
                .body
                .starts_with("<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>"),
            "{}",
            reply.body
        );
        assert!(
            reply.xml_field("Code").is_some_and(|c| !c.is_empty()),
            "{}",
            reply.body
        );
    } else {
        assert_eq!(reply.content_type, "application/json;charset=utf-8");
        let json = reply.json();
        let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            ["Code", "HostId", "Message", "Recommend", "RequestId"],
            "{}",
            reply.body
        );
    }
    assert!(!reply.code().is_empty());
    reply.masked();
}

#[test]
fn arbitrary_requests_get_a_client_error_envelope_and_change_nothing() {
    let app = spawn_app();
    let before = app.world();
    let config = ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(
        method in select(&["GET", "POST", "PUT", "DELETE"][..]),
        path in select(&["/", "/", "/", "/x"][..]),
        query in query(),
        body in prop_oneof![query().prop_map(String::into_bytes), prop::collection::vec(any::<u8>(), 0..256)],
        form in any::<bool>(),
    )| {
        let content_type = form.then_some("application/x-www-form-urlencoded");
        let reply = app.raw_request(method, &format!("{path}?{query}"), content_type, &body);
        assert_envelope(&reply);
    });
    assert!(
        app.world() == before,
        "no arbitrary request changed the world"
    );
}

#[test]
fn a_signed_request_with_one_parameter_replaced_is_refused_and_changes_nothing() {
    let app = spawn_app();
    let before = app.world();
    let config = ProptestConfig {
        cases: 100,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(name in select(NAMES), value in text())| {
        let call = app.call(INVITEE, "AcceptHandshake").handshake("h-Ih8IuPfvV0t0abcd");
        let original = call.signed_params().into_iter().find(|(n, _)| n == name).map(|(_, v)| v);
        prop_assume!(!name.is_empty() && original.as_deref() != Some(value.as_str()));
        let reply = call.after_signing(name, &value).send();
        assert_envelope(&reply);
    });
    assert!(app.world() == before);
}
