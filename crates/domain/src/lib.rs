//! cchc-domain: the pure rules of cchc. No I/O, no async, no SQL, no HTTP.
//!
//! - [`calendar`]: the Vietnamese lunar calendar, holidays and announced day swaps, working
//!   schedules and the statutory clock (due dates, pauses, extensions, explanations).
//! - [`dossier`]: the dossier lifecycle: statuses (TrangThaiHoSo 1-10), events, the state
//!   machine, the SHA-256 event chain, dossier codes.
//! - [`indicator`]: indicator definitions, per-dossier facts, scores, rankings, forecasts.

pub mod calendar;
pub mod dossier;
pub mod indicator;
pub mod procedure;
pub mod text;
pub mod unit;
