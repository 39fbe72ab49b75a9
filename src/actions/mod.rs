//! The Resource Manager actions: one enum naming them (the only place their wire names live),
//! one exhaustive dispatch, and per action an input parsed from the parameters and an output
//! that serializes to the response body.

mod handshakes;

pub use handshakes::{HandshakeIdInput, HandshakeOutput, HandshakeView};

use crate::domain::{AccountId, Store};
use crate::error::ApiResult;
use crate::protocol::params::Params;
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

            /// The wire name (case-sensitive).
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Action::$variant => stringify!($variant),)+ }
            }
        }
    };
}

actions! {
    /// The invited account accepts an invitation.
    AcceptHandshake,
    /// The management account withdraws an invitation.
    CancelHandshake,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Output {
    /// A single handshake.
    Handshake(HandshakeOutput),
}

/// Runs `action` with `params`: one arm per action, no fallback.
pub fn dispatch(ctx: Context<'_>, action: Action, params: &Params) -> ApiResult<Output> {
    match action {
        Action::AcceptHandshake => {
            handshakes::accept(ctx, HandshakeIdInput::parse(params)?).map(Output::Handshake)
        }
        Action::CancelHandshake => {
            handshakes::cancel(ctx, HandshakeIdInput::parse(params)?).map(Output::Handshake)
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
