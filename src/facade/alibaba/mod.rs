//! Alibaba Cloud Resource Manager over the RPC ("POP") gateway protocol on `/`: parameters,
//! Format/Action/Version routing, V1 and V3 signatures, replay protection, JSON and XML
//! envelopes, the error catalog, and the seven handshake actions over the shared lifecycle.
//!
//! A request runs through [`gateway`] (HTTP in, envelope out) → [`route`] and [`auth`] →
//! the control plane's fault rules → [`actions`] → the domain's rules, committed by the store.

pub mod actions;
pub mod auth;
pub mod catalog;
pub mod envelope;
pub mod error;
pub mod gateway;
pub mod handshakes;
pub mod nonce;
pub mod params;
pub mod percent;
pub mod policy;
pub mod route;
pub mod signature_v1;
pub mod signature_v3;
pub mod world;

pub use gateway::Gateway;
