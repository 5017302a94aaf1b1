//! One stream over a plain HTTP/1.1 connection: connect (from a chosen local
//! address), send the request, read the status and headers, undo chunked
//! transfer encoding and hand the body to the SSE parser as it arrives.
//! Lean on purpose: one process holds tens of thousands of these.

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpSocket, TcpStream};

use crate::sse::Parser;
use crate::stats::{StreamEnd, StreamLog, Totals};
use crate::{Live, Request};

/// Largest response head accepted.
const MAX_HEAD: usize = 16 * 1024;

/// Runs one stream to its end and says how it ended. With `leave_after` it
/// closes the connection after that many paced events; with `resume_after`
/// it closes there and reads the rest on a new connection that sends
/// `Last-Event-ID` (a `204` there: nothing was left to send).
pub async fn stream(
    request: &Request,
    source: Option<IpAddr>,
    log: &mut StreamLog,
    totals: &Mutex<Totals>,
    live: &Live,
) -> StreamEnd {
    let first = request.leave_after.or(request.resume_after);
    let (bytes, stop) = (&request.bytes[..], first);
    match connection(request, bytes, source, stop, log, totals, live).await {
        Ok(Ended::Body) => StreamEnd::Completed,
        Ok(Ended::Stopped(_)) if request.resume_after.is_none() => StreamEnd::Completed,
        Ok(Ended::Stopped(last_id)) => {
            if last_id.is_empty() {
                return StreamEnd::Failed("no event id to resume from".into());
            }
            let again = request.resuming(&last_id);
            match connection(request, &again, source, None, log, totals, live).await {
                Ok(_) => StreamEnd::Completed,
                Err(reason) => StreamEnd::Failed(format!("resumed: {reason}")),
            }
        }
        Err(reason) => StreamEnd::Failed(reason),
    }
}

/// How one connection's body ended.
enum Ended {
    /// The server ended it (or answered `204`: nothing to send).
    Body,
    /// The client closed it after the paced events asked for; the last
    /// event id seen then.
    Stopped(String),
}

/// One request on its own connection, read until the body ends or until
/// `stop` paced events have arrived.
async fn connection(
    request: &Request,
    bytes: &[u8],
    source: Option<IpAddr>,
    stop: Option<u64>,
    log: &mut StreamLog,
    totals: &Mutex<Totals>,
    live: &Live,
) -> Result<Ended, String> {
    let tcp = connect(request.address, source)
        .await
        .map_err(|e| format!("connect: {}", e.kind()))?;
    let mut reader = BufReader::with_capacity(2048, tcp);
    reader
        .get_mut()
        .write_all(bytes)
        .await
        .map_err(|e| format!("write: {}", e.kind()))?;
    let head = read_head(&mut reader).await?;
    if head.status == 204 && bytes.len() != request.bytes.len() {
        return Ok(Ended::Body);
    }
    if head.status != 200 {
        return Err(format!("status {}", head.status));
    }
    let mut parser = Parser::default();
    let paced = std::sync::atomic::AtomicU64::new(0);
    let mut last_id = String::new();
    let mut on_event = |e: crate::sse::Event<'_>| {
        let is_paced = request.is_paced(e.event, e.data);
        log.event(Instant::now(), is_paced, totals);
        live.event();
        paced.fetch_add(u64::from(is_paced), std::sync::atomic::Ordering::Relaxed);
        if stop.is_some() {
            last_id.clear();
            last_id.push_str(e.id);
        }
    };
    let mut feed = |bytes: &[u8]| {
        parser.feed(bytes, &mut on_event);
        stop.is_some_and(|n| paced.load(std::sync::atomic::Ordering::Relaxed) >= n)
    };
    let stopped = match head.body {
        Body::Chunked => read_chunked(&mut reader, &mut feed).await,
        Body::Length(n) => read_plain(&mut reader, Some(n), &mut feed).await,
        Body::UntilClose => read_plain(&mut reader, None, &mut feed).await,
    }?;
    Ok(if stopped {
        Ended::Stopped(last_id)
    } else {
        Ended::Body
    })
}

async fn connect(to: SocketAddr, source: Option<IpAddr>) -> std::io::Result<TcpStream> {
    let socket = match to {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    if let Some(ip) = source {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let tcp = socket.connect(to).await?;
    tcp.set_nodelay(true)?;
    Ok(tcp)
}

enum Body {
    Chunked,
    Length(u64),
    UntilClose,
}

struct Head {
    status: u16,
    body: Body,
}

async fn read_head(reader: &mut BufReader<TcpStream>) -> Result<Head, String> {
    let mut raw = Vec::with_capacity(512);
    loop {
        let n = reader
            .read_until(b'\n', &mut raw)
            .await
            .map_err(|e| format!("read head: {}", e.kind()))?;
        if n == 0 {
            return Err("closed before the response head".into());
        }
        if raw.ends_with(b"\r\n\r\n") || raw.ends_with(b"\n\n") {
            break;
        }
        if raw.len() > MAX_HEAD {
            return Err("response head too large".into());
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(&raw) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err("malformed response head".into()),
    }
    let status = response.code.unwrap_or(0);
    let mut body = Body::UntilClose;
    for h in response.headers.iter() {
        let value = String::from_utf8_lossy(h.value);
        if h.name.eq_ignore_ascii_case("transfer-encoding")
            && value.to_ascii_lowercase().contains("chunked")
        {
            body = Body::Chunked;
        } else if h.name.eq_ignore_ascii_case("content-length") && !matches!(body, Body::Chunked) {
            let n = value.trim().parse().map_err(|_| "bad content-length")?;
            body = Body::Length(n);
        }
    }
    Ok(Head { status, body })
}

/// Reads a chunked body into `feed` until it ends (`false`) or `feed` asks
/// to stop (`true`).
async fn read_chunked(
    reader: &mut BufReader<TcpStream>,
    feed: &mut impl FnMut(&[u8]) -> bool,
) -> Result<bool, String> {
    let mut line = Vec::with_capacity(32);
    let mut buf = [0u8; 2048];
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| format!("read: {}", e.kind()))?;
        if n == 0 {
            return Err("closed before the last chunk".into());
        }
        let text = String::from_utf8_lossy(&line);
        let size = text.split(';').next().unwrap_or("").trim();
        let mut left = u64::from_str_radix(size, 16).map_err(|_| "bad chunk size")?;
        if left == 0 {
            // Trailers, if any, end at a blank line; the body is complete.
            return Ok(false);
        }
        while left > 0 {
            let want = buf.len().min(usize::try_from(left).unwrap_or(buf.len()));
            let n = reader
                .read(&mut buf[..want])
                .await
                .map_err(|e| format!("read: {}", e.kind()))?;
            if n == 0 {
                return Err("closed inside a chunk".into());
            }
            if feed(&buf[..n]) {
                return Ok(true);
            }
            left -= n as u64;
        }
        line.clear();
        reader
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| format!("read: {}", e.kind()))?;
    }
}

/// Reads a plain body (`left` bytes, or until close) like [`read_chunked`].
async fn read_plain(
    reader: &mut BufReader<TcpStream>,
    mut left: Option<u64>,
    feed: &mut impl FnMut(&[u8]) -> bool,
) -> Result<bool, String> {
    let mut buf = [0u8; 2048];
    loop {
        if left == Some(0) {
            return Ok(false);
        }
        let n = reader
            .read(&mut buf)
            .await
            .map_err(|e| format!("read: {}", e.kind()))?;
        if n == 0 {
            return match left {
                None => Ok(false),
                Some(_) => Err("closed before content-length bytes".into()),
            };
        }
        if feed(&buf[..n]) {
            return Ok(true);
        }
        left = left.map(|l| l.saturating_sub(n as u64));
    }
}
