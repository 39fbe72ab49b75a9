//! Fault rules (the control plane's `/_emulator/faults`): each matches a cloud and an operation,
//! and optionally a handshake id or access key id, and answers with an error of that cloud's
//! catalog, adds latency, or both, for the next N matching calls or with a probability. Rules
//! are tried in the order they were added; the first that fires is applied. Facades apply them
//! after authentication, so a fault is observed through a correctly signed request and a
//! retried request is re-signed as SDKs do.

use super::{Catalog, Cloud};
use serde::{Deserialize, Serialize};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How long a throttling fault tells the client to wait, unless the rule says otherwise.
pub const DEFAULT_RETRY_AFTER_MS: u64 = 1000;
/// The most rules in force at once: every call of an operation scans them under one lock.
pub const MAX_RULES: usize = 1000;
/// The longest latency a rule may add (5 minutes: past any SDK's read timeout, short of holding a
/// connection forever).
pub const MAX_LATENCY_MS: u64 = 300_000;
/// The longest retry-after a rule may send (an hour).
pub const MAX_RETRY_AFTER_MS: u64 = 3_600_000;
/// The longest `handshake_id` or `access_key_id` a rule may match, in bytes.
pub const MAX_MATCH_BYTES: usize = 128;
/// The longest `detail` a rule may carry, in bytes (room for a canonical request).
pub const MAX_DETAIL_BYTES: usize = 4096;

/// A rule as the control plane takes it (and as a durable store keeps it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// The cloud (default `alibaba`).
    #[serde(default)]
    pub cloud: Cloud,
    /// The operation it applies to (wire name).
    pub action: String,
    /// Only requests with this HandshakeId.
    #[serde(default)]
    pub handshake_id: Option<String>,
    /// Only requests signed with this AccessKeyId.
    #[serde(default)]
    pub access_key_id: Option<String>,
    /// The catalog code to answer with.
    #[serde(default)]
    pub code: Option<String>,
    /// Latency to add, in milliseconds.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Fire for the next N matching calls only, then disappear.
    #[serde(default)]
    pub times: Option<u32>,
    /// Fire with this probability (0 < p ≤ 1) on each matching call.
    #[serde(default)]
    pub probability: Option<f64>,
    /// The retry-after for throttling codes, in milliseconds.
    #[serde(default)]
    pub retry_after_ms: Option<u64>,
    /// The detail a code's message needs (a parameter name, a string to sign).
    #[serde(default)]
    pub detail: Option<String>,
}

/// A rule in force.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultRule {
    /// Its id, for deletion.
    pub id: String,
    /// The cloud.
    pub cloud: Cloud,
    /// The operation it applies to.
    pub action: &'static str,
    /// Only this HandshakeId.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshake_id: Option<String>,
    /// Only this AccessKeyId.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// The error it answers with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// Added latency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Calls left before it disappears.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u32>,
    /// Chance of firing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// The retry-after sent with a throttling code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// The detail for the code's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What a fired rule does to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultEffect {
    /// Wait this long first.
    pub latency: Option<Duration>,
    /// Then answer with this error (the catalog's name for it) instead of running the action.
    pub code: Option<&'static str>,
    /// With this retry-after.
    pub retry_after_ms: Option<u64>,
    /// And this detail in its message, if the rule gave one.
    pub detail: Option<String>,
}

/// The rules in force.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    rules: Vec<FaultRule>,
}

impl Faults {
    /// Checks `spec` against its cloud's `catalog` and adds it; returns the rule, or what is
    /// wrong with the spec.
    pub fn add(&self, spec: FaultSpec, catalog: Catalog) -> Result<FaultRule, String> {
        let action = catalog
            .operations
            .iter()
            .copied()
            .find(|op| *op == spec.action)
            .ok_or_else(|| format!("unknown {} action {:?}", spec.cloud, spec.action))?;
        let code = spec
            .code
            .as_deref()
            .map(|wire| {
                (catalog.code)(wire)
                    .ok_or_else(|| format!("{wire:?} is not in the {} catalog", spec.cloud))
            })
            .transpose()?;
        if code.is_none() && spec.latency_ms.is_none() {
            return Err("a rule needs a code, a latency_ms, or both".into());
        }
        if spec.times == Some(0) {
            return Err("times must be at least 1".into());
        }
        if spec.probability.is_some_and(|p| !(p > 0.0 && p <= 1.0)) {
            return Err("probability must be in (0, 1]".into());
        }
        if spec.latency_ms.is_some_and(|ms| ms > MAX_LATENCY_MS) {
            return Err(format!("latency_ms must be at most {MAX_LATENCY_MS}"));
        }
        if spec
            .retry_after_ms
            .is_some_and(|ms| ms > MAX_RETRY_AFTER_MS)
        {
            return Err(format!(
                "retry_after_ms must be at most {MAX_RETRY_AFTER_MS}"
            ));
        }
        for (name, value, max) in [
            ("handshake_id", &spec.handshake_id, MAX_MATCH_BYTES),
            ("access_key_id", &spec.access_key_id, MAX_MATCH_BYTES),
            ("detail", &spec.detail, MAX_DETAIL_BYTES),
        ] {
            if value.as_ref().is_some_and(|v| v.len() > max) {
                return Err(format!("{name} must be at most {max} bytes"));
            }
        }
        let throttling = code.is_some_and(|(_, throttling)| throttling);
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.rules.len() >= MAX_RULES {
            return Err(format!(
                "{MAX_RULES} rules are in force, the most there may be: delete some first"
            ));
        }
        inner.next_id += 1;
        let rule = FaultRule {
            id: format!("fault-{}", inner.next_id),
            cloud: spec.cloud,
            action,
            handshake_id: spec.handshake_id,
            access_key_id: spec.access_key_id,
            code: code.map(|(name, _)| name),
            latency_ms: spec.latency_ms,
            remaining: spec.times,
            probability: spec.probability,
            retry_after_ms: throttling
                .then_some(spec.retry_after_ms.unwrap_or(DEFAULT_RETRY_AFTER_MS)),
            detail: spec.detail,
        };
        inner.rules.push(rule.clone());
        Ok(rule)
    }

    /// The rules in force as specs that [`Faults::add`] takes back (a counted rule with the
    /// calls it has left), to be kept across restarts.
    #[must_use]
    pub fn specs(&self) -> Vec<FaultSpec> {
        self.list()
            .into_iter()
            .map(|rule| FaultSpec {
                cloud: rule.cloud,
                action: rule.action.to_owned(),
                handshake_id: rule.handshake_id,
                access_key_id: rule.access_key_id,
                code: rule.code.map(str::to_owned),
                latency_ms: rule.latency_ms,
                times: rule.remaining,
                probability: rule.probability,
                retry_after_ms: rule.retry_after_ms,
                detail: rule.detail,
            })
            .collect()
    }

    /// The rules in force, oldest first.
    #[must_use]
    pub fn list(&self) -> Vec<FaultRule> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .rules
            .clone()
    }

    /// Removes the rule `id`; whether it existed.
    pub fn remove(&self, id: &str) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let before = inner.rules.len();
        inner.rules.retain(|rule| rule.id != id);
        inner.rules.len() != before
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .rules
            .clear();
    }

    /// The effect of the first rule that matches and fires for this request, counting it.
    /// `roll` draws the number in [0, 1) that a rule's probability is compared with.
    pub fn fire(
        &self,
        cloud: Cloud,
        action: &str,
        handshake_id: Option<&str>,
        access_key_id: &str,
        mut roll: impl FnMut() -> f64,
    ) -> Option<FaultEffect> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let at = inner.rules.iter().position(|rule| {
            rule.cloud == cloud
                && rule.action == action
                && rule
                    .handshake_id
                    .as_deref()
                    .is_none_or(|id| Some(id) == handshake_id)
                && rule
                    .access_key_id
                    .as_deref()
                    .is_none_or(|id| id == access_key_id)
                && rule.probability.is_none_or(|p| roll() < p)
        })?;
        let rule = &mut inner.rules[at];
        let effect = FaultEffect {
            latency: rule.latency_ms.map(Duration::from_millis),
            code: rule.code,
            retry_after_ms: rule.retry_after_ms,
            detail: rule.detail.clone(),
        };
        if let Some(remaining) = &mut rule.remaining {
            *remaining -= 1;
            if *remaining == 0 {
                inner.rules.remove(at);
            }
        }
        Some(effect)
    }

    /// How many rules are in force.
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .rules
            .len()
    }

    /// Whether no rule is in force.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: Catalog = Catalog {
        operations: &["AcceptHandshake", "CancelHandshake", "GetHandshake"],
        code: |wire| match wire {
            "Throttling.User" => Some(("Throttling.User", true)),
            "InternalError" => Some(("InternalError", false)),
            _ => None,
        },
    };

    fn spec(json: &str) -> FaultSpec {
        serde_json::from_str(json).unwrap()
    }

    fn fire(faults: &Faults, action: &str, id: Option<&str>, key: &str) -> Option<FaultEffect> {
        faults.fire(Cloud::Alibaba, action, id, key, || 0.0)
    }

    #[test]
    fn a_counted_rule_fires_n_times_then_disappears() {
        let faults = Faults::default();
        faults
            .add(
                spec(r#"{"action":"AcceptHandshake","code":"Throttling.User","times":2}"#),
                CATALOG,
            )
            .unwrap();
        for _ in 0..2 {
            let effect = fire(&faults, "AcceptHandshake", None, "AK").unwrap();
            assert_eq!(effect.code, Some("Throttling.User"));
            assert_eq!(effect.retry_after_ms, Some(DEFAULT_RETRY_AFTER_MS));
        }
        assert_eq!(fire(&faults, "AcceptHandshake", None, "AK"), None);
        assert!(faults.is_empty());
    }

    #[test]
    fn rules_match_on_cloud_action_handshake_and_key() {
        let faults = Faults::default();
        faults
            .add(spec(r#"{"action":"CancelHandshake","handshake_id":"h-1","access_key_id":"AK","code":"InternalError"}"#), CATALOG)
            .unwrap();
        assert_eq!(fire(&faults, "AcceptHandshake", Some("h-1"), "AK"), None);
        assert_eq!(fire(&faults, "CancelHandshake", Some("h-2"), "AK"), None);
        assert_eq!(fire(&faults, "CancelHandshake", Some("h-1"), "BK"), None);
        assert_eq!(
            faults.fire(Cloud::Huawei, "CancelHandshake", Some("h-1"), "AK", || 0.0),
            None
        );
        assert!(fire(&faults, "CancelHandshake", Some("h-1"), "AK").is_some());
    }

    #[test]
    fn a_probability_fires_only_below_it() {
        let faults = Faults::default();
        faults
            .add(
                spec(r#"{"action":"GetHandshake","latency_ms":5,"probability":0.25}"#),
                CATALOG,
            )
            .unwrap();
        assert_eq!(
            faults.fire(Cloud::Alibaba, "GetHandshake", None, "AK", || 0.5),
            None
        );
        let effect = faults
            .fire(Cloud::Alibaba, "GetHandshake", None, "AK", || 0.1)
            .unwrap();
        assert_eq!(
            (effect.latency, effect.code, effect.retry_after_ms),
            (Some(Duration::from_millis(5)), None, None)
        );
    }

    #[test]
    fn bad_specs_are_refused_with_a_reason() {
        let faults = Faults::default();
        for (json, reason) in [
            (
                r#"{"action":"Nope","code":"InternalError"}"#,
                "unknown alibaba action",
            ),
            (
                r#"{"action":"GetHandshake","code":"Nope"}"#,
                "not in the alibaba catalog",
            ),
            (r#"{"action":"GetHandshake"}"#, "needs a code"),
            (
                r#"{"action":"GetHandshake","code":"InternalError","times":0}"#,
                "at least 1",
            ),
            (
                r#"{"action":"GetHandshake","code":"InternalError","probability":1.5}"#,
                "(0, 1]",
            ),
            (
                r#"{"action":"GetHandshake","latency_ms":18446744073709551615}"#,
                "latency_ms must be at most 300000",
            ),
            (
                r#"{"action":"GetHandshake","code":"Throttling.User","retry_after_ms":3600001}"#,
                "retry_after_ms must be at most 3600000",
            ),
            (
                &format!(
                    r#"{{"action":"GetHandshake","code":"InternalError","handshake_id":"{}"}}"#,
                    "h".repeat(129)
                ),
                "handshake_id must be at most 128 bytes",
            ),
            (
                &format!(
                    r#"{{"action":"GetHandshake","code":"InternalError","detail":"{}"}}"#,
                    "d".repeat(4097)
                ),
                "detail must be at most 4096 bytes",
            ),
        ] {
            let err = faults.add(spec(json), CATALOG).unwrap_err();
            assert!(err.contains(reason), "{json}: {err}");
        }
    }

    #[test]
    fn rules_are_bounded_in_number() {
        let faults = Faults::default();
        let rule = r#"{"action":"GetHandshake","code":"InternalError"}"#;
        for _ in 0..MAX_RULES {
            faults.add(spec(rule), CATALOG).unwrap();
        }
        let err = faults.add(spec(rule), CATALOG).unwrap_err();
        assert!(err.contains("1000 rules are in force"), "{err}");
        faults.clear();
        assert!(faults.add(spec(rule), CATALOG).is_ok());
    }
}
