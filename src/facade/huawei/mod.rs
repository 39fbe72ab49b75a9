//! Huawei Cloud Organizations' handshake API over REST under `/v1/`, with the IAM and STS calls
//! the SDK makes to learn its account id (`/v3/auth/domains`, `/v5/caller-identity`):
//! raw-path routing, `SDK-HMAC-SHA256` verification, the `{"error_code","error_msg",
//! "request_id"}` envelope, its error catalog, and the seven APIs over the shared lifecycle.
//!
//! A request runs through [`gateway`] (HTTP in, JSON out) → [`route`] → [`auth`] → the control
//! plane's fault rules → [`operations`] → the domain's rules, committed by the store.

pub mod auth;
pub mod catalog;
pub mod error;
pub mod gateway;
pub mod operations;
pub mod policy;
pub mod route;
pub mod signing;
pub mod world;

pub use gateway::Gateway;
