//! Injected time. Production reads the runtime's clock (through [`crate::runtime::Runtime`]);
//! tests pass a fixed instant, so expiry and retention rules are checked without waiting and
//! without a backdoor in the build.

use chrono::{DateTime, Utc};

pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

#[cfg(test)]
pub struct FixedClock(pub DateTime<Utc>);

#[cfg(test)]
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
