//! Properties over arbitrary input: whatever arrives, the answer is a 4xx catalog envelope in
//! JSON or XML (never a 5xx, never anything else), and the world is left exactly as it was.
//! Requests that pass authentication (validly signed with real keys, arbitrary action
//! parameters) get a success or an envelope, and only a success of a changing action changes
//! the world.

use crate::helpers::*;
use crate::signer::Key;
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

/// Every action the gateway serves; the first four may change the world.
const ACTIONS: &[&str] = &[
    "InviteAccountToResourceDirectory",
    "AcceptHandshake",
    "DeclineHandshake",
    "CancelHandshake",
    "GetHandshake",
    "ListHandshakesForAccount",
    "ListHandshakesForResourceDirectory",
];
const READ_ONLY: &[&str] = &[
    "GetHandshake",
    "ListHandshakesForAccount",
    "ListHandshakesForResourceDirectory",
];
const UNVERIFIED: Key = Key::new("LTAI5tEmuInvitee00006", "EmuInviteeSecret00006");
const NAMELESS: Key = Key::new("LTAI5tEmuInvitee00007", "EmuInviteeSecret00007");
/// Real keys of the default world.
const KEYS: &[Key] = &[
    MANAGEMENT,
    INVITEE,
    STS,
    OTHER_MEMBER,
    PERSONAL,
    INDIVIDUAL,
    JOINED,
    UNVERIFIED,
    NAMELESS,
];
/// Every handshake of the default world, and ids that are none of them or malformed.
const HANDSHAKE_IDS: &[&str] = &[
    "h-Ih8IuPfvV0t0abcd",
    "h-Pend1ngAcc0unt02",
    "h-Pend1ngEma1l0003",
    "h-Pend1ngOther0004",
    "h-Pend1ngPers0n005",
    "h-Pend1ngIndiv0006",
    "h-Acc3ptedAlready7",
    "h-Canc3lledAlrdy08",
    "h-Decl1nedAlready9",
    "h-Exp1redAlready10",
    "h-G0neD1rectory011",
    "h-NoRealName000012",
    "h-EmptyName0000013",
    "h-AAAAAAAAAAAAAAAA",
    "h-Ih8IuPfvV0t0abc",
    "H-Ih8IuPfvV0t0abcd",
    "h-Ih8IuPfvV0t0abcd ",
];
/// Targets of the default world's accounts by id and email, and fresh addresses.
const TARGETS: &[(&str, &str)] = &[
    ("1772422852740000", "Account"),
    ("1772422852740001", "Account"),
    ("1772422852740002", "Account"),
    ("1772422852740003", "Account"),
    ("1772422852740004", "Account"),
    ("1772422852740005", "Account"),
    ("1772422852740006", "Account"),
    ("1512666876910000", "Account"),
    ("1512666876910001", "Account"),
    ("1512666876919999", "Account"),
    ("ops@partner.example", "Email"),
    ("OPS@Partner.Example", "Email"),
    ("someone@personal.example", "Email"),
    ("admin@companya.example", "Email"),
    ("ops@nameless.example", "Email"),
    ("new@fresh.example", "Email"),
    ("New@Fresh.Example", "Email"),
    ("other.new@fresh.example", "Email"),
];
/// Entities to pair with any TargetType: the targets' and malformed ones.
const ENTITIES: &[&str] = &[
    "1772422852740000",
    "1772422852740003",
    "1512666876910000",
    "ops@partner.example",
    "new@fresh.example",
    "177242285274000",
    "a@b",
    "@fresh.example",
    "x y@fresh.example",
];
const TARGET_TYPES: &[&str] = &[
    "Account", "Email", "Account", "Email", "Name", "account", "",
];
const NOTES: &[&str] = &[
    "",
    "Welcome",
    "Join us",
    "]]><x>&amp;\"'",
    "é 漢字 🎉",
    "tab\there",
];
const NUMBERS: &[&str] = &[
    "1",
    "2",
    "3",
    "10",
    "100",
    "101",
    "0",
    "-1",
    "01",
    "+1",
    " 1",
    "1.0",
    "18446744073709551615",
    "18446744073709551616",
    "",
];
const TAG_NAMES: &[&str] = &[
    "Tag.1.Key",
    "Tag.1.Value",
    "Tag.2.Key",
    "Tag.2.Value",
    "Tag.20.Key",
    "Tag.21.Key",
    "Tag.0.Key",
    "Tag.x.Key",
    "Tag.1.Other",
    "Tag.1",
    "Tag.",
];

/// Any Unicode, control characters included.
fn unicode() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..16).prop_map(String::from_iter)
}

/// Mostly a meaningful value, else anything.
fn value(known: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(known).prop_map(str::to_owned),
        1 => text(),
        1 => unicode(),
    ]
    .boxed()
}

#[derive(Debug, Clone)]
struct SignedRequest {
    key: Key,
    action: &'static str,
    format: &'static str,
    transport: Transport,
    params: Vec<(String, String)>,
}

fn signed_request() -> impl Strategy<Value = SignedRequest> {
    let named = |name: &'static str, known| {
        prop::option::weighted(0.85, value(known))
            .prop_map(move |v| v.map(|v| (name.to_owned(), v)))
    };
    let target = prop_oneof![
        2 => select(TARGETS).prop_map(|(entity, kind)| {
            vec![
                ("TargetEntity".to_owned(), entity.to_owned()),
                ("TargetType".to_owned(), kind.to_owned()),
            ]
        }),
        1 => (named("TargetEntity", ENTITIES), named("TargetType", TARGET_TYPES))
            .prop_map(|(entity, kind)| entity.into_iter().chain(kind).collect()),
    ];
    let tags = prop_oneof![
        2 => Just(Vec::new()),
        1 => prop::collection::vec((select(TAG_NAMES).prop_map(str::to_owned), text()), 1..3),
    ];
    let params = (
        named("HandshakeId", HANDSHAKE_IDS),
        target,
        prop::option::weighted(0.5, value(NOTES)).prop_map(|v| v.map(|v| ("Note".to_owned(), v))),
        prop::option::weighted(0.4, value(NUMBERS))
            .prop_map(|v| v.map(|v| ("PageNumber".to_owned(), v))),
        prop::option::weighted(0.4, value(NUMBERS))
            .prop_map(|v| v.map(|v| ("PageSize".to_owned(), v))),
        tags,
    )
        .prop_map(|(id, target, note, number, size, tags)| {
            id.into_iter()
                .chain(target)
                .chain([note, number, size].into_iter().flatten())
                .chain(tags)
                .collect::<Vec<_>>()
        });
    // Half the time the key of the party the action is for, so that some requests succeed.
    let caller = select(ACTIONS).prop_flat_map(|action| {
        let party = match action {
            "AcceptHandshake" | "DeclineHandshake" => select(&[INVITEE, STS][..]).boxed(),
            "GetHandshake" | "ListHandshakesForAccount" => select(KEYS).boxed(),
            _ => Just(MANAGEMENT).boxed(),
        };
        (prop_oneof![party, select(KEYS)], Just(action))
    });
    (
        caller,
        select(&["JSON", "XML", "xml"][..]),
        select(&[Transport::Get, Transport::PostQuery, Transport::PostForm][..]),
        params,
    )
        .prop_map(|((key, action), format, transport, params)| SignedRequest {
            key,
            action,
            format,
            transport,
            params,
        })
}

/// A success body: `RequestId` first and the header's, in the format asked for, well formed.
fn assert_success(reply: &Reply, request: &SignedRequest) {
    reply.masked();
    if request.format == "JSON" {
        assert_eq!(reply.content_type, "application/json;charset=utf-8");
        let start = format!(r#"{{"RequestId":"{}","#, reply.request_id);
        assert!(reply.body.starts_with(&start), "{}", reply.body);
        let json = reply.json();
        assert!(
            json.get("Handshake").is_some() || json.get("Handshakes").is_some(),
            "{}",
            reply.body
        );
    } else {
        assert_eq!(reply.content_type, "text/xml;charset=utf-8");
        let start = format!(
            r"<?xml version='1.0' encoding='UTF-8'?><{}Response><RequestId>{}</RequestId>",
            request.action, reply.request_id
        );
        assert!(reply.body.starts_with(&start), "{}", reply.body);
        let mut reader = quick_xml::Reader::from_str(&reply.body);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed XML ({e}): {}", reply.body),
            }
        }
    }
}

#[test]
fn validly_signed_requests_with_arbitrary_parameters_get_an_envelope_and_refusals_change_nothing() {
    let app = spawn_app();
    let config = ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(requests in prop::collection::vec(signed_request(), 1..6))| {
        app.store().reset().unwrap();
        for request in &requests {
            let before = app.world();
            let mut call = app
                .call(request.key, request.action)
                .format(request.format)
                .transport(request.transport);
            for (name, value) in &request.params {
                call = call.param(name, value);
            }
            let reply = call.send();
            prop_assert!(reply.status < 500, "status {}: {}", reply.status, reply.body);
            if reply.status == 200 {
                assert_success(&reply, request);
            } else {
                assert_envelope(&reply);
                assert_ne!(reply.code(), "IncompleteSignature", "{request:?} is signed");
                assert_ne!(reply.code(), "SignatureDoesNotMatch", "{request:?} is signed");
            }
            if reply.status != 200 || READ_ONLY.contains(&request.action) {
                prop_assert!(
                    app.world() == before,
                    "{} {} changed the world: {}", request.action, reply.status, reply.body
                );
            }
        }
    });
}
