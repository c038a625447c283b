//! Injected time. Production reads the runtime's clock; tests pass a fixed instant, so expiry
//! and retention rules are checked without waiting and without a backdoor in the build.

use chrono::{DateTime, Utc};

pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

/// The Workers runtime clock (`Date.now()`; it advances on I/O, which is all we need).
pub struct RuntimeClock;

impl Clock for RuntimeClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(js_sys::Date::now() as i64).expect("runtime clock in range")
    }
}

#[cfg(test)]
pub struct FixedClock(pub DateTime<Utc>);

#[cfg(test)]
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
