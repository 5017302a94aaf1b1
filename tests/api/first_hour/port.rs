//! The first thing a second `trickle` meets: the port is taken.

use std::net::TcpListener;
use std::process::Command;

#[test]
fn a_port_in_use_says_so_and_how_to_pick_another() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = taken.local_addr().expect("its address").port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args(["--port", &port])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert!(!output.status.success(), "started on a port in use");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    for hint in [
        format!("cannot listen on 127.0.0.1:{port}"),
        "already in use".to_owned(),
        "--port".to_owned(),
        "TRICKLE__SERVER__PORT".to_owned(),
        "--port 0".to_owned(),
    ] {
        assert!(last.contains(&hint), "{last:?} should mention {hint:?}");
    }
}
