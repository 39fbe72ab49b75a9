//! Routing an RPC request: the Format it asks for, and the Action and Version, carried by V1 in
//! parameters and by V3 in headers.

use super::actions::Action;
use super::auth::Headers;
use super::envelope::Format;
use super::error::{ApiError, ApiResult, ErrorCode};
use super::params::Params;

/// The API version this emulator serves.
pub const VERSION: &str = "2020-03-31";

/// The response format `params` ask for (JSON if they name none).
pub fn format(params: &Params) -> ApiResult<Format> {
    params.get("Format").map_or(Ok(Format::Json), |value| {
        Format::parse(value).ok_or_else(|| ApiError::new(ErrorCode::InvalidParameterFormat))
    })
}

/// Where a scheme carries the action and version: V1 in parameters, V3 in headers.
#[derive(Debug, Clone, Copy)]
pub struct Route<'a> {
    /// The action name as sent, if any.
    pub action: Option<&'a str>,
    /// The version as sent, if any.
    pub version: Option<&'a str>,
    /// What a missing action is called in the error (`Action`, `x-acs-action`).
    pub action_name: &'static str,
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
            action_name: "Action",
            version_name: "Version",
        }
    }

    /// V3: the `x-acs-action` and `x-acs-version` headers.
    #[must_use]
    pub fn from_headers(headers: &'a Headers) -> Self {
        Self {
            action: headers.non_empty("x-acs-action"),
            version: headers.non_empty("x-acs-version"),
            action_name: "x-acs-action",
            version_name: "x-acs-version",
        }
    }

    /// The action called, after checking that the version is the one served.
    pub fn action(self) -> ApiResult<Action> {
        let name = self
            .action
            .ok_or_else(|| ApiError::with(ErrorCode::MissingParameter, self.action_name))?;
        let action =
            Action::parse(name).ok_or_else(|| ApiError::new(ErrorCode::InvalidActionNotFound))?;
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
