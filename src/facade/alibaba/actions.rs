//! The Resource Manager actions: one enum naming them (the only place their wire names live),
//! one exhaustive dispatch, and per action an input parsed from the parameters and an output
//! that serializes to the response body.

use super::error::ApiResult;
use super::handshakes::{
    self as h, HandshakeIdInput, HandshakeListOutput, HandshakeOutput, InviteInput, PagingInput,
};
use super::params::Params;
use crate::domain::AccountId;
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;

macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident),+ $(,)?) => {
        /// An action this emulator serves.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $variant,)+
        }

        impl Action {
            /// Every action, in declaration order.
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            /// Every action's wire name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($variant)),+];

            /// The wire name (case-sensitive).
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Action::$variant => stringify!($variant),)+ }
            }
        }
    };
}

actions! {
    /// The management account invites an account into its resource directory.
    InviteAccountToResourceDirectory,
    /// The invited account accepts an invitation.
    AcceptHandshake,
    /// The invited account declines an invitation.
    DeclineHandshake,
    /// The management account withdraws an invitation.
    CancelHandshake,
    /// Either party reads an invitation.
    GetHandshake,
    /// The invitations the caller received.
    ListHandshakesForAccount,
    /// The invitations of the directory the caller manages.
    ListHandshakesForResourceDirectory,
}

impl Action {
    /// The action named `name`, exactly (the gateway is case-sensitive).
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|action| action.as_str() == name)
    }

    /// The parameter a message names when it needs one and the request gives none to name (a
    /// fault rule's InvalidParameter without a detail): the action's main input.
    #[must_use]
    pub const fn main_parameter(self) -> &'static str {
        match self {
            Self::InviteAccountToResourceDirectory => "TargetEntity",
            Self::AcceptHandshake
            | Self::DeclineHandshake
            | Self::CancelHandshake
            | Self::GetHandshake => "HandshakeId",
            Self::ListHandshakesForAccount | Self::ListHandshakesForResourceDirectory => "PageSize",
        }
    }

    /// The root element of this action's XML response.
    #[must_use]
    pub fn xml_root(self) -> String {
        format!("{}Response", self.as_str())
    }
}

/// What an action needs besides its parameters.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The world.
    pub store: &'a dyn Store,
    /// Emulator time.
    pub now: DateTime<Utc>,
    /// The authenticated caller's account.
    pub caller: &'a AccountId,
}

/// An action's result, serialized after `RequestId`.
#[allow(
    clippy::large_enum_variant,
    reason = "one per request, built once and moved once"
)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Output {
    /// A single handshake.
    Handshake(HandshakeOutput),
    /// A page of handshakes.
    Handshakes(HandshakeListOutput),
}

/// Runs `action` with `params`: one arm per action, no fallback.
pub fn dispatch(ctx: Context<'_>, action: Action, params: &Params) -> ApiResult<Output> {
    match action {
        Action::InviteAccountToResourceDirectory => {
            h::invite(ctx, InviteInput::parse(params)?).map(Output::Handshake)
        }
        Action::AcceptHandshake => {
            h::accept(ctx, HandshakeIdInput::parse(params)?).map(Output::Handshake)
        }
        Action::DeclineHandshake => {
            h::decline(ctx, HandshakeIdInput::parse(params)?).map(Output::Handshake)
        }
        Action::CancelHandshake => {
            h::cancel(ctx, HandshakeIdInput::parse(params)?).map(Output::Handshake)
        }
        Action::GetHandshake => {
            h::get(ctx, HandshakeIdInput::parse(params)?).map(Output::Handshake)
        }
        Action::ListHandshakesForAccount => {
            h::list_for_account(ctx, PagingInput::parse(params)?).map(Output::Handshakes)
        }
        Action::ListHandshakesForResourceDirectory => {
            h::list_for_directory(ctx, PagingInput::parse(params)?).map(Output::Handshakes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn action_names_round_trip_and_are_case_sensitive() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(*action));
        }
        assert_eq!(Action::parse("accepthandshake"), None);
        assert_eq!(
            Action::AcceptHandshake.xml_root(),
            "AcceptHandshakeResponse"
        );
    }
}
