//! The load generator's command line (`trickle bench …`), turned into
//! validated [`Options`].

use std::net::{IpAddr, SocketAddr, ToSocketAddrs as _};
use std::sync::Arc;
use std::time::Duration;

use crate::{Options, Request};

/// Load an SSE endpoint with many concurrent streams and report their timing.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The stream's URL (http only), e.g. http://127.0.0.1:8080/clock.
    pub url: String,
    /// HTTP method.
    #[arg(short = 'X', long, default_value = "GET")]
    pub method: String,
    /// Request body; sent as application/json unless a content-type header is given.
    #[arg(short = 'd', long)]
    pub body: Option<String>,
    /// Extra request header "Name: value" (repeatable).
    #[arg(short = 'H', long = "header")]
    pub headers: Vec<String>,
    /// Concurrent streams to open (each once).
    #[arg(short = 'c', long, default_value_t = 100)]
    pub streams: usize,
    /// Streams each of the -c clients opens, one after another: the
    /// concurrency stays at -c (a closed loop) and -c × rounds streams run
    /// in all. A client whose stream fails starts its next one at once.
    #[arg(short = 'r', long, default_value_t = 1)]
    pub rounds: usize,
    /// New streams per second while ramping up; 0 opens them all at once.
    #[arg(long, default_value_t = 1000.0)]
    pub ramp: f64,
    /// Bound on the whole run in seconds; streams still open then are cut.
    #[arg(short = 't', long, default_value_t = 300)]
    pub time_bound_s: u64,
    /// The gap the server promises between events, in milliseconds. Enables
    /// lateness (event k's arrival minus first-event arrival + k × gap) and
    /// drift (a stream's first-to-last-event time against (events − 1) × gap).
    #[arg(short = 'g', long)]
    pub expected_gap_ms: Option<u64>,
    /// Paced events each stream must bring: a stream that ends cleanly with
    /// any other number counts as failed (e.g. 30 for a 30-tick clock).
    #[arg(short = 'n', long)]
    pub expect_events: Option<u64>,
    /// The event type the schedule applies to; others (e.g. `meta`, `done`)
    /// are counted but left out of gaps, lateness and drift.
    #[arg(long, default_value = "message")]
    pub paced_event: String,
    /// Data the schedule leaves out (repeatable): an event of the paced type
    /// whose data contains this text is counted but not paced, e.g.
    /// `[DONE]` or an OpenAI role chunk a server sends with its first token.
    #[arg(long = "unpaced-data")]
    pub unpaced_data: Vec<String>,
    /// Leave each stream after this many paced events: close the connection
    /// mid-stream, as a client that goes away does. Such a stream counts as
    /// completed.
    #[arg(long, conflicts_with_all = ["expect_events", "resume_after"])]
    pub leave_after: Option<u64>,
    /// Drop each stream after this many paced events and reconnect at once
    /// with `Last-Event-ID` set to the last id seen, reading the rest there:
    /// `-n` then counts the paced events of both connections together.
    #[arg(long)]
    pub resume_after: Option<u64>,
    /// Local source addresses to connect from, in turn: one address or a
    /// range like 127.0.0.1-127.0.0.50 (about 28k connections per address).
    #[arg(long)]
    pub source: Option<String>,
    /// PID of the server, to report its peak RSS, RSS per stream and CPU time.
    #[arg(long)]
    pub pid: Option<u32>,
    /// Print the final report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// No live progress line.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

impl Args {
    /// Checks the arguments; the error says what to change.
    pub fn options(&self) -> Result<Options, String> {
        let target = Target::parse(&self.url)?;
        let method = self.method.to_ascii_uppercase();
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(format!(
                "invalid method: {:?} (use e.g. GET or POST)",
                self.method
            ));
        }
        let mut head = format!(
            "{method} {} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\nConnection: close\r\n",
            target.path, target.authority
        );
        for header in &self.headers {
            let Some((name, value)) = header.split_once(':') else {
                return Err(format!("invalid header: {header:?} (use \"Name: value\")"));
            };
            head.push_str(&format!("{}: {}\r\n", name.trim(), value.trim()));
        }
        let body = self.body.clone().unwrap_or_default();
        let typed = self
            .headers
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("content-type"));
        if self.body.is_some() {
            if !typed {
                head.push_str("Content-Type: application/json\r\n");
            }
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        head.push_str(&body);
        if self.streams == 0 {
            return Err("invalid streams: 0 (use 1 or more)".into());
        }
        if self.leave_after == Some(0) || self.resume_after == Some(0) {
            return Err("invalid --leave-after/--resume-after: 0 (use 1 or more)".into());
        }
        if self.rounds == 0 {
            return Err("invalid rounds: 0 (use 1 or more)".into());
        }
        Ok(Options {
            request: Request {
                address: target.address,
                bytes: Arc::from(head.into_bytes()),
                paced: Arc::from(self.paced_event.as_str()),
                unpaced_data: self
                    .unpaced_data
                    .iter()
                    .map(|t| Arc::from(t.as_str()))
                    .collect(),
                leave_after: self.leave_after,
                resume_after: self.resume_after,
            },
            streams: self.streams,
            rounds: self.rounds,
            ramp_per_s: (self.ramp > 0.0).then_some(self.ramp),
            time_bound: Duration::from_secs(self.time_bound_s.max(1)),
            expected_gap: self.expected_gap_ms.map(Duration::from_millis),
            expected_events: self.expect_events,
            sources: match &self.source {
                Some(range) => source_range(range)?,
                None => Vec::new(),
            },
            pid: self.pid,
            progress: !self.quiet,
        })
    }
}

struct Target {
    address: SocketAddr,
    authority: String,
    path: String,
}

impl Target {
    fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("invalid url: {url:?} (use http://host:port/path)"))?;
        let (authority, path) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        let with_port = if authority
            .rsplit(':')
            .next()
            .is_some_and(|p| p.parse::<u16>().is_ok())
            && !authority.ends_with(']')
        {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        let address = with_port
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| format!("invalid url: cannot resolve {authority:?}"))?;
        Ok(Target {
            address,
            authority: authority.to_owned(),
            path: path.to_owned(),
        })
    }
}

/// `a.b.c.d` or `a.b.c.d-a.b.c.e` (IPv4, inclusive, at most 65,536 addresses).
pub fn source_range(text: &str) -> Result<Vec<IpAddr>, String> {
    let bad = || format!("invalid source: {text:?} (use 127.0.0.1 or 127.0.0.1-127.0.0.50)");
    let (from, to) = text.split_once('-').unwrap_or((text, text));
    let from: std::net::Ipv4Addr = from.trim().parse().map_err(|_| bad())?;
    let to: std::net::Ipv4Addr = to.trim().parse().map_err(|_| bad())?;
    let (from, to) = (u32::from(from), u32::from(to));
    if to < from || to - from >= 65_536 {
        return Err(bad());
    }
    Ok((from..=to).map(|n| IpAddr::V4(n.into())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_range_lists_every_address_in_it() {
        let ips = source_range("127.0.0.1-127.0.0.50").unwrap();
        assert_eq!(ips.len(), 50);
        assert_eq!(ips[49].to_string(), "127.0.0.50");
        assert_eq!(source_range("10.0.0.7").unwrap().len(), 1);
    }

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn parse(line: &[&str]) -> Result<Args, clap::Error> {
        use clap::Parser as _;
        Cli::try_parse_from(std::iter::once("bench").chain(line.iter().copied())).map(|c| c.args)
    }

    #[test]
    fn leaving_and_resuming_are_read_and_checked() {
        let url = "http://127.0.0.1:8080/clock";
        let args = parse(&[
            url,
            "--resume-after",
            "4",
            "-n",
            "10",
            "--unpaced-data",
            "[DONE]",
        ])
        .unwrap();
        let options = args.options().unwrap();
        assert_eq!(options.request.resume_after, Some(4));
        assert_eq!(&*options.request.unpaced_data[0], "[DONE]");
        assert!(
            parse(&[url, "--leave-after", "3", "-n", "10"]).is_err(),
            "leaving cannot expect a count"
        );
        assert!(parse(&[url, "--leave-after", "3", "--resume-after", "3"]).is_err());
        assert!(
            parse(&[url, "--leave-after", "0"])
                .unwrap()
                .options()
                .is_err()
        );
    }

    #[test]
    fn bad_source_ranges_are_rejected() {
        for (text, why) in [
            ("127.0.0.9-127.0.0.1", "backwards"),
            ("localhost", "not an address"),
            ("10.0.0.0-10.2.0.0", "too many"),
        ] {
            assert!(source_range(text).is_err(), "{why}");
        }
    }
}
