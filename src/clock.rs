//! Injectable time. Two clocks run in the emulator: the *emulator clock* drives handshake times
//! and expiry and can be frozen, set and advanced from the control plane; the *wall clock*
//! checks signature timestamps, because SDKs sign with real time. Both are [`Clock`]s, so tests
//! can pin either one.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc};
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// The earliest instant the emulator clock may show.
pub const EARLIEST: DateTime<Utc> = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(date) => date.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
    None => panic!("a valid date"),
};
/// The latest instant the emulator clock may show: a year before the end of four-digit years, so
/// that every time derived from it (an expiry 14 days on, a retention 30 days on) still has four
/// digits on the wire and in an exported state document that must import again.
pub const LATEST: DateTime<Utc> = match NaiveDate::from_ymd_opt(9999, 1, 1) {
    Some(date) => date.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
    None => panic!("a valid date"),
};

/// A change that would move the emulator clock outside [`EARLIEST`, `LATEST`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the emulator clock must stay between 1970-01-01T00:00:00Z and 9999-01-01T00:00:00Z")]
pub struct OutOfRange;

/// A time on the wire: UTC, whole seconds, `Z` (`2026-11-22T08:00:00Z`). Both clouds write
/// their handshake times this way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireTime(pub DateTime<Utc>);

impl fmt::Display for WireTime {
    // By hand: chrono's strftime parses its format string on every call, on every response.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

impl serde::Serialize for WireTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The wire form of a time, as a string.
#[must_use]
pub fn wire_time(at: DateTime<Utc>) -> String {
    WireTime(at).to_string()
}

fn in_range(at: DateTime<Utc>) -> Result<DateTime<Utc>, OutOfRange> {
    if (EARLIEST..=LATEST).contains(&at) {
        Ok(at)
    } else {
        Err(OutOfRange)
    }
}

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
        self.frozen.unwrap_or_else(|| {
            // The offset was checked when set; only centuries of uptime could overflow it.
            Utc::now()
                .checked_add_signed(self.offset)
                .unwrap_or(LATEST)
                .clamp(EARLIEST, LATEST)
        })
    }
}

/// How the emulator clock is set, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClockSetting {
    /// Seconds ahead of system time (running clock).
    pub offset_seconds: i64,
    /// The instant time stands still at (frozen clock), in Unix seconds.
    pub frozen_unix: Option<i64>,
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
    /// Out of range, the clock is left as it was.
    pub fn set(&self, at: DateTime<Utc>) -> Result<(), OutOfRange> {
        let at = in_range(at)?;
        let system = Utc::now();
        self.with(|s| match &mut s.frozen {
            Some(frozen) => *frozen = at,
            None => s.offset = at - system,
        });
        Ok(())
    }

    /// Moves the clock by `by` (negative goes back). Out of range, the clock is left as it was.
    pub fn advance(&self, by: TimeDelta) -> Result<(), OutOfRange> {
        self.with(|s| {
            let moved = s.now().checked_add_signed(by).ok_or(OutOfRange)?;
            in_range(moved)?;
            match &mut s.frozen {
                Some(frozen) => *frozen = moved,
                None => s.offset = s.offset.checked_add(&by).ok_or(OutOfRange)?,
            }
            Ok(())
        })
    }

    /// Back to system time, running.
    pub fn reset(&self) {
        self.with(|s| *s = Setting::default());
    }

    /// How the clock is set: its offset from system time, or the instant it is frozen at (what
    /// a durable store keeps across restarts).
    #[must_use]
    pub fn setting(&self) -> ClockSetting {
        let setting = self.with(|s| *s);
        ClockSetting {
            offset_seconds: setting.offset.num_seconds(),
            frozen_unix: setting.frozen.map(|at| at.timestamp()),
        }
    }

    /// Sets the clock as `setting` says, if it is in range.
    pub fn restore(&self, setting: ClockSetting) -> Result<(), OutOfRange> {
        let offset = TimeDelta::try_seconds(setting.offset_seconds).ok_or(OutOfRange)?;
        let frozen = setting
            .frozen_unix
            .map(|seconds| DateTime::from_timestamp(seconds, 0).ok_or(OutOfRange))
            .transpose()?;
        let restored = Setting {
            offset,
            frozen: frozen.map(in_range).transpose()?,
        };
        in_range(restored.now())?;
        self.with(|s| *s = restored);
        Ok(())
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
        clock.advance(TimeDelta::days(14)).unwrap();
        assert_eq!(clock.now(), t0 + TimeDelta::days(14));
        clock.set(t0).unwrap();
        assert_eq!(clock.now(), t0);
        assert!(clock.reading().frozen);
    }

    #[test]
    fn a_running_clock_keeps_its_offset_and_resumes_from_where_it_stood() {
        let clock = EmulatorClock::system();
        clock.advance(TimeDelta::days(3)).unwrap();
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

    #[test]
    fn a_change_out_of_range_is_refused_and_leaves_the_clock_as_it_was() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        for clock in [EmulatorClock::frozen_at(t0), EmulatorClock::system()] {
            let before = clock.reading();
            assert_eq!(clock.advance(TimeDelta::days(100_000_000)), Err(OutOfRange));
            assert_eq!(clock.advance(TimeDelta::MAX), Err(OutOfRange));
            assert_eq!(clock.advance(TimeDelta::days(-30_000)), Err(OutOfRange));
            assert_eq!(clock.set(LATEST + TimeDelta::days(1)), Err(OutOfRange));
            assert_eq!(clock.reading().frozen, before.frozen);
            assert!((clock.now() - before.now).abs() < TimeDelta::seconds(5));
        }
    }

    #[test]
    fn wire_times_are_whole_seconds_with_a_z() {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 5).unwrap();
        assert_eq!(wire_time(at), "2026-11-22T08:00:05Z");
    }
}
