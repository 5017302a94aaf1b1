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

/// Runs one stream to its end and says how it ended.
pub async fn stream(
    request: &Request,
    source: Option<IpAddr>,
    log: &mut StreamLog,
    totals: &Mutex<Totals>,
    live: &Live,
) -> StreamEnd {
    let tcp = match connect(request.address, source).await {
        Ok(tcp) => tcp,
        Err(e) => return StreamEnd::Failed(format!("connect: {}", e.kind())),
    };
    let mut reader = BufReader::with_capacity(2048, tcp);
    if let Err(e) = reader.get_mut().write_all(&request.bytes).await {
        return StreamEnd::Failed(format!("write: {}", e.kind()));
    }
    let head = match read_head(&mut reader).await {
        Ok(head) => head,
        Err(reason) => return StreamEnd::Failed(reason),
    };
    if head.status != 200 {
        return StreamEnd::Failed(format!("status {}", head.status));
    }
    let mut parser = Parser::default();
    let mut on_event = |e: crate::sse::Event<'_>| {
        log.event(Instant::now(), e.event == &*request.paced, totals);
        live.event();
    };
    let mut feed = |bytes: &[u8]| parser.feed(bytes, &mut on_event);
    let read = match head.body {
        Body::Chunked => read_chunked(&mut reader, &mut feed).await,
        Body::Length(n) => read_plain(&mut reader, Some(n), &mut feed).await,
        Body::UntilClose => read_plain(&mut reader, None, &mut feed).await,
    };
    match read {
        Ok(()) => StreamEnd::Completed,
        Err(reason) => StreamEnd::Failed(reason),
    }
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

async fn read_chunked(
    reader: &mut BufReader<TcpStream>,
    feed: &mut impl FnMut(&[u8]),
) -> Result<(), String> {
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
            return Ok(());
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
            feed(&buf[..n]);
            left -= n as u64;
        }
        line.clear();
        reader
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| format!("read: {}", e.kind()))?;
    }
}

async fn read_plain(
    reader: &mut BufReader<TcpStream>,
    mut left: Option<u64>,
    feed: &mut impl FnMut(&[u8]),
) -> Result<(), String> {
    let mut buf = [0u8; 2048];
    loop {
        if left == Some(0) {
            return Ok(());
        }
        let n = reader
            .read(&mut buf)
            .await
            .map_err(|e| format!("read: {}", e.kind()))?;
        if n == 0 {
            return match left {
                None => Ok(()),
                Some(_) => Err("closed before content-length bytes".into()),
            };
        }
        feed(&buf[..n]);
        left = left.map(|l| l.saturating_sub(n as u64));
    }
}
