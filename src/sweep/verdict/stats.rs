//! The statistics of the verdict: the paired difference over seeds and its 95 %
//! t-interval (mean ± t(0.975, n − 1) · sd / √n).

use serde::Serialize;

use super::Score;
use crate::sweep::Stat;

/// AYLA minus Normal test accuracy, paired by seed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    pub mean: f64,
    /// The sample standard deviation of the per-seed differences; none for one seed.
    pub std: Option<f64>,
    pub n: usize,
    /// The 95 % t-interval (mean ± t(0.975, n − 1) · sd / √n); none for one seed.
    pub interval: Option<(f64, f64)>,
}

/// AYLA's test accuracy minus Normal's, over the seeds where both have one.
pub fn difference(ayla: &[Score], normal: &[Score]) -> Option<Difference> {
    let pairs: Vec<f64> = ayla
        .iter()
        .filter_map(|a| {
            let n = normal.iter().find(|n| n.seed == a.seed)?;
            Some(a.test_accuracy? - n.test_accuracy?)
        })
        .collect();
    let stat = Stat::of(&pairs)?;
    let interval = stat.std.map(|sd| {
        let half = t_975(stat.n - 1) * sd / (stat.n as f64).sqrt();
        (stat.mean - half, stat.mean + half)
    });
    Some(Difference {
        mean: stat.mean,
        std: stat.std,
        n: stat.n,
        interval,
    })
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (two-sided 95 %), from
/// the standard tables for 1 to 30, then the normal quantile's Cornish–Fisher expansion
/// (within 2·10⁻⁴ of the exact value from 31 on).
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        _ => {
            let (z, v): (f64, f64) = (1.959_964, df as f64);
            z + (z.powi(3) + z) / (4.0 * v)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
        }
    }
}
