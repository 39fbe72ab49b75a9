//! resourcemanager-emulator: a local emulator of cloud account-invitation ("handshake") APIs that
//! the official SDKs talk to unmodified: Alibaba Cloud Resource Manager over the RPC gateway
//! protocol on `/`.
//!
//! The file tree is the architecture; layers point inward only:
//!
//! - [`app`]: the shared state, the one app factory, the world document spanning both clouds.
//! - [`facade`]: one module per cloud (routing, signing, envelopes, its error catalog, its id
//!   shapes and policy, its operations), and [`control`]: reset, state, clock, fault rules, the
//!   journal. Facades call the control plane's fault rules and journal; neither knows the other.
//! - [`domain`]: neutral ids, accounts, organizations, credentials, handshakes and the lifecycle
//!   rules, which decide and return the changes they make. No HTTP, no wire names, no cloud.
//! - [`store`]: the [`store::Store`] trait (commit of changes, indexed paged queries), the memory
//!   store, and what world documents share. It depends on the domain only.
//!
//! [`clock`] is injectable time; [`body`] reads request bodies within a size and a deadline;
//! [`cli`] is the command line.

pub mod app;
pub mod body;
pub mod cli;
pub mod clock;
pub mod control;
pub mod domain;
pub mod facade;
pub mod store;
