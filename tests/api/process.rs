//! The real binary as a child process: start it on port 0, read its log,
//! send it signals.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

pub struct Process {
    pub child: Child,
    pub port: u16,
    log: Receiver<String>,
    /// Lines already read by [`Process::wait_for_log`].
    seen: Vec<String>,
}

impl Process {
    /// Starts `trickle ARGS` (on `--port 0` unless ARGS name a port) with
    /// `env`, and waits for its address.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Process {
        Process::spawn(Command::new(env!("CARGO_BIN_EXE_trickle")), args, env)
    }

    /// As [`Process::start`], under an open-file limit (soft and hard) of
    /// `files`, set by util-linux's `prlimit`.
    pub fn start_with_file_limit(files: u64, args: &[&str], env: &[(&str, &str)]) -> Process {
        let mut command = Command::new("prlimit");
        command
            .arg(format!("--nofile={files}:{files}"))
            .arg(env!("CARGO_BIN_EXE_trickle"));
        Process::spawn(command, args, env)
    }

    fn spawn(mut command: Command, args: &[&str], env: &[(&str, &str)]) -> Process {
        let port_given = args.contains(&"--port");
        let mut child = command
            .args(if port_given {
                &[][..]
            } else {
                &["--port", "0"][..]
            })
            .args(args)
            .envs(env.iter().copied())
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, log) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut process = Process {
            child,
            port: 0,
            log,
            seen: Vec::new(),
        };
        let line = process.wait_for_log("listening on http://");
        let port = line.rsplit(':').next().and_then(|p| p.trim().parse().ok());
        process.port = port.unwrap_or_else(|| panic!("no port in {line:?}"));
        process
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The first log line from now on that contains `text` (bounded wait).
    pub fn wait_for_log(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.log.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no log line with {text:?} within 30 s");
    }

    /// A line read so far (by [`Process::wait_for_log`]) that contains `text`.
    pub fn logged(&self, text: &str) -> Option<&str> {
        self.seen
            .iter()
            .find(|line| line.contains(text))
            .map(String::as_str)
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name}");
    }

    /// Waits (bounded) for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> (ExitStatus, Duration) {
        let start = Instant::now();
        while start.elapsed() < limit + Duration::from_secs(20) {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                let took = start.elapsed();
                // Keep the last lines for `logged` (the reader thread ends
                // when stderr closes, so this is bounded).
                self.seen.extend(self.log.iter());
                return (status, took);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the process did not exit");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
