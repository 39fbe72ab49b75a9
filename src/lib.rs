//! resourcemanager-emulator: a local emulator of Alibaba Cloud Resource Manager's handshake
//! (invitation) API that the official SDKs talk to unmodified.
//!
//! A request travels inward through the layers, and each layer only knows those inside it:
//!
//! - [`gateway`]: actix-web. The `/` handler reads the raw query and body, runs the pipeline and
//!   writes the envelope; every other path gets `InvalidApi.NotFound`.
//! - [`protocol`]: the RPC protocol without HTTP. Parameters, Format/Action/Version, V1
//!   signatures, replay protection, JSON and XML envelopes.
//! - [`actions`]: one enum of actions, one exhaustive dispatch, an input and output per action.
//! - [`domain`]: the world (directories, accounts, keys, handshakes) and its rules, behind the
//!   [`domain::Store`] boundary. No actix, no HTTP; time is passed in.
//!
//! [`error`] holds the one catalog of wire codes; [`clock`] is injectable time; [`startup`]
//! builds the shared state and the app factory that `main` and the tests both use.

pub mod actions;
pub mod cli;
pub mod clock;
pub mod domain;
pub mod error;
pub mod gateway;
pub mod protocol;
pub mod startup;
