//! Everything a client controls before a stream starts: the query or form
//! text, a JSON body, the `Last-Event-ID` and the fault header. None of it
//! may panic.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use trickle::routes::body;
use trickle::sim::{Fault, ResumeId};

fuzz_target!(|data: &[u8]| {
    let _ = body::form::<HashMap<String, String>>(data, "any");
    let _ = serde_json::from_slice::<serde_json::Value>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(id) = text.parse::<ResumeId>() {
            assert_eq!(id.to_string().parse::<ResumeId>().ok(), Some(id));
        }
        let _ = text.parse::<Fault>();
    }
});
