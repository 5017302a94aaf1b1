//! The whole command (`trickle bench …`): options, file limit, runtime,
//! report, exit code.

use crate::args::Args;
use crate::report::Report;

/// Runs the command: raise the file limit, run on a multi-threaded runtime,
/// print the report. Exit 0 only when every stream completed.
pub fn command(args: &Args) -> std::process::ExitCode {
    use std::process::ExitCode;
    let mut options = match args.options() {
        Ok(options) => options,
        Err(line) => {
            eprintln!("{line}");
            return ExitCode::from(2);
        }
    };
    match crate::nofile::raise() {
        Some(room) if room < options.streams => {
            eprintln!(
                "open-file limit caps this run at {room} streams (asked for {}); raise the hard limit (ulimit -Hn) for more",
                options.streams
            );
            options.streams = room;
        }
        Some(_) => {}
        None => eprintln!("cannot read the open-file limit; running as asked"),
    }
    let asked = args.streams * args.rounds;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut measured = runtime.block_on(crate::run(options));
    measured.asked = asked;
    let report = Report::of(&measured);
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("cannot print the report: {e}"),
        }
    } else {
        print!("{report}");
    }
    if report.all_completed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
