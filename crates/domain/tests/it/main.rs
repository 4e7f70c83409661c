//! Integration tests of the domain crate, in one binary (separate binaries link slowly).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod clock_examples;
mod clock_properties;
mod holidays;
mod lunar_reference;
mod oracle;
mod procedures;
mod units;

use cchc_domain::calendar::{Calendar, WorkingClock};
use std::sync::{Arc, OnceLock};

/// The clock on the shipped calendar and the standard schedule, built once per test binary.
pub fn clock() -> &'static WorkingClock {
    static CLOCK: OnceLock<WorkingClock> = OnceLock::new();
    CLOCK.get_or_init(|| {
        let cal = Calendar::embedded().expect("the shipped calendar data is valid");
        WorkingClock::standard(Arc::new(cal))
    })
}

/// `2025-01-24T10:00` → civil date-time.
pub fn at(text: &str) -> jiff::civil::DateTime {
    text.parse().expect("test instants are well-formed")
}
