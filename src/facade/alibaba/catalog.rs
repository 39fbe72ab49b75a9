//! The one table of wire error codes: code, HTTP status and message, with a line on when each is
//! returned. Nothing else in the crate holds a code string or a status number; everything
//! reaches them through [`ErrorCode`].
//!
//! A message may hold `{}` placeholders, filled in order per error (a parameter name, the
//! server's string to sign). A wire code has one row, except where a signing scheme words the
//! same code its own way: then its rows sit together and share the status, and the first is
//! the one [`ErrorCode::parse`] finds. Where the reference material disagreed (AMBIGUOUS), the
//! row's doc says which way we went.

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $code:literal, $status:literal, $message:literal; )+) => {
        /// Every error code the emulator can put on the wire.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl ErrorCode {
            /// Every row of the catalog, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The wire code, e.g. `HandshakeStatusMismatch`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)+ }
            }

            /// The HTTP status the real service answers with.
            #[must_use]
            pub const fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)+ }
            }

            /// The message, with a `{}` where each per-error detail goes.
            #[must_use]
            pub const fn message_template(self) -> &'static str {
                match self { $(ErrorCode::$variant => $message,)+ }
            }

            /// When the emulator returns this code (the row's doc comment).
            #[must_use]
            pub const fn when(self) -> &'static str {
                match self { $(ErrorCode::$variant => concat!($($doc),+),)+ }
            }
        }
    };
}

error_codes! {
    // ---- Transport: before any parameter is read ----
    /// Any path other than `/`.
    InvalidApiNotFound = "InvalidApi.NotFound", 404, "Specified api is not found, please check your url and method.";
    /// A method other than GET or POST on `/`. AMBIGUOUS status (400 or 403 in the docs): 400.
    UnsupportedHttpMethod = "UnsupportedHTTPMethod", 400, "This http method not supported.";
    /// A query string over 32 KiB, or a request line over 128 KiB. AMBIGUOUS: no POP source; code and message follow Alibaba API Gateway's I413UL.
    RequestUrlTooLarge = "Request.UrlTooLarge", 413, "Request URL too Large";
    /// A request body over 256 KiB. AMBIGUOUS: no POP source; code and message follow Alibaba API Gateway's I413RL.
    RequestBodyTooLarge = "Request.BodyTooLarge", 413, "Request body too Large";
    /// A request head over 128 KiB (the HTTP layer's limit). AMBIGUOUS: no POP source; code and message by analogy with the two rows above.
    RequestHeaderTooLarge = "Request.HeaderTooLarge", 431, "Request header too Large";
    /// A request whose head or body did not arrive within `--read-timeout`; the connection is closed after the answer. AMBIGUOUS: no POP source; code by analogy with the rows above, status 408.
    RequestTimeout = "Request.Timeout", 408, "Request timeout";

    // ---- Common parameters ----
    /// A parameter repeated, badly percent-encoded or not UTF-8 (names it); a request the HTTP layer cannot parse (names `HTTP request`) or with both Content-Length and Transfer-Encoding (names `Transfer-Encoding`; the connection is closed); a SignatureNonce (V3: x-acs-signature-nonce) over 128 bytes; SignatureVersion other than 1.0; PageNumber not a whole number from 1; PageSize not 1 to 100; a Tag.N.Key/Tag.N.Value with N not 1 to 20, or a Value without its Key.
    InvalidParameter = "InvalidParameter", 400, "Specified parameter {} is not valid.";
    /// A required common or signature parameter (Action, Version, AccessKeyId, Signature, SignatureMethod, SignatureVersion, Timestamp, SignatureNonce; V3: the headers x-acs-action, x-acs-version, x-acs-date, x-acs-signature-nonce) is absent or empty.
    MissingParameter = "MissingParameter", 400, "The input parameter \"{}\" that is mandatory for processing this request is not supplied.";
    /// Format is neither JSON nor XML (any case).
    InvalidParameterFormat = "InvalidParameter.Format", 400, "Specified parameter format is not valid.";
    /// Action names no Resource Manager handshake API (case-sensitive).
    InvalidActionNotFound = "InvalidAction.NotFound", 404, "Specified api is not found, please check your url and method.";
    /// Version is not 2020-03-31.
    InvalidVersion = "InvalidVersion", 400, "Specified parameter Version is not valid.";

    // ---- Signature (V1) and credentials ----
    /// SignatureMethod is not HMAC-SHA1, or a V3 algorithm other than ACS3-HMAC-SHA256 and ACS3-HMAC-SM3 (ACS3-RSA-SHA256 needs a key pair the world does not hold). AMBIGUOUS: V1 HMAC-SHA256 is refused too (not documented for RM).
    InvalidSignatureMethod = "InvalidSignatureMethod", 400, "Specified signature method is not valid.";
    /// Timestamp (V3: x-acs-date) is not `YYYY-MM-DDThh:mm:ssZ`.
    InvalidTimeStampFormat = "InvalidTimeStamp.Format", 400, "Specified time stamp or date value is not well formatted.";
    /// Timestamp is more than 15 minutes from real wall time, either way.
    InvalidTimeStampExpired = "InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired.";
    /// AccessKeyId is not in the world's credential table.
    InvalidAccessKeyIdNotFound = "InvalidAccessKeyId.NotFound", 404, "Specified access key is not found.";
    /// The access key is marked `disabled` in the world.
    InvalidAccessKeyIdInactive = "InvalidAccessKeyId.Inactive", 400, "Specified access key is disabled.";
    /// V1: the signature does not match; the message ends with the server's string to sign, no space after the colon (the legacy SDKs compare it with their own, byte for byte).
    SignatureDoesNotMatch = "SignatureDoesNotMatch", 400, "Specified signature is not matched with our calculation. server string to sign is:{}";
    /// V3: the signature does not match, or the Authorization's `Signature=` is empty; the message quotes the server's StringToSign and CanonicalRequest in brackets, as a live reply does (aliyun/alibabacloud-csharp-sdk#40, which also shows the empty `Signature=` case). AMBIGUOUS: the thread quotes the StringToSign part; the CanonicalRequest part follows third-party tools that parse these messages, joined by one space.
    SignatureDoesNotMatchV3 = "SignatureDoesNotMatch", 400, "Specified signature does not match our calculation. server StringToSign is [{}] server CanonicalRequest is [{}]";
    /// V3: the Authorization header is missing (x-acs-action routing, no Signature) or not `ACS3-… Credential=…,SignedHeaders=…,Signature=…`, or its SignedHeaders leave out `host` or an `x-acs-*` header the request carries (the V3 spec: every common request header present, except Authorization, must be signed). AMBIGUOUS: no string to sign follows (none can be built, or one would match the client's and read as a wrong secret).
    IncompleteSignature = "IncompleteSignature", 400, "The request signature does not conform to Aliyun standards. server string to sign is:{}";
    /// An STS access key sent without SecurityToken. AMBIGUOUS message: the gateway's `{Name} is mandatory for this action.` shape.
    MissingSecurityToken = "MissingSecurityToken", 400, "SecurityToken is mandatory for this action.";
    /// The STS credential's expiration (emulator clock) has passed. AMBIGUOUS status (400 or 403): 400.
    InvalidSecurityTokenExpired = "InvalidSecurityToken.Expired", 400, "Specified SecurityToken is expired.";
    /// SecurityToken is no token the emulator issued.
    InvalidSecurityTokenMalformed = "InvalidSecurityToken.Malformed", 400, "Specified SecurityToken is malformed.";
    /// SecurityToken belongs to another access key, or accompanies a permanent key.
    InvalidSecurityTokenMismatchWithAccessKey = "InvalidSecurityToken.MismatchWithAccessKey", 400, "Specified SecurityToken mismatch with the AccessKey.";
    /// SignatureNonce was already used by an authenticated request within the 15-minute window.
    SignatureNonceUsed = "SignatureNonceUsed", 400, "Specified signature nonce was used already.";

    // ---- Throttling and service faults: returned through control-plane fault rules ----
    /// Fault rule; also a signed request whose nonce the full nonce cache (`--nonce-memory`) cannot remember. Python SDKs raise ThrottlingException when `x-acs-retry-after` is set (both set it).
    Throttling = "Throttling", 400, "Request was denied due to request throttling.";
    /// Fault rule. The code the real gateway uses for per-user flow control.
    ThrottlingUser = "Throttling.User", 400, "Request was denied due to user flow control.";
    /// Fault rule. AMBIGUOUS message: by analogy with Throttling.User.
    ThrottlingApi = "Throttling.Api", 400, "Request was denied due to api flow control.";
    /// Fault rule.
    ForbiddenRam = "Forbidden.RAM", 403, "User not authorized to operate on the specified resource, or this API doesn't support RAM.";
    /// Fault rule.
    NoPermission = "NoPermission", 403, "You are not authorized to perform the operation.";
    /// Fault rule.
    InternalError = "InternalError", 500, "The request processing has failed due to some unknown error, exception or failure.";
    /// Fault rule.
    ServiceUnavailable = "ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server.";

    // ---- Handshake actions ----
    /// HandshakeId is absent or empty.
    MissingParameterHandshakeId = "MissingParameter.HandshakeId", 400, "You must specify HandshakeId.";
    /// HandshakeId is not `h-` followed by 16 letters or digits.
    InvalidParameterHandshakeId = "InvalidParameter.HandshakeId", 400, "The HandshakeId is invalid.";
    /// No such handshake, or the caller is not the party the action needs (invitee for Accept and Decline, management account for Cancel, either for Get).
    EntityNotExistsHandshake = "EntityNotExists.Handshake", 404, "The specified handshake does not exist.";
    /// Accept: the inviting resource directory no longer exists.
    SpecifiedResourceDirectoryNotExists = "SpecifiedResourceDirectoryNotExists", 404, "The specified resource directory does not exist. You must specify a valid resource directory.";
    /// The handshake is not Pending (Accepted, Cancelled, Declined, or Expired at its ExpireTime); also GetHandshake by an invitee whose invitation is Accepted.
    HandshakeStatusMismatch = "HandshakeStatusMismatch", 409, "The invitation is invalid.";
    /// Accept: the caller already manages or belongs to a resource directory.
    NotSupportAccountInAnotherResourceDirectory = "NotSupport.AccountInAnotherResourceDirectory", 409, "Your account is a management account for another resource directory or a member of another resource directory.";
    /// Accept: the caller is a personal (not enterprise) account.
    InvalidAccountType = "Invalid.AccountType", 409, "The specified profile type of account is invalid.";
    /// Accept: the caller's real-name verification is not of enterprise type.
    NotSupportAccountRealNameType = "NotSupport.Account.RealNameType", 409, "Your account is not a real-name of enterprise type, so you cannot accept the invitation.";
    /// Invite: TargetEntity is absent or empty.
    MissingParameterTargetEntity = "MissingParameter.TargetEntity", 400, "You must specify TargetEntity.";
    /// Invite: TargetEntity is not a 16-digit account id of the world (TargetType Account) or not an email address (TargetType Email).
    InvalidParameterTargetEntity = "InvalidParameter.TargetEntity", 400, "The TargetEntity is invalid.";
    /// Invite: TargetType is absent or empty.
    MissingParameterTargetType = "MissingParameter.TargetType", 400, "You must specify TargetType.";
    /// Invite: TargetType is neither Account nor Email (case-sensitive).
    InvalidParameterTargetType = "InvalidParameter.TargetType", 400, "The TargetType is invalid.";
    /// Invite: Note is longer than 1024 characters.
    InvalidParameterNoteLength = "InvalidParameter.Note.Length", 400, "The length of the invitation note exceeds the limit.";
    /// Invite: Note holds control characters. AMBIGUOUS: the docs do not say what makes a Note invalid.
    InvalidParameterNote = "InvalidParameter.Note", 400, "The Note is invalid.";
    /// Invite and ListHandshakesForResourceDirectory: the caller manages no resource directory.
    EntityNotExistsResourceDirectory = "EntityNotExists.ResourceDirectory", 404, "The resource directory for the account is not enabled. We recommend that you first enable the resource directory for the account.";
    /// Invite: a Pending invitation from this directory to the same target exists.
    EntityAlreadyExistsHandshake = "EntityAlreadyExists.Handshake", 409, "Handshakes with the same target entity already exist.";
    /// Invite: fault rule only (the emulator sets no member limit).
    LimitExceededAccount = "LimitExceeded.Account", 409, "The maximum number of member accounts in a resource directory exceeds the limit.";
    /// Invite: fault rule only (the emulator sets no invitation rate).
    LimitExceededInvitationRate = "LimitExceeded.InvitationRate", 409, "The number of invitations sent exceeds the limit.";
    /// Invite: fault rule only (the world has no legal entities).
    LegalEntityMismatch = "LegalEntityMismatch", 409, "Your account does not have the same legal entity as the master account.";
    /// GetHandshake by the invitee: the invitee account has no name.
    MissingAccountRealName = "MissingAccountRealName", 409, "The name of the invited account is not specified.";
    /// GetHandshake by the invitee: the invitee has passed no real-name verification (`real_name_type = "none"`).
    NoRealNameAuthentication = "NoRealNameAuthentication", 409, "The account invited has not passed real-name authentication.";
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl ErrorCode {
    /// The code whose wire name is `wire`.
    #[must_use]
    pub fn parse(wire: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|code| code.as_str() == wire)
    }

    /// Whether SDKs treat this code as throttling (it carries `x-acs-retry-after`).
    #[must_use]
    pub const fn is_throttling(self) -> bool {
        matches!(
            self,
            Self::Throttling | Self::ThrottlingUser | Self::ThrottlingApi
        )
    }

    /// A fault rule's code, checked against this catalog (the control plane's view of it).
    #[must_use]
    pub fn for_fault(wire: &str) -> Option<(&'static str, bool)> {
        Self::parse(wire).map(|code| (code.as_str(), code.is_throttling()))
    }

    /// The catalog as a Markdown table (what `resourcemanager-emulator errors` prints).
    #[must_use]
    pub fn markdown_table() -> String {
        let mut out = String::from("| Code | HTTP | Message | When |\n|---|---|---|---|\n");
        for code in Self::ALL {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                code.as_str(),
                code.status(),
                code.message_template().replace('|', "\\|"),
                code.when().trim()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::HashSet;

    #[test]
    fn a_wire_code_has_one_row_or_adjacent_rows_with_one_status() {
        let mut seen = HashSet::new();
        for pair in ErrorCode::ALL.windows(2) {
            if pair[0].as_str() == pair[1].as_str() {
                assert_eq!(pair[0].status(), pair[1].status(), "{pair:?}");
                assert_ne!(pair[0].message_template(), pair[1].message_template());
            }
        }
        for code in ErrorCode::ALL {
            let first = ErrorCode::parse(code.as_str()).unwrap();
            if first == *code {
                assert!(
                    seen.insert(code.as_str()),
                    "{} appears apart",
                    code.as_str()
                );
            }
        }
        assert_eq!(
            ErrorCode::parse("SignatureDoesNotMatch"),
            Some(ErrorCode::SignatureDoesNotMatch)
        );
    }

    #[test]
    fn every_status_is_a_client_or_server_error() {
        for code in ErrorCode::ALL {
            assert!((400..600).contains(&code.status()), "{code:?}");
        }
    }

    #[test]
    fn every_template_has_at_most_two_placeholders_and_a_description() {
        for code in ErrorCode::ALL {
            assert!(
                code.message_template().matches("{}").count() <= 2,
                "{code:?}"
            );
            assert!(!code.when().trim().is_empty(), "{code:?}");
        }
    }
}
