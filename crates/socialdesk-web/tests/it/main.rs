//! Integration tests of the HTTP surface: the real router on port 0, driven
//! by a real HTTP client (and by headless Chromium in `browser`).

mod api;
mod browser;
mod harness;
mod isolation;
mod ui;
