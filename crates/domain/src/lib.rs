//! cchc-domain: the pure rules of cchc. No I/O, no async, no SQL, no HTTP.
//!
//! - [`calendar`]: the Vietnamese lunar calendar, holidays and announced day swaps, working
//!   schedules and the statutory clock (due dates, pauses, extensions, explanations).

pub mod calendar;
