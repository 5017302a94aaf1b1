//! The distributions checked over many seeded draws: mean, spread and a
//! Kolmogorov–Smirnov bound against each one's exact distribution function.
//! The draws are seeded, so each check gives the same answer every run.

use super::*;

/// Draws per check: enough for tight bounds, fast in a debug build.
const N: u32 = 20_000;

/// The Kolmogorov–Smirnov critical value at the 1 % level: a sample of the
/// right distribution stays below it 99 times in 100.
fn ks_bound(n: usize) -> f64 {
    1.63 / (n as f64).sqrt()
}

/// The error function, to 1.5e-7 (Abramowitz and Stegun 7.1.26).
fn erf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let y = 1.0 - poly * (-x * x).exp();
    if x >= 0.0 { y } else { -y }
}

/// The standard normal distribution function.
fn phi(z: f64) -> f64 {
    0.5 * (1.0 + erf(z / std::f64::consts::SQRT_2))
}

/// `draw`'s exact distribution function, in milliseconds.
fn cdf(draw: &Draw, x: f64) -> f64 {
    let (mean, sd) = (draw.mean.as_secs_f64() * 1e3, draw.sd.as_secs_f64() * 1e3);
    match draw.distribution {
        Distribution::Fixed => f64::from(u8::from(x >= mean)),
        Distribution::Uniform => {
            let half = sd * 3f64.sqrt();
            ((x - (mean - half)) / (2.0 * half)).clamp(0.0, 1.0)
        }
        Distribution::Normal if x < 0.0 => 0.0,
        Distribution::Normal => phi((x - mean) / sd),
        Distribution::Lognormal if x <= 0.0 => 0.0,
        Distribution::Lognormal => {
            let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
            let mu = mean.ln() - sigma2 / 2.0;
            phi((x.ln() - mu) / sigma2.sqrt())
        }
    }
}

/// The largest distance between the sample's and `draw`'s distribution
/// functions.
fn ks_distance(draw: &Draw, sample: &mut [f64]) -> f64 {
    sample.sort_by(f64::total_cmp);
    let n = sample.len() as f64;
    sample
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(draw, x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max)
}

fn mean_and_sd(sample: &[f64]) -> (f64, f64) {
    let n = sample.len() as f64;
    let mean = sample.iter().sum::<f64>() / n;
    let var = sample.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn draw(distribution: Distribution, mean_ms: u64, sd_ms: u64) -> Draw {
    Draw {
        distribution,
        mean: Duration::from_millis(mean_ms),
        sd: Duration::from_millis(sd_ms),
    }
}

/// Checks mean, spread and shape of `sample` against `d`.
fn check(d: &Draw, mut sample: Vec<f64>, what: &str) {
    let (mean, sd) = mean_and_sd(&sample);
    let (want_mean, want_sd) = (ms(d.mean), ms(d.sd));
    let n = sample.len() as f64;
    // Four standard errors: far outside what a right sample does.
    let mean_error = 4.0 * want_sd / n.sqrt();
    assert!(
        (mean - want_mean).abs() <= mean_error,
        "{what}: mean {mean:.3} ms, want {want_mean} ± {mean_error:.3}"
    );
    assert!(
        (sd / want_sd - 1.0).abs() <= 0.04,
        "{what}: sd {sd:.3} ms, want {want_sd} within 4 %"
    );
    let distance = ks_distance(d, &mut sample);
    let bound = ks_bound(sample.len());
    assert!(
        distance <= bound,
        "{what}: Kolmogorov–Smirnov distance {distance:.4} over {bound:.4}"
    );
}

#[test]
fn each_distribution_has_its_mean_spread_and_shape_over_the_tokens_of_a_stream() {
    for distribution in [
        Distribution::Uniform,
        Distribution::Normal,
        Distribution::Lognormal,
    ] {
        let d = draw(distribution, 30, 8);
        let sample = (0..N).map(|i| ms(d.seeded(7, Variable::Gap, i))).collect();
        check(&d, sample, &format!("{distribution:?} gaps of one stream"));
    }
}

#[test]
fn each_distribution_has_its_mean_spread_and_shape_across_seeds() {
    for distribution in [
        Distribution::Uniform,
        Distribution::Normal,
        Distribution::Lognormal,
    ] {
        let d = draw(distribution, 400, 150);
        let sample = (0..u64::from(N))
            .map(|seed| ms(d.seeded(seed, Variable::Ttft, 0)))
            .collect();
        check(&d, sample, &format!("{distribution:?} TTFT across seeds"));
    }
}

#[test]
fn a_wide_lognormal_keeps_its_long_tail() {
    let d = draw(Distribution::Lognormal, 600, 900);
    let mut sample: Vec<f64> = (0..N)
        .map(|i| ms(d.seeded(3, Variable::StallPause, i)))
        .collect();
    let distance = ks_distance(&d, &mut sample);
    assert!(distance <= ks_bound(sample.len()), "distance {distance}");
    let median = sample[sample.len() / 2];
    assert!(
        median < 400.0,
        "the median {median} lies well below the mean"
    );
    assert!(sample[0] > 0.0, "never 0 or below");
}

#[test]
fn a_normal_near_zero_is_clamped_at_zero() {
    let d = draw(Distribution::Normal, 5, 10);
    let sample: Vec<f64> = (0..N).map(|i| ms(d.seeded(1, Variable::Gap, i))).collect();
    assert!(sample.iter().all(|&x| x >= 0.0));
    // P(X < 0) for a normal of mean 5 and sd 10 is Φ(−0.5).
    let zeros = sample.iter().filter(|&&x| x == 0.0).count() as f64 / f64::from(N);
    let p = phi(-0.5);
    let error = 4.0 * (p * (1.0 - p) / f64::from(N)).sqrt();
    assert!((zeros - p).abs() <= error, "{zeros} at 0, want {p:.4}");
}

#[test]
fn fixed_or_no_spread_is_always_the_mean() {
    for d in [
        draw(Distribution::Fixed, 30, 8),
        draw(Distribution::Lognormal, 30, 0),
        draw(Distribution::Normal, 30, 0),
    ] {
        for i in 0..100 {
            assert_eq!(d.seeded(i.into(), Variable::Gap, i), d.mean, "{d:?}");
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_draws_and_variables_are_independent() {
    let d = draw(Distribution::Lognormal, 30, 8);
    let of = |seed, variable| -> Vec<Duration> {
        (0..64).map(|i| d.seeded(seed, variable, i)).collect()
    };
    assert_eq!(of(5, Variable::Gap), of(5, Variable::Gap));
    assert_ne!(of(5, Variable::Gap), of(6, Variable::Gap));
    assert_ne!(of(5, Variable::Gap), of(5, Variable::StallPause));
}

#[test]
fn names_round_trip() {
    for (name, distribution) in Distribution::NAMES {
        assert_eq!(distribution.as_str(), name);
    }
}
