//! Injectable time. Two clocks run in the emulator: the *emulator clock* drives handshake times
//! and expiry and can be frozen, set and advanced from the control plane; the *wall clock*
//! checks signature timestamps, because SDKs sign with real time. Both are [`Clock`]s, so tests
//! can pin either one.

use chrono::{DateTime, TimeDelta, Utc};
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// A source of "now".
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The emulator clock: system time shifted by an offset, or frozen at an instant.
#[derive(Debug, Default)]
pub struct EmulatorClock(Mutex<Setting>);

#[derive(Debug, Default, Clone, Copy)]
struct Setting {
    offset: TimeDelta,
    frozen: Option<DateTime<Utc>>,
}

impl Setting {
    fn now(self) -> DateTime<Utc> {
        self.frozen.unwrap_or_else(|| Utc::now() + self.offset)
    }
}

/// What the clock reads and how it is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockReading {
    /// The emulator's now.
    pub now: DateTime<Utc>,
    /// Whether time stands still.
    pub frozen: bool,
    /// How far the emulator's now is from system time, in whole seconds.
    pub offset_seconds: i64,
}

impl EmulatorClock {
    /// A clock that follows system time.
    #[must_use]
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock frozen at `at`.
    #[must_use]
    pub fn frozen_at(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(Setting {
            offset: TimeDelta::zero(),
            frozen: Some(at),
        }))
    }

    fn with<R>(&self, f: impl FnOnce(&mut Setting) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Stops time at the current instant.
    pub fn freeze(&self) {
        let now = self.now();
        self.with(|s| s.frozen = Some(now));
    }

    /// Lets time run again from where it stands.
    pub fn resume(&self) {
        let system = Utc::now();
        self.with(|s| {
            if let Some(at) = s.frozen.take() {
                s.offset = at - system;
            }
        });
    }

    /// Moves the clock to `at`; a frozen clock stays frozen there, a running one runs on from it.
    pub fn set(&self, at: DateTime<Utc>) {
        let system = Utc::now();
        self.with(|s| match &mut s.frozen {
            Some(frozen) => *frozen = at,
            None => s.offset = at - system,
        });
    }

    /// Moves the clock by `by` (negative goes back).
    pub fn advance(&self, by: TimeDelta) {
        self.with(|s| match &mut s.frozen {
            Some(frozen) => *frozen += by,
            None => s.offset += by,
        });
    }

    /// Back to system time, running.
    pub fn reset(&self) {
        self.with(|s| *s = Setting::default());
    }

    /// The current reading.
    #[must_use]
    pub fn reading(&self) -> ClockReading {
        let setting = self.with(|s| *s);
        let now = setting.now();
        ClockReading {
            now,
            frozen: setting.frozen.is_some(),
            offset_seconds: (now - Utc::now()).num_seconds(),
        }
    }
}

impl Clock for EmulatorClock {
    fn now(&self) -> DateTime<Utc> {
        self.with(|s| s.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_frozen_clock_moves_only_when_told() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let clock = EmulatorClock::frozen_at(t0);
        assert_eq!(clock.now(), t0);
        clock.advance(TimeDelta::days(14));
        assert_eq!(clock.now(), t0 + TimeDelta::days(14));
        clock.set(t0);
        assert_eq!(clock.now(), t0);
        assert!(clock.reading().frozen);
    }

    #[test]
    fn a_running_clock_keeps_its_offset_and_resumes_from_where_it_stood() {
        let clock = EmulatorClock::system();
        clock.advance(TimeDelta::days(3));
        let ahead = clock.now() - Utc::now();
        assert!(
            (ahead - TimeDelta::days(3)).abs() < TimeDelta::seconds(5),
            "{ahead}"
        );
        clock.freeze();
        let stopped = clock.now();
        clock.resume();
        assert!((clock.now() - stopped).abs() < TimeDelta::seconds(5));
        assert!(!clock.reading().frozen);
        clock.reset();
        assert!((clock.now() - Utc::now()).abs() < TimeDelta::seconds(5));
    }
}
