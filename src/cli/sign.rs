//! `sign`: a signed request, with the secret looked up in the world. For the Alibaba gateway a
//! V1-signed URL or curl command; for Huawei's endpoint an `SDK-HMAC-SHA256`-signed curl command
//! (both built by [`presign`]).

use super::{CloudArg, SignArgs, SignMethod};
use crate::app::{Worlds, load_world};
use crate::clock::{Clock, SystemClock};
use crate::domain::Credential;
use crate::facade::presign::{self, AlibabaForm, Presign};

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
    let params = pairs(args)?;
    let (secret, token, account) = key(args, &id)?;
    let request = Presign {
        endpoint: &args.endpoint,
        action: &args.action,
        params,
        access_key_id: &id,
        secret: &secret,
        security_token: token.as_deref(),
        account_id: account.as_deref(),
        now: SystemClock.now(),
    };
    match args.cloud {
        CloudArg::Alibaba => {
            let form = match args.method {
                SignMethod::Get if !args.curl => AlibabaForm::Url,
                SignMethod::Get => AlibabaForm::CurlGet,
                SignMethod::Post => AlibabaForm::CurlPost,
            };
            Ok(presign::alibaba(&request, &args.format, form))
        }
        CloudArg::Huawei => presign::huawei(&request),
    }
}
