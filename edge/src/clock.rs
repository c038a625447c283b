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
        DateTime::from_timestamp_millis(js_sys::Date::now() as i64 + offset_ms()).expect("runtime clock in range")
    }
}

#[cfg(feature = "demo-clock")]
thread_local! {
    static OFFSET_MS: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

/// Reads the demo's clock offset. Only builds with the `demo-clock` feature (the local demo and
/// the end-to-end tests) have one: a production build has no way to move its clock.
pub fn init(_env: &worker::Env) {
    #[cfg(feature = "demo-clock")]
    {
        let days =
            _env.var("ACCORD_DEMO_CLOCK_OFFSET_DAYS").ok().and_then(|v| v.to_string().parse::<i64>().ok()).unwrap_or(0);
        OFFSET_MS.with(|o| o.set(days * 86_400_000));
    }
}

fn offset_ms() -> i64 {
    #[cfg(feature = "demo-clock")]
    {
        OFFSET_MS.with(|o| o.get())
    }
    #[cfg(not(feature = "demo-clock"))]
    {
        0
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
