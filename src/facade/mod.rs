//! The API facades, one per cloud, siblings over the same domain: each owns its routing,
//! signing, envelopes, error catalog, id shapes and operations, and reaches the world only
//! through the store. A facade renders its own errors: format and request id are per request.

pub mod alibaba;
pub mod canonical;
pub mod headers;
pub mod huawei;
pub mod presign;
