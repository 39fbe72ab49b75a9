//! Routing an RPC request: the Format it asks for, and the Action and Version, carried by V1 in
//! parameters and by V3 in headers.
//!
//! Without a `Format`, two sources disagree (AMBIGUOUS): the generic RPC pages default to XML,
//! Resource Manager's common-parameters page to JSON. A live body settles part of it: a bare
//! `GET /` to the gateway (Alibaba's CLI documentation, `aliyun mcp-proxy`, quotes the reply)
//! answers `InvalidAction.NotFound` in XML. So the gateway's own default is XML, used while a
//! request names no API this product serves; once it names a Resource Manager action, the
//! product's default, JSON, applies. V3 requests ask for JSON with `accept: application/json`.

use super::actions::Action;
use super::auth::Headers;
use super::envelope::Format;
use super::error::{ApiError, ApiResult, ErrorCode};
use super::params::Params;

/// The API version this emulator serves.
pub const VERSION: &str = "2020-03-31";

/// The response format `params` ask for, if they name one.
pub fn format(params: &Params) -> ApiResult<Option<Format>> {
    params
        .get("Format")
        .map(|value| {
            Format::parse(value).ok_or_else(|| ApiError::new(ErrorCode::InvalidParameterFormat))
        })
        .transpose()
}

/// The format of a request that names none: JSON for V3 and for a request naming an action
/// served here (`action`), XML (the gateway's default) otherwise.
#[must_use]
pub fn default_format(v3: bool, action: Option<&str>) -> Format {
    if v3 || action.is_some_and(|name| Action::parse(name).is_some()) {
        Format::Json
    } else {
        Format::Xml
    }
}

/// Where a scheme carries the action and version: V1 in parameters, V3 in headers.
#[derive(Debug, Clone, Copy)]
pub struct Route<'a> {
    /// The action name as sent, if any.
    pub action: Option<&'a str>,
    /// The version as sent, if any.
    pub version: Option<&'a str>,
    /// What a missing action is called in a `MissingParameter` error (V3: `x-acs-action`); `None`
    /// (V1) makes it `InvalidAction.NotFound`: a request without an Action names no API, as the
    /// live gateway answers a bare request.
    pub action_name: Option<&'static str>,
    /// What a missing version is called in the error (`Version`, `x-acs-version`).
    pub version_name: &'static str,
}

impl<'a> Route<'a> {
    /// V1: the `Action` and `Version` parameters.
    #[must_use]
    pub fn from_params(params: &'a Params) -> Self {
        Self {
            action: params.non_empty("Action"),
            version: params.non_empty("Version"),
            action_name: None,
            version_name: "Version",
        }
    }

    /// V3: the `x-acs-action` and `x-acs-version` headers.
    #[must_use]
    pub fn from_headers(headers: &'a Headers) -> Self {
        Self {
            action: headers.non_empty("x-acs-action"),
            version: headers.non_empty("x-acs-version"),
            action_name: Some("x-acs-action"),
            version_name: "x-acs-version",
        }
    }

    /// The action called, after checking that the version is the one served.
    pub fn action(self) -> ApiResult<Action> {
        let name = self.action.ok_or_else(|| match self.action_name {
            Some(name) => ApiError::with(ErrorCode::MissingParameter, name),
            None => ApiError::new(ErrorCode::InvalidActionNotFound),
        })?;
        let action = Action::parse(name).ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidActionNotFound).because(format!(
                "{name:?} is not a Resource Manager handshake action; did you mean {}?",
                closest(name)
            ))
        })?;
        match self.version {
            None => Err(ApiError::with(
                ErrorCode::MissingParameter,
                self.version_name,
            )),
            Some(VERSION) => Ok(action),
            Some(_) => Err(ApiError::new(ErrorCode::InvalidVersion)),
        }
    }
}
/// The served action nearest to `name` by edit distance (case folded), for a suggestion.
fn closest(name: &str) -> &'static str {
    let distance = |a: &str, b: &str| {
        let (a, b): (Vec<char>, Vec<char>) = (
            a.to_ascii_lowercase().chars().collect(),
            b.to_ascii_lowercase().chars().collect(),
        );
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut diagonal = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let above = row[j + 1];
                row[j + 1] = (above + 1)
                    .min(row[j] + 1)
                    .min(diagonal + usize::from(ca != cb));
                diagonal = above;
            }
        }
        row[b.len()]
    };
    // Bounded: an action name is at most a few dozen characters in any useful request.
    let name: String = name.chars().take(64).collect();
    Action::NAMES
        .iter()
        .copied()
        .min_by_key(|candidate| distance(&name, candidate))
        .unwrap_or("AcceptHandshake")
}
