//! Response envelopes, JSON and XML, for successes and errors, byte for byte as the gateway
//! writes them: compact JSON with `RequestId` first; XML with a declaration and an
//! `<{Action}Response>` root; errors as `{RequestId, HostId, Code, Message, Recommend}` or
//! `<Error>` with the message as escaped text and only the recommendation in CDATA.
//!
//! The XML shape is the one in a live body Alibaba's own documentation quotes (the CLI's
//! `mcp-proxy` page: `<?xml version='1.0' encoding='UTF-8'?><Error>…<Message>Specified api is not
//! found, please check your url and method.</Message><Recommend><![CDATA[…]]></Recommend></Error>`).
//! Every XML body is well-formed: text that XML 1.0 cannot carry at all (most C0 control
//! characters, U+FFFE, U+FFFF) is replaced with U+FFFD, since no escape can express it.

use super::error::{AccessDenied, ApiError};
use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesCData, BytesEnd, BytesStart, BytesText, Event};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// The product name in `Recommend` links.
const PRODUCT: &str = "ResourceManager";
/// The XML declaration every XML body starts with, single-quoted as in live gateway bodies.
const XML_DECLARATION: &str = "<?xml version='1.0' encoding='UTF-8'?>";

/// The response format a request asked for (without a `Format`: see `route::default_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `Format=JSON` (any case).
    #[default]
    Json,
    /// `Format=XML` (any case).
    Xml,
}

impl Format {
    /// Reads the `Format` parameter; `None` if it names no format.
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        if value.eq_ignore_ascii_case("json") {
            Some(Self::Json)
        } else if value.eq_ignore_ascii_case("xml") {
            Some(Self::Xml)
        } else {
            None
        }
    }

    /// The format raw parameters (a query, a form body) ask for, read leniently: for errors found
    /// before the parameters could be parsed (a bad method, a repeated or badly encoded
    /// parameter, an oversized request), so that they still answer in the requested format where
    /// it is plain to see.
    #[must_use]
    pub fn sniff(raw: &[u8]) -> Option<Self> {
        sniff(raw, "Format=")
            .filter_map(|value| std::str::from_utf8(value).ok())
            .find_map(Self::parse)
    }

    /// The `Content-Type` of bodies in this format.
    #[must_use]
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json;charset=utf-8",
            Self::Xml => "text/xml;charset=utf-8",
        }
    }
}

/// The values of `name=` (the prefix, `=` included) in raw `&`-separated parameters, as sent.
pub fn sniff<'a>(raw: &'a [u8], name: &'a str) -> impl Iterator<Item = &'a [u8]> {
    raw.split(|&b| b == b'&')
        .filter_map(move |pair| pair.strip_prefix(name.as_bytes()))
}

/// A request id: an upper-case UUID v4, new for every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// A fresh random id.
    #[must_use]
    pub fn new() -> Self {
        let uuid = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        Self(
            uuid.hyphenated()
                .encode_upper(&mut uuid::Uuid::encode_buffer())
                .to_owned(),
        )
    }

    /// The id as sent.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for RequestId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A rendered response: status, content type and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` header value.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

#[derive(Serialize)]
struct Envelope<'a, T> {
    #[serde(rename = "RequestId")]
    request_id: &'a str,
    #[serde(flatten)]
    body: &'a T,
}

/// A success: `body`'s fields follow `RequestId`; `root` names the XML root element.
#[must_use]
pub fn success<T: Serialize>(
    format: Format,
    root: &str,
    request_id: &RequestId,
    body: &T,
) -> Reply {
    let envelope = Envelope {
        request_id: request_id.as_str(),
        body,
    };
    let body = match format {
        Format::Json => serde_json::to_vec(&envelope).expect("response bodies serialize to JSON"),
        Format::Xml => {
            let mut xml = String::from(XML_DECLARATION);
            let mut serializer = quick_xml::se::Serializer::with_root(&mut xml, Some(root))
                .expect("action names are valid XML names");
            serializer.expand_empty_elements(true);
            envelope
                .serialize(serializer)
                .expect("response bodies serialize to XML");
            well_formed(xml).into_bytes()
        }
    };
    Reply {
        status: 200,
        content_type: format.content_type(),
        body,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorBody<'a> {
    request_id: &'a str,
    host_id: &'a str,
    code: &'a str,
    message: &'a str,
    recommend: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_denied_detail: Option<&'a AccessDenied>,
}

/// An error, with `host_id` the host the client addressed.
#[must_use]
pub fn error(format: Format, request_id: &RequestId, host_id: &str, error: &ApiError) -> Reply {
    let code = error.code().as_str();
    let message = error.message();
    let recommend = format!(
        "https://api.aliyun.com/troubleshoot?q={code}&product={PRODUCT}&requestId={request_id}"
    );
    let fields = ErrorBody {
        request_id: request_id.as_str(),
        host_id,
        code,
        message: &message,
        recommend: &recommend,
        access_denied_detail: error.access_denied(),
    };
    let body = match format {
        Format::Json => serde_json::to_vec(&fields).expect("error bodies serialize to JSON"),
        Format::Xml => error_xml(&fields),
    };
    Reply {
        status: error.status(),
        content_type: format.content_type(),
        body,
    }
}

fn error_xml(fields: &ErrorBody<'_>) -> Vec<u8> {
    let mut writer = Writer::new(Vec::with_capacity(512));
    writer
        .get_mut()
        .extend_from_slice(XML_DECLARATION.as_bytes());
    let mut write = |event: Event<'_>| {
        writer
            .write_event(event)
            .expect("writing to a Vec cannot fail");
    };
    write(Event::Start(BytesStart::new("Error")));
    for (name, value, cdata) in [
        ("RequestId", fields.request_id, false),
        ("HostId", fields.host_id, false),
        ("Code", fields.code, false),
        ("Message", fields.message, false),
        ("Recommend", fields.recommend, true),
    ] {
        let value = xml_text(value);
        write(Event::Start(BytesStart::new(name)));
        if cdata {
            // A `]]>` inside the text is split across two CDATA sections.
            for section in BytesCData::escaped(&value) {
                write(Event::CData(section));
            }
        } else {
            // Quotes stay literal in text, as the success serializer leaves them.
            write(Event::Text(BytesText::from_escaped(partial_escape(value))));
        }
        write(Event::End(BytesEnd::new(name)));
    }
    if let Some(denied) = fields.access_denied_detail {
        write(Event::Start(BytesStart::new("AccessDeniedDetail")));
        for (name, value) in denied.fields() {
            write(Event::Start(BytesStart::new(name)));
            write(Event::Text(BytesText::from_escaped(partial_escape(
                xml_text(value),
            ))));
            write(Event::End(BytesEnd::new(name)));
        }
        write(Event::End(BytesEnd::new("AccessDeniedDetail")));
    }
    write(Event::End(BytesEnd::new("Error")));
    writer.into_inner()
}

/// Whether XML 1.0 can carry `c` at all (its `Char` production), escaped or not.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` with every character XML cannot carry replaced by U+FFFD.
fn xml_text(text: &str) -> Cow<'_, str> {
    if text.chars().all(xml_char) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| {
                    if xml_char(c) {
                        c
                    } else {
                        char::REPLACEMENT_CHARACTER
                    }
                })
                .collect(),
        )
    }
}

/// A serialized XML body made well-formed. Markup never holds such characters, so replacing them
/// everywhere only touches text.
fn well_formed(xml: String) -> String {
    match xml_text(&xml) {
        Cow::Borrowed(_) => xml,
        Cow::Owned(fixed) => fixed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facade::alibaba::catalog::ErrorCode;

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Body {
        thing: Inner,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Inner {
        name: &'static str,
        note: &'static str,
    }

    fn id() -> RequestId {
        RequestId("9B34724D-54B0-4A51-B34D-4512372FE1BE".into())
    }

    #[test]
    fn a_plain_format_is_sniffed_from_raw_parameters() {
        assert_eq!(Format::sniff(b"a=%zz&Format=xml&b"), Some(Format::Xml));
        assert_eq!(
            Format::sniff(b"Format=YAML&Format=JSON"),
            Some(Format::Json)
        );
        assert_eq!(Format::sniff(b"XFormat=XML"), None);
        assert_eq!(Format::sniff(b"Format=\xff"), None);
        assert_eq!(Format::sniff(b""), None);
    }

    #[test]
    fn request_ids_are_upper_case_uuid_v4() {
        let id = RequestId::new();
        let text = id.as_str();
        assert_eq!(text.len(), 36);
        assert_eq!(&text[14..15], "4");
        assert!(
            text.chars()
                .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        assert_ne!(id, RequestId::new());
    }

    #[test]
    fn a_json_success_puts_request_id_first() {
        let reply = success(
            Format::Json,
            "XResponse",
            &id(),
            &Body {
                thing: Inner {
                    name: "a<b",
                    note: "",
                },
            },
        );
        assert_eq!(
            String::from_utf8(reply.body).unwrap(),
            r#"{"RequestId":"9B34724D-54B0-4A51-B34D-4512372FE1BE","Thing":{"Name":"a<b","Note":""}}"#
        );
        assert_eq!(reply.content_type, "application/json;charset=utf-8");
    }

    #[test]
    fn an_xml_success_has_a_declaration_the_root_and_escaped_text() {
        let reply = success(
            Format::Xml,
            "XResponse",
            &id(),
            &Body {
                thing: Inner {
                    name: "a<b",
                    note: "",
                },
            },
        );
        assert_eq!(
            String::from_utf8(reply.body).unwrap(),
            r"<?xml version='1.0' encoding='UTF-8'?><XResponse><RequestId>9B34724D-54B0-4A51-B34D-4512372FE1BE</RequestId><Thing><Name>a&lt;b</Name><Note></Note></Thing></XResponse>"
        );
        assert_eq!(reply.content_type, "text/xml;charset=utf-8");
    }

    #[test]
    fn errors_render_the_five_fields_in_both_formats() {
        let err = ApiError::new(ErrorCode::HandshakeStatusMismatch);
        let json = error(Format::Json, &id(), "127.0.0.1:8765", &err);
        assert_eq!(json.status, 409);
        assert_eq!(
            String::from_utf8(json.body).unwrap(),
            r#"{"RequestId":"9B34724D-54B0-4A51-B34D-4512372FE1BE","HostId":"127.0.0.1:8765","Code":"HandshakeStatusMismatch","Message":"The invitation is invalid.","Recommend":"https://api.aliyun.com/troubleshoot?q=HandshakeStatusMismatch&product=ResourceManager&requestId=9B34724D-54B0-4A51-B34D-4512372FE1BE"}"#
        );
        let xml = error(Format::Xml, &id(), "127.0.0.1:8765", &err);
        assert_eq!(
            String::from_utf8(xml.body).unwrap(),
            r"<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>9B34724D-54B0-4A51-B34D-4512372FE1BE</RequestId><HostId>127.0.0.1:8765</HostId><Code>HandshakeStatusMismatch</Code><Message>The invitation is invalid.</Message><Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=HandshakeStatusMismatch&product=ResourceManager&requestId=9B34724D-54B0-4A51-B34D-4512372FE1BE]]></Recommend></Error>"
        );
    }

    #[test]
    fn a_denial_carries_its_access_denied_detail_in_both_formats() {
        let denied = AccessDenied::new(
            "resourcemanager",
            "AcceptHandshake",
            "1772422852740000",
            "AK",
            false,
        );
        let err = ApiError::new(ErrorCode::NoPermission).denied(denied.clone());
        let encoded = &denied.encoded_diagnostic_message;
        let json = String::from_utf8(error(Format::Json, &id(), "h", &err).body).unwrap();
        assert!(
            json.ends_with(&format!(
                r#""AccessDeniedDetail":{{"AuthAction":"resourcemanager:AcceptHandshake","AuthPrincipalDisplayName":"AK","AuthPrincipalOwnerId":"1772422852740000","AuthPrincipalType":"SubUser","EncodedDiagnosticMessage":"{encoded}","NoPermissionType":"ImplicitDeny","PolicyType":"AccountLevelIdentityBasedPolicy"}}}}"#
            )),
            "{json}"
        );
        let xml = String::from_utf8(error(Format::Xml, &id(), "h", &err).body).unwrap();
        assert!(
            xml.ends_with(&format!(
                "]]></Recommend><AccessDeniedDetail><AuthAction>resourcemanager:AcceptHandshake</AuthAction><AuthPrincipalDisplayName>AK</AuthPrincipalDisplayName><AuthPrincipalOwnerId>1772422852740000</AuthPrincipalOwnerId><AuthPrincipalType>SubUser</AuthPrincipalType><EncodedDiagnosticMessage>{encoded}</EncodedDiagnosticMessage><NoPermissionType>ImplicitDeny</NoPermissionType><PolicyType>AccountLevelIdentityBasedPolicy</PolicyType></AccessDeniedDetail></Error>"
            )),
            "{xml}"
        );
        let decoded =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded).unwrap();
        let decoded: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
        assert_eq!(
            decoded["AuthPrincipal"]["AuthPrincipalOwnerId"],
            "1772422852740000"
        );
        let sts = AccessDenied::new("resourcemanager", "GetHandshake", "1", "STS.x", true);
        assert_eq!(sts.auth_principal_type, "AssumedRoleUser");
    }

    #[test]
    fn the_message_is_escaped_text_and_quotes_stay_literal() {
        let err = ApiError::with(ErrorCode::InvalidParameter, "a]]>b<\"'&");
        let xml = String::from_utf8(error(Format::Xml, &id(), "h", &err).body).unwrap();
        assert!(
            xml.contains(
                "<Message>Specified parameter a]]&gt;b&lt;\"'&amp; is not valid.</Message>"
            ),
            "{xml}"
        );
    }

    #[test]
    fn characters_xml_cannot_carry_become_replacement_characters() {
        let err = ApiError::with(ErrorCode::InvalidParameter, "x\u{1}\u{FFFE}\ty");
        let xml = String::from_utf8(error(Format::Xml, &id(), "h", &err).body).unwrap();
        assert!(
            xml.contains(
                "<Message>Specified parameter x\u{FFFD}\u{FFFD}\ty is not valid.</Message>"
            ),
            "{xml}"
        );
        let reply = success(
            Format::Xml,
            "XResponse",
            &id(),
            &Body {
                thing: Inner {
                    name: "a\u{1b}b",
                    note: "\u{7f}",
                },
            },
        );
        assert!(
            String::from_utf8(reply.body)
                .unwrap()
                .contains("<Name>a\u{FFFD}b</Name><Note>\u{7f}</Note>")
        );
    }
}
