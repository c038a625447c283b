//! Median and spread of repeated measurements.

#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub runs: usize,
}

impl Spread {
    pub fn show(&self) -> String {
        format!("{:.1} [{:.1}–{:.1}]", self.median, self.min, self.max)
    }
}

pub fn spread(values: &[f64]) -> Spread {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return Spread { median: f64::NAN, min: f64::NAN, max: f64::NAN, runs: 0 };
    }
    let median = if v.len() % 2 == 1 { v[v.len() / 2] } else { (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0 };
    Spread { median, min: v[0], max: v[v.len() - 1], runs: v.len() }
}

/// The `p`th percentile (nearest rank) of sorted values; not a number when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() { f64::NAN } else { harness::load::percentile(sorted, p) }
}
