//! `sign`: a signed request for the Alibaba gateway, as a URL or a curl command, with the secret
//! looked up in the world.

use super::{SignArgs, SignMethod};
use crate::app::load_world;
use crate::clock::{Clock, SystemClock};
use crate::facade::alibaba::params::Params;
use crate::facade::alibaba::{route, signature_v1};

/// `sign`: the signed URL or curl command, or why it cannot be made.
pub fn sign(args: &SignArgs) -> Result<String, String> {
    let (secret, token) = if let Some(secret) = &args.access_key_secret {
        (secret.clone(), args.security_token.clone())
    } else {
        let worlds =
            load_world(args.fixtures.as_deref(), SystemClock.now()).map_err(|e| e.to_string())?;
        let credential = worlds
            .alibaba
            .credentials
            .into_iter()
            .find(|c| c.access_key_id == args.access_key_id)
            .ok_or_else(|| {
                format!(
                    "access key {} is not in the world; pass --access-key-secret",
                    args.access_key_id
                )
            })?;
        let token = args
            .security_token
            .clone()
            .or_else(|| credential.security_token.map(|t| t.expose().to_owned()));
        (credential.secret.expose().to_owned(), token)
    };

    let mut params = Params::default();
    for pair in &args.params {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("parameter {pair:?} is not Name=Value"))?;
        params.insert(name, value);
    }
    let nonce = uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .simple()
        .to_string();
    for (name, value) in [
        ("Action", args.action.as_str()),
        ("Version", route::VERSION),
        ("Format", args.format.as_str()),
        ("AccessKeyId", args.access_key_id.as_str()),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", nonce.as_str()),
        (
            "Timestamp",
            &SystemClock.now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ),
    ] {
        params.insert(name, value);
    }
    if let Some(token) = token {
        params.insert("SecurityToken", token);
    }
    let method = match args.method {
        SignMethod::Get => "GET",
        SignMethod::Post => "POST",
    };
    signature_v1::sign_params(&mut params, method, &secret);
    let encoded = signature_v1::encode_params(&params);
    let base = args.endpoint.trim_end_matches('/');
    Ok(match args.method {
        SignMethod::Get if !args.curl => format!("{base}/?{encoded}"),
        SignMethod::Get => format!("curl -sS '{base}/?{encoded}'"),
        SignMethod::Post => format!(
            "curl -sS -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data '{encoded}' '{base}/'"
        ),
    })
}
