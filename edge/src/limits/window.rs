//! Fixed-window counting, pure, with time passed in.

use std::collections::HashMap;

/// Counts per key in the current minute.
#[derive(Default)]
pub struct Windows {
    minute: i64,
    counts: HashMap<String, u32>,
}

impl Windows {
    /// Takes one unit from each `(key, limit)` counter, or from none when any is spent, so a
    /// refused request never uses up another budget. `Err(seconds until the window resets)`.
    pub fn hit_all(&mut self, hits: &[(&str, u32)], now_ms: i64) -> Result<(), u32> {
        self.room_in_all(hits, now_ms)?;
        for (key, _) in hits {
            *self.counts.entry((*key).to_owned()).or_insert(0) += 1;
        }
        Ok(())
    }

    /// Whether every counter has a unit left, taking none.
    pub fn room_in_all(&mut self, hits: &[(&str, u32)], now_ms: i64) -> Result<(), u32> {
        let minute = now_ms.div_euclid(60_000);
        if minute != self.minute {
            self.minute = minute;
            self.counts.clear();
        }
        if hits.iter().any(|(key, limit)| self.counts.get(*key).copied().unwrap_or(0) >= *limit) {
            let left_ms = 60_000 - now_ms.rem_euclid(60_000);
            return Err(((left_ms + 999) / 1000) as u32);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Windows {
        fn hit(&mut self, key: &str, limit: u32, now_ms: i64) -> Result<(), u32> {
            self.hit_all(&[(key, limit)], now_ms)
        }
    }

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

    #[test]
    fn all_counters_or_none() {
        let mut w = Windows::default();
        let t = 1_800_000_000_000;
        assert!(w.hit_all(&[("client-a", 1), ("site", 3)], t).is_ok());
        assert!(w.hit_all(&[("client-a", 1), ("site", 3)], t).is_err(), "the client's budget is spent");
        assert!(w.hit_all(&[("client-b", 1), ("site", 3)], t).is_ok(), "a refused request took nothing from the site");
        assert!(w.hit_all(&[("client-c", 1), ("site", 3)], t).is_ok());
        assert!(w.hit_all(&[("client-d", 1), ("site", 3)], t).is_err(), "the site's budget is spent");
        assert!(w.hit_all(&[("client-d", 1)], t).is_ok(), "and the refusal took nothing from the client");
    }

    #[test]
    fn peeking_takes_nothing() {
        let mut w = Windows::default();
        let t = 1_800_000_000_000;
        assert!(w.room_in_all(&[("a", 1)], t).is_ok());
        assert!(w.room_in_all(&[("a", 1)], t).is_ok());
        assert!(w.hit("a", 1, t).is_ok());
        assert!(w.room_in_all(&[("a", 1)], t).is_err());
    }
}
