//! What a new user meets in the first hour: error messages that say what to
//! do, logs that read well in a file, canned replies that say nothing false.

mod config;
mod errors;
mod logs;
mod port;
mod replies;
