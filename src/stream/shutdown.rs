//! The server's shutdown as paced streams watch it, once per poll, without
//! taking a lock.
//!
//! A `CancellationToken` alone would do, but asking it whether it is
//! cancelled locks a mutex that every stream shares, and a stream asks on
//! every event. So a flag is raised before the token is cancelled: a poll
//! reads the flag, and goes to the token only to register a new waker, which
//! the token wakes when it is cancelled.

use std::future::Future as _;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Waker};

use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

/// Ends every stream that watches it; cloned, it is the same shutdown.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    token: CancellationToken,
    raised: Arc<AtomicBool>,
}

impl Shutdown {
    /// Shuts down: each watching stream is woken and sends its final event.
    pub fn trigger(&self) {
        self.raised.store(true, Ordering::Release);
        self.token.cancel();
    }

    /// What one stream watches.
    pub fn watch(&self) -> ShutdownWatch {
        ShutdownWatch {
            raised: Arc::clone(&self.raised),
            wait: Box::pin(self.token.clone().cancelled_owned()),
            registered: None,
        }
    }
}

/// One stream's view of a [`Shutdown`].
pub struct ShutdownWatch {
    raised: Arc<AtomicBool>,
    wait: Pin<Box<WaitForCancellationFutureOwned>>,
    /// The waker the token holds for this stream.
    registered: Option<Waker>,
}

impl ShutdownWatch {
    /// True once the shutdown is triggered; otherwise `cx`'s task is woken
    /// when it is.
    pub fn is_shutting_down(&mut self, cx: &mut Context<'_>) -> bool {
        if self.raised.load(Ordering::Acquire) {
            return true;
        }
        if (self.registered.as_ref()).is_some_and(|waker| waker.will_wake(cx.waker())) {
            return false;
        }
        self.registered = Some(cx.waker().clone());
        self.wait.as_mut().poll(cx).is_ready()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    use super::*;

    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_watching_stream_is_woken_and_told_when_it_is_triggered() {
        let shutdown = Shutdown::default();
        let mut watch = shutdown.watch();
        let count = Arc::new(Count::default());
        let waker = Waker::from(Arc::clone(&count));
        let mut cx = Context::from_waker(&waker);
        assert!(!watch.is_shutting_down(&mut cx));
        assert!(!watch.is_shutting_down(&mut cx), "still running");
        shutdown.clone().trigger();
        assert_eq!(count.0.load(Ordering::SeqCst), 1, "woken once");
        assert!(watch.is_shutting_down(&mut cx));
    }

    #[test]
    fn a_stream_that_starts_after_the_trigger_sees_it_at_once() {
        let shutdown = Shutdown::default();
        shutdown.trigger();
        let mut watch = shutdown.watch();
        assert!(watch.is_shutting_down(&mut Context::from_waker(Waker::noop())));
    }
}
