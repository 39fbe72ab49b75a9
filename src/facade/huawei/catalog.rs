//! The one table of Huawei Cloud wire errors: the API gateway's `APIGW.*` rows (reference
//! `huawei.md` §2.5) and the Organizations service's rows (§7.1 confirmed, §7.2 placeholders),
//! each with its HTTP status, message, when it is returned, and where the row comes from. Nothing
//! else in the Huawei facade holds a code string or a status number.
//!
//! A message may hold one `{}`, filled per error (a parameter name, an AK, the server's canonical
//! request). Several gateway rows share the wire code `APIGW.0301` and differ only in the
//! message, so a variant is the identity of a row and a wire code is not; [`ErrorCode::parse`]
//! says how that is resolved. Handshake-specific codes are mostly not public: [`ErrorCode::source`]
//! says which rows are documented and which are placeholders, so they are easy to correct.

macro_rules! error_codes {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident = $code:literal, $status:literal, $message:literal, source $source:literal;
    )+) => {
        /// Every Huawei error the emulator can put on the wire.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl ErrorCode {
            /// Every row of the catalog, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The wire `error_code`, e.g. `Organizations.1401`; shared by several `APIGW.0301` rows.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)+ }
            }

            /// The variant's name, e.g. `GatewaySignatureExpired`: unique, unlike the wire code.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self { $(ErrorCode::$variant => stringify!($variant),)+ }
            }

            /// The HTTP status the real service answers with.
            #[must_use]
            pub const fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)+ }
            }

            /// The `error_msg`, with `{}` where a per-error detail goes.
            #[must_use]
            pub const fn message_template(self) -> &'static str {
                match self { $(ErrorCode::$variant => $message,)+ }
            }

            /// When the emulator returns this code (the row's doc comment).
            #[must_use]
            pub const fn when(self) -> &'static str {
                match self { $(ErrorCode::$variant => concat!($($doc),+),)+ }
            }

            /// Where the row comes from: documented, observed, or a placeholder with no public source.
            #[must_use]
            pub const fn source(self) -> &'static str {
                match self { $(ErrorCode::$variant => $source,)+ }
            }
        }
    };
}

error_codes! {
    // ---- API gateway, before the service sees the request (checked in this order) ----
    /// No route for the method and path (a known path with the wrong method too), checked before authentication. AMBIGUOUS: the APIG table ends the text with `.` and has `The API does not exist.` for a wrong method; the observed unpunctuated text serves both.
    GatewayApiNotFound = "APIGW.0101", 404, "The API does not exist or has not been published in the environment", source "documented (DOC-SIGN APIG table) and observed";
    /// Neither `Authorization` nor `X-Auth-Token` is present.
    GatewayNoAuthToken = "APIGW.0301", 401, "Incorrect IAM authentication information: x-auth-token not found", source "documented (DOC-SIGN ocr_01_0063) and observed";
    /// `Authorization` is present but not `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`, including the other schemes (SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256, SDK-SM2-SM3, V11-HMAC-SHA256).
    GatewayBadAuthorization = "APIGW.0301", 401, "Incorrect IAM authentication information: verify aksk signature fail", source "no public source — recommendation";
    /// `X-Sdk-Date` is more than 15 minutes from the server's wall-clock time, either way. The one `{}` is filled with `<X-Sdk-Date as sent>,server time:<now as YYYYMMDDTHHMMSSZ>` (`signing::expired_detail`), so both times fit one placeholder.
    GatewaySignatureExpired = "APIGW.0301", 401, "Incorrect IAM authentication information: signature expired, signature time:{}", source "inferred: window documented (DOC-SIGN), wording from the App-auth APIGW.0303 text";
    /// The AK is not in the world's credential table; `{}` is the AK, echoed (the FAQ masks it as `******`; AMBIGUOUS).
    GatewayUnknownAk = "APIGW.0301", 401, "Incorrect IAM authentication information: Get secretKey failed,ak:{},err:ak not exist", source "documented (DOC-SIGN api-sign-0001)";
    /// A temporary AK without its `X-Security-Token`, or with a wrong or expired one; a token sent with a permanent AK.
    GatewayUnauthorized = "APIGW.0301", 401, "Incorrect IAM authentication information: Unauthorized", source "public CLI test notes — low confidence";
    /// The signature does not match; also `X-Sdk-Date` missing, malformed or not in SignedHeaders (AMBIGUOUS: no public source for those). `{}` is the server's canonical request with every `\n` replaced by `|` (`signing::mismatch_detail`).
    GatewaySignatureMismatch = "APIGW.0301", 401, "Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest:{}", source "observed (real APIGW reply in a public note); DOC-SIGN api-sign-0001";
    /// More than 5 consecutive failures of one AK lock it for 5 minutes; a switch, off by default.
    GatewayLocked = "APIGW.0301", 401, "Incorrect IAM authentication information: AK access failed to reach the limit,forbidden.", source "documented (DOC-SIGN api-sign-0001)";
    /// `X-Auth-Token` (IAM token authentication) instead of a signature: the emulator issues no tokens.
    GatewayDecryptTokenFail = "APIGW.0301", 401, "Incorrect IAM authentication information: decrypt token fail", source "documented (DOC-SIGN), medium confidence";
    /// Fault rule only. `{}` is the configured limit per second. Python retries a GET on 429 and never a POST.
    GatewayThrottled = "APIGW.0308", 429, "The throttling threshold has been reached: policy user over ratelimit,limit:{},time:1 second", source "documented (DOC-SIGN ocr_01_0041; APIG table), suffix medium confidence";
    /// Fault rule only: the IAM user's policies do not grant the API.
    GatewayNotAuthorized = "APIGW.0302", 403, "The IAM user is not authorized to access the API.", source "documented (APIG error table)";
    /// Before any row above: the HTTP layer cannot parse the request (a bad request line or header line), or it has both Content-Length and Transfer-Encoding (the connection is then closed).
    GatewayBadRequest = "APIGW.0201", 400, "API request error.", source "documented (DOC-SIGN APIG table)";
    /// Before any row above: a request line over 128 KiB.
    GatewayUriTooLarge = "APIGW.0201", 414, "Request URI too large.", source "documented (DOC-SIGN APIG table)";
    /// Before any row above: a request head over 128 KiB. 494 is nginx's status for it.
    GatewayHeadersTooLarge = "APIGW.0201", 494, "Request headers too large.", source "documented (DOC-SIGN APIG table)";
    /// After routing: a request body over 64 KiB; the connection is closed after the answer.
    GatewayEntityTooLarge = "APIGW.0201", 413, "Request entity too large.", source "documented (DOC-SIGN APIG table)";
    /// The head or, after routing, the body did not arrive within `--read-timeout`; the connection is closed after the answer.
    GatewayRequestTimeout = "APIGW.0201", 408, "Request timeout.", source "no public source — placeholder in the documented APIGW.0201 family of request errors";

    // ---- Organizations: confirmed codes (§7.1) ----
    /// InviteAccount or CancelHandshake by an account that is a member, not the management account.
    OrganizationsNotManagementAccount = "Organizations.1001", 401, "This operation can be called only from the management account of an organization.", source "documented (DOC-ERR)";
    /// ListHandshakes by a plain member (delegated administrators are not modelled).
    OrganizationsNotManagementOrDelegated = "Organizations.1002", 401, "This operation can be called only from the management account of an organization or by a member account that is a delegated administrator for a service.", source "documented (DOC-ERR)";
    /// Fault rule only: racing transitions (a real race fails with the state error instead).
    OrganizationsConcurrentModification = "Organizations.1003", 409, "Concurrent modification.", source "documented (DOC-ERR)";
    /// Fault rule only: an IAM policy denies the action; `{}` is the action, e.g. `organizations:handshakes:accept`. The quotes around it are in the documented template `'{0}'`.
    OrganizationsPolicyDenied = "Organizations.1007", 403, "Policy doesn't allow '{}' to be performed.", source "documented (DOC-ERR)";
    /// Fault rule only: an internal header is missing, which an SDK request never causes.
    OrganizationsHeaderNotFound = "Organizations.1010", 404, "Not found for http header.", source "documented (DOC-ERR)";
    /// The caller belongs to no organization (InviteAccount, ListHandshakes, ShowHandshake, CancelHandshake); Terraform maps it to "gone".
    OrganizationsNotFound = "Organizations.1015", 401, "The organization is not found.", source "Terraform provider (TF); text from a TF comment, low confidence";
    /// InviteAccount or AcceptHandshake while the organization already has its 10 member accounts.
    OrganizationsAccountQuotaExceeded = "Organizations.1305", 400, "Quota exceeded for account.", source "documented (DOC-ERR)";
    /// Cancel of a `cancelled` handshake (Accept and Decline by analogy).
    OrganizationsHandshakeCancelled = "Organizations.1401", 400, "The invitation has been canceled.", source "Terraform provider (TF); text from a TF comment, low confidence";

    // ---- Organizations: placeholders (§7.2), one place to correct them ----
    /// Any invalid parameter, `{}` naming it: `limit` not 1–2000, a bad `marker`, a malformed body or JSON, a missing `target` or `notes`, a bad `target.type`, `notes` over 1024 characters, a bad tag, or `handshake_id` not `^h-[0-9a-z]{8,32}$`.
    OrganizationsInvalidParameter = "Organizations.1000", 400, "Invalid parameter: {}.", source "no public source — placeholder";
    /// Unknown handshake id, purged after 30 days, or the caller is not the party the API needs (invitee for Accept and Decline, sending management account for Cancel, sending organization for Show).
    OrganizationsHandshakeNotFound = "Organizations.1400", 404, "The handshake does not exist.", source "no public source — placeholder";
    /// Accept, Decline or Cancel of an `accepted` handshake.
    OrganizationsHandshakeAccepted = "Organizations.1402", 400, "The invitation has been accepted.", source "no public source — placeholder";
    /// Accept, Decline or Cancel of a `declined` handshake.
    OrganizationsHandshakeDeclined = "Organizations.1403", 400, "The invitation has been declined.", source "no public source — placeholder";
    /// Accept, Decline or Cancel of an `expired` handshake (`now ≥ expired_at`).
    OrganizationsHandshakeExpired = "Organizations.1404", 400, "The invitation has expired.", source "no public source — placeholder";
    /// InviteAccount: a pending invitation from this organization to the same account exists.
    OrganizationsDuplicateInvitation = "Organizations.1405", 400, "A pending invitation for this account already exists.", source "no public source — placeholder";
    /// InviteAccount: the target is in an organization; AcceptHandshake: the invitee already is.
    OrganizationsAlreadyMember = "Organizations.1406", 400, "The account already belongs to an organization.", source "no public source — placeholder";
    /// InviteAccount: the target id or name is unknown, or is the caller itself.
    OrganizationsAccountNotFound = "Organizations.1407", 400, "The account does not exist.", source "no public source — placeholder";
    /// InviteAccount: more than 20 invitations from the organization in 24 hours.
    OrganizationsInvitationLimitExceeded = "Organizations.1408", 400, "The number of invitations exceeds the limit.", source "no public source — placeholder";
    /// Fault rule only: a service-side failure (the SDKs raise ServerResponseException for any status from 500).
    InternalError = "Common.0500", 500, "Internal server error.", source "no public source — placeholder";
}

impl ErrorCode {
    /// Finds a row by its wire code when that is unique (`Organizations.1401`, `APIGW.0308`), or by
    /// its variant name (`GatewaySignatureExpired`), so fault rules can name any row. A wire code
    /// several rows share (`APIGW.0301`) gives `None`: which message was meant is unknowable.
    #[must_use]
    pub fn parse(wire: &str) -> Option<ErrorCode> {
        if let Some(by_name) = Self::ALL.iter().find(|code| code.name() == wire) {
            return Some(*by_name);
        }
        let mut rows = Self::ALL.iter().filter(|code| code.as_str() == wire);
        match (rows.next(), rows.next()) {
            (Some(only), None) => Some(*only),
            _ => None,
        }
    }

    /// A fault rule's code, checked against this catalog (the control plane's view of it):
    /// its canonical name and whether it is the throttling row (which carries `Retry-After`).
    #[must_use]
    pub fn for_fault(wire: &str) -> Option<(&'static str, bool)> {
        Self::parse(wire).map(|code| (code.name(), code == Self::GatewayThrottled))
    }

    /// The message with its one `{}` (if any) replaced by `detail`; a template without `{}`
    /// ignores `detail`.
    #[must_use]
    pub fn message(self, detail: &str) -> String {
        self.message_template().replacen("{}", detail, 1)
    }

    /// The catalog as a Markdown table (what the `errors` CLI prints for Huawei).
    #[must_use]
    pub fn markdown_table() -> String {
        use std::fmt::Write as _;
        let cell = |text: &str| text.trim().replace('|', "\\|");
        let mut out =
            String::from("| Code | HTTP | Message | When | Source |\n|---|---|---|---|---|\n");
        for code in Self::ALL {
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                code.as_str(),
                code.status(),
                cell(code.message_template()),
                cell(code.when()),
                cell(code.source())
            )
            .expect("writing to a String cannot fail");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::HashSet;

    #[test]
    fn code_and_message_pairs_and_names_are_unique() {
        let mut pairs = HashSet::new();
        let mut names = HashSet::new();
        for code in ErrorCode::ALL {
            assert!(
                pairs.insert((code.as_str(), code.message_template())),
                "{code:?} repeats a row"
            );
            assert!(names.insert(code.name()), "{code:?}");
            assert_eq!(format!("{code:?}"), code.name());
        }
    }

    #[test]
    fn every_status_is_a_client_or_server_error() {
        for code in ErrorCode::ALL {
            assert!((400..600).contains(&code.status()), "{code:?}");
        }
    }

    #[test]
    fn every_row_has_at_most_one_placeholder_a_description_and_a_source() {
        for code in ErrorCode::ALL {
            assert!(
                code.message_template().matches("{}").count() <= 1,
                "{code:?}"
            );
            assert!(!code.when().trim().is_empty(), "{code:?}");
            assert!(!code.source().trim().is_empty(), "{code:?}");
        }
    }

    #[test]
    fn gateway_rows_are_apigw_and_service_rows_are_not() {
        for code in ErrorCode::ALL {
            assert_eq!(
                code.name().starts_with("Gateway"),
                code.as_str().starts_with("APIGW."),
                "{code:?}"
            );
        }
    }

    #[test]
    fn parse_round_trips_unique_wire_codes_and_every_name() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.name()), Some(*code));
            let sharing = ErrorCode::ALL
                .iter()
                .filter(|other| other.as_str() == code.as_str())
                .count();
            let expected = (sharing == 1).then_some(*code);
            assert_eq!(ErrorCode::parse(code.as_str()), expected, "{code:?}");
        }
        assert_eq!(ErrorCode::parse("APIGW.0301"), None);
        assert_eq!(ErrorCode::parse("Organizations.9999"), None);
        assert_eq!(ErrorCode::parse(""), None);
    }

    #[test]
    fn messages_fill_the_placeholder_once() {
        assert_eq!(
            ErrorCode::GatewaySignatureExpired
                .message("20261123T061304Z,server time:20261123T062904Z"),
            "Incorrect IAM authentication information: signature expired, signature time:20261123T061304Z,server time:20261123T062904Z"
        );
        assert_eq!(
            ErrorCode::GatewayUnknownAk.message("HWAKUNKNOWN"),
            "Incorrect IAM authentication information: Get secretKey failed,ak:HWAKUNKNOWN,err:ak not exist"
        );
        assert_eq!(
            ErrorCode::OrganizationsPolicyDenied.message("organizations:handshakes:accept"),
            "Policy doesn't allow 'organizations:handshakes:accept' to be performed."
        );
        assert_eq!(
            ErrorCode::GatewayThrottled.message("1000"),
            "The throttling threshold has been reached: policy user over ratelimit,limit:1000,time:1 second"
        );
        assert_eq!(
            ErrorCode::OrganizationsHandshakeCancelled.message("ignored"),
            "The invitation has been canceled."
        );
    }

    #[test]
    fn the_markdown_table_has_one_line_per_row() {
        let table = ErrorCode::markdown_table();
        assert!(table.starts_with("| Code | HTTP | Message | When | Source |\n"));
        assert_eq!(table.lines().count(), ErrorCode::ALL.len() + 2);
        for line in table.lines().skip(2) {
            assert_eq!(line.matches(" | ").count(), 4, "{line}");
        }
    }
}
