//! `sign`: a signed request, with the secret looked up in the world. For the Alibaba gateway a
//! V1-signed URL or curl command; for Huawei's endpoint an `SDK-HMAC-SHA256`-signed curl command.

use super::{CloudArg, SignArgs, SignMethod};
use crate::app::{Worlds, load_world};
use crate::clock::{Clock, SystemClock};
use crate::domain::Credential;
use crate::facade::alibaba::params::Params;
use crate::facade::alibaba::percent::{canonical_pairs, encode};
use crate::facade::alibaba::{route, signature_v1};
use crate::facade::headers::Headers;
use crate::facade::huawei::route::Operation;
use crate::facade::huawei::signing::{self, Authorization};

/// The key `sign` uses when none is named.
fn default_key(cloud: CloudArg) -> &'static str {
    match cloud {
        CloudArg::Alibaba => "LTAI5tEmuInvitee00001",
        CloudArg::Huawei => "EMUHWINVITEE00000001",
    }
}

/// The secret, token and (if known) account of the key, from the flags or the world.
fn key(args: &SignArgs, id: &str) -> Result<(String, Option<String>, Option<String>), String> {
    if let Some(secret) = &args.access_key_secret {
        return Ok((secret.clone(), args.security_token.clone(), None));
    }
    let worlds: Worlds =
        load_world(args.fixtures.as_deref(), SystemClock.now()).map_err(|e| e.to_string())?;
    let world = match args.cloud {
        CloudArg::Alibaba => worlds.alibaba,
        CloudArg::Huawei => worlds.huawei,
    };
    let credential: Credential = world
        .credentials
        .into_iter()
        .find(|c| c.access_key_id == id)
        .ok_or_else(|| format!("access key {id} is not in the world; pass --access-key-secret"))?;
    let token = args
        .security_token
        .clone()
        .or_else(|| credential.security_token.map(|t| t.expose().to_owned()));
    Ok((
        credential.secret.expose().to_owned(),
        token,
        Some(credential.account_id.to_string()),
    ))
}

fn pairs(args: &SignArgs) -> Result<Vec<(&str, &str)>, String> {
    args.params
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .ok_or_else(|| format!("parameter {pair:?} is not Name=Value"))
        })
        .collect()
}

/// `sign`: the signed URL or curl command, or why it cannot be made.
pub fn sign(args: &SignArgs) -> Result<String, String> {
    let id = args
        .access_key_id
        .clone()
        .unwrap_or_else(|| default_key(args.cloud).to_owned());
    match args.cloud {
        CloudArg::Alibaba => sign_alibaba(args, &id),
        CloudArg::Huawei => sign_huawei(args, &id),
    }
}

fn sign_alibaba(args: &SignArgs, id: &str) -> Result<String, String> {
    let (secret, token, _) = key(args, id)?;
    let mut params = Params::default();
    for (name, value) in pairs(args)? {
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
        ("AccessKeyId", id),
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

fn sign_huawei(args: &SignArgs, id: &str) -> Result<String, String> {
    let operation = Operation::ALL
        .into_iter()
        .find(|op| op.as_str() == args.action)
        .ok_or_else(|| {
            format!(
                "{:?} is not a Huawei operation ({})",
                args.action,
                Operation::NAMES.join(", ")
            )
        })?;
    let (secret, token, account) = key(args, id)?;
    let (mut handshake_id, mut body, mut query) = (None, String::new(), Vec::new());
    for (name, value) in pairs(args)? {
        match name {
            "handshake_id" => handshake_id = Some(value),
            "body" => value.clone_into(&mut body),
            _ => query.push((name, value)),
        }
    }
    query.sort_unstable();
    let (method, path) = operation.request_line(handshake_id.map(encode).as_deref());
    let query = canonical_pairs(query.into_iter());
    let base = args.endpoint.trim_end_matches('/');
    let host = base
        .split_once("://")
        .map_or(base, |(_, rest)| rest)
        .to_owned();
    let date = signing::format_sdk_date(SystemClock.now());
    let mut headers = vec![
        ("content-type", "application/json".to_owned()),
        ("host", host),
    ];
    if let Some(account) = account {
        headers.push(("x-domain-id", account));
    }
    headers.push(("x-sdk-date", date.clone()));
    if let Some(token) = token {
        headers.push(("x-security-token", token));
    }
    let signed_headers = headers
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(";");
    let lookup = Headers::from_pairs(headers.iter().map(|(n, v)| (*n, v.as_str())));
    let unsigned = Authorization {
        access: id,
        signed_headers: &signed_headers,
        signature: "",
    };
    let canonical_request = signing::canonical_request(
        method,
        &signing::canonical_uri(&path),
        &signing::canonical_query(&query),
        &unsigned,
        |name| lookup.get(name),
        &signing::payload_hash(body.as_bytes(), None),
    );
    let signature = signing::sign(&secret, &signing::string_to_sign(&date, &canonical_request));
    let mut curl = format!("curl -sS -X {method}");
    for (name, value) in headers.iter().filter(|(name, _)| *name != "host") {
        curl.push_str(&format!(" -H '{name}: {value}'"));
    }
    curl.push_str(&format!(
        " -H 'Authorization: {} Access={id}, SignedHeaders={signed_headers}, Signature={signature}'",
        signing::ALGORITHM
    ));
    if !body.is_empty() {
        curl.push_str(&format!(" --data '{body}'"));
    }
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    curl.push_str(&format!(" '{base}{path}{query}'"));
    Ok(curl)
}
