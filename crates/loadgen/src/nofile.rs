//! Raise this process's open-file soft limit to the hard limit, and work out
//! how many streams that leaves room for.

/// Descriptors kept back for the runtime, stdio and the /proc reads.
const RESERVED: u64 = 64;

/// Raises the limit and returns the streams it allows (`None` when the
/// platform cannot say).
pub fn raise() -> Option<usize> {
    let files = rlimit::increase_nofile_limit(u64::MAX).ok()?;
    Some(usize::try_from(files.saturating_sub(RESERVED)).unwrap_or(usize::MAX))
}
