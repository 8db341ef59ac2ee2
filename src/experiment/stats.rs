//! Summaries of a distribution of times: the numbers every experiment prints.
//!
//! Percentiles use the nearest-rank definition: the p-th percentile of n
//! sorted samples is the sample at rank ceil(p/100 * n) (1-based), so every
//! reported number is a time one trial actually took, exact to the
//! microsecond. The median is the 50th percentile in that sense (the lower
//! middle sample when n is even). The mean is rounded to the microsecond.

use crate::json::json_num;
use crate::protocol::Micros;
use crate::time::MsJson;

/// One trial's result: how long it took, or, if it had not finished when the
/// experiment's cap ran out, how long it ran (a lower bound).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub us: Micros,
    pub resolved: bool,
}

impl Sample {
    /// The form handed to JavaScript: the time in microseconds, negative for
    /// a trial that hit the cap (its absolute value is the time it ran).
    pub fn to_f64(self) -> f64 {
        if self.resolved {
            self.us as f64
        } else {
            -(self.us as f64)
        }
    }

    /// The inverse of [`Sample::to_f64`]; None for a value that is not a
    /// whole number of microseconds.
    pub fn from_f64(v: f64) -> Option<Sample> {
        if !v.is_finite() || v.fract() != 0.0 || v.abs() > 9.0e15 {
            return None;
        }
        Some(Sample {
            us: v.abs() as Micros,
            resolved: v >= 0.0,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub trials: usize,
    pub min: Micros,
    pub median: Micros,
    pub mean: Micros,
    pub p90: Micros,
    pub p99: Micros,
    pub max: Micros,
    /// Trials that hit the cap; they count with the time they ran, so every
    /// statistic is then a lower bound.
    pub unresolved: usize,
}

/// The sample at nearest rank ceil(p/100 * n) of a sorted, non-empty slice.
pub fn percentile(sorted: &[Micros], p: u32) -> Micros {
    assert!(!sorted.is_empty(), "percentile of no samples");
    let n = sorted.len() as u64;
    let rank = (u64::from(p) * n).div_ceil(100).max(1);
    sorted[(rank - 1) as usize]
}

/// Summarises samples; None when there are none.
pub fn summarize(samples: &[Sample]) -> Option<Summary> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted: Vec<Micros> = samples.iter().map(|s| s.us).collect();
    sorted.sort_unstable();
    let total: u128 = sorted.iter().map(|&u| u128::from(u)).sum();
    let n = sorted.len() as u128;
    let mean = ((total + n / 2) / n) as Micros;
    Some(Summary {
        trials: sorted.len(),
        min: sorted[0],
        median: percentile(&sorted, 50),
        mean,
        p90: percentile(&sorted, 90),
        p99: percentile(&sorted, 99),
        max: *sorted.last().expect("non-empty"),
        unresolved: samples.iter().filter(|s| !s.resolved).count(),
    })
}

impl Summary {
    /// `,"trials":n,"min_ms":..,...` (exact decimal milliseconds).
    pub fn write_json_fields(&self, out: &mut String) {
        json_num(out, "trials", self.trials);
        for (k, v) in self.named() {
            json_num(out, &format!("{k}_ms"), MsJson(v as i64));
        }
        if self.unresolved > 0 {
            json_num(out, "unresolved", self.unresolved);
        }
    }

    /// (name, value) for min, median, mean, p90, p99, max, in that order.
    pub fn named(&self) -> [(&'static str, Micros); 6] {
        [
            ("min", self.min),
            ("median", self.median),
            ("mean", self.mean),
            ("p90", self.p90),
            ("p99", self.p99),
            ("max", self.max),
        ]
    }

    pub fn get(&self, stat: Stat) -> Micros {
        match stat {
            Stat::Min => self.min,
            Stat::Median => self.median,
            Stat::Mean => self.mean,
            Stat::P90 => self.p90,
            Stat::P99 => self.p99,
            Stat::Max => self.max,
        }
    }
}

/// A statistic a paper may state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    Min,
    Median,
    Mean,
    P90,
    P99,
    Max,
}

impl Stat {
    pub fn as_str(self) -> &'static str {
        match self {
            Stat::Min => "min",
            Stat::Median => "median",
            Stat::Mean => "mean",
            Stat::P90 => "p90",
            Stat::P99 => "p99",
            Stat::Max => "max",
        }
    }
}

/// Milliseconds for tables: whole ms at and above 100 ms, one decimal below.
pub fn ms_cell(us: Micros) -> String {
    if us >= 100_000 {
        format!("{}", (us + 500) / 1000)
    } else {
        format!("{:.1}", us as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[Micros]) -> Vec<Sample> {
        v.iter().map(|&us| Sample { us, resolved: true }).collect()
    }

    #[test]
    fn nearest_rank_percentiles_are_samples() {
        let v: Vec<Micros> = (1..=1000).collect();
        assert_eq!(percentile(&v, 50), 500);
        assert_eq!(percentile(&v, 90), 900);
        assert_eq!(percentile(&v, 99), 990);
        assert_eq!(percentile(&v, 100), 1000);
        assert_eq!(percentile(&[7], 99), 7);
        // 100 samples: p99 is the 99th, not the maximum.
        let h: Vec<Micros> = (1..=100).collect();
        assert_eq!(percentile(&h, 99), 99);
        assert_eq!(percentile(&[1, 2, 3, 4], 50), 2, "lower middle for even n");
    }

    #[test]
    fn summary_of_known_samples() {
        let sum = summarize(&s(&[5, 1, 4, 2, 3])).unwrap();
        assert_eq!(
            (sum.trials, sum.min, sum.median, sum.mean, sum.max),
            (5, 1, 3, 3, 5)
        );
        assert_eq!(
            summarize(&s(&[1, 2])).unwrap().mean,
            2,
            "1.5 rounds half up"
        );
        assert!(summarize(&[]).is_none());
        let mut out = String::new();
        summarize(&s(&[1_500, 287_000]))
            .unwrap()
            .write_json_fields(&mut out);
        assert_eq!(out, ",\"trials\":2,\"min_ms\":1.5,\"median_ms\":1.5,\"mean_ms\":144.25,\"p90_ms\":287,\"p99_ms\":287,\"max_ms\":287");
    }

    #[test]
    fn unresolved_samples_round_trip_through_js_numbers() {
        let a = Sample {
            us: 12_345,
            resolved: false,
        };
        assert_eq!(a.to_f64(), -12_345.0);
        assert_eq!(Sample::from_f64(a.to_f64()), Some(a));
        assert_eq!(
            Sample::from_f64(7.0),
            Some(Sample {
                us: 7,
                resolved: true
            })
        );
        assert_eq!(Sample::from_f64(1.5), None);
        assert_eq!(Sample::from_f64(f64::NAN), None);
        let sum = summarize(&[
            a,
            Sample {
                us: 1,
                resolved: true,
            },
        ])
        .unwrap();
        assert_eq!(sum.unresolved, 1);
    }

    #[test]
    fn table_cells() {
        assert_eq!(ms_cell(287_400), "287");
        assert_eq!(ms_cell(34_560), "34.6");
        assert_eq!(ms_cell(12_345_678), "12346");
    }
}
