//! Arguments as the command line gives them, and a bound on every wait.

use std::time::Duration;

use clap::Parser as _;
use trickle_loadgen::{Args, Options};

/// Longer than any test's run; a hang fails instead of stalling CI.
const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(clap::Parser)]
struct Line {
    #[command(flatten)]
    args: Args,
}

/// Parses `trickle bench ARGS…` (without the program name).
pub fn args(line: &[&str]) -> Args {
    Line::try_parse_from(std::iter::once("bench").chain(line.iter().copied()))
        .expect("the arguments parse")
        .args
}

/// Parses and validates `trickle bench ARGS…`.
pub fn options(line: &[&str]) -> Options {
    args(line).options().expect("the arguments are valid")
}

/// Awaits `future`, failing the test after [`TIMEOUT`].
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: timed out after {TIMEOUT:?}"))
}
