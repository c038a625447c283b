//! Fixed-window counting, pure, with time passed in.

use std::collections::HashMap;

/// Counts per key in the current minute.
#[derive(Default)]
pub struct Windows {
    minute: i64,
    counts: HashMap<String, u32>,
}

/// `Ok(())` or `Err(seconds until the window resets)`.
impl Windows {
    pub fn hit(&mut self, key: &str, limit: u32, now_ms: i64) -> Result<(), u32> {
        let minute = now_ms.div_euclid(60_000);
        if minute != self.minute {
            self.minute = minute;
            self.counts.clear();
        }
        let count = self.counts.entry(key.to_owned()).or_insert(0);
        if *count >= limit {
            let left_ms = 60_000 - now_ms.rem_euclid(60_000);
            return Err(((left_ms + 999) / 1000) as u32);
        }
        *count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key_and_resets_each_minute() {
        let mut w = Windows::default();
        let t = 1_800_000_000_000; // a minute boundary
        assert!(w.hit("a", 2, t).is_ok());
        assert!(w.hit("a", 2, t + 1).is_ok());
        assert_eq!(w.hit("a", 2, t + 15_000), Err(45));
        assert!(w.hit("b", 2, t + 15_000).is_ok(), "keys are independent");
        assert!(w.hit("a", 2, t + 60_000).is_ok(), "a new minute starts afresh");
    }
}
