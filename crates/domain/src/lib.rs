//! cchc-domain: the pure rules of cchc. No I/O, no async, no SQL, no HTTP.
//!
//! - [`calendar`]: the Vietnamese lunar calendar, holidays and announced day swaps, working
//!   schedules and the statutory clock (due dates, pauses, extensions, explanations).
//! - [`dossier`]: the dossier lifecycle: statuses (TrangThaiHoSo 1-10), events, the state
//!   machine, the SHA-256 event chain, dossier codes.
//! - [`emulation`]: the emulation movement's reward criteria (data), their evaluation with
//!   evidence for units and staff, reward forms and adjustments.
//! - [`indicator`]: indicator definitions, per-dossier facts, scores, rankings, forecasts.
//! - [`notification`]: what each dossier event tells the applicant, and the email and SMS
//!   templates (data) it is written from.
//! - [`pakn`]: citizen feedback and petitions (phản ánh, kiến nghị): lifecycle, deadlines, figures.
//! - [`par_index`]: PAR INDEX scorecard trees (data), self-assessment, appraisal, survey, ranking.
//! - [`plan`]: reform plans, their tasks and the periodic reports, with their verdicts.

pub mod calendar;
pub mod dossier;
pub mod emulation;
pub mod indicator;
pub mod notification;
pub mod pakn;
pub mod par_index;
pub mod plan;
pub mod procedure;
pub mod text;
pub mod unit;
