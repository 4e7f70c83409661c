//! Export of every dossier with what it takes to recompute any indicator outside the system
//! (Decision 766's groups, the plans' targets): times, statuses, clock figures, payment,
//! digitisation and rating, and the event chain's length and head so the export can be matched
//! against `cchc audit verify`. No personal data: the applicant appears only as a kind.
//!
//! Dossiers are read page by page in code order (keyset pagination), so a million dossiers
//! export in constant memory.

use cchc_domain::calendar::{Verdict, WorkingClock, iso_datetime};
use cchc_domain::dossier::{Dossier, Outcome};
use cchc_domain::unit::UnitTree;
use jiff::civil::{Date, DateTime};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

use crate::{App, AppError, Principal, Result, Role, civil};

/// Dossiers read from the store at a time.
pub const PAGE_SIZE: usize = 1000;

/// Which dossiers to export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportFilter {
    /// Keep dossiers not finished before this day (open ones always count).
    pub from: Option<Date>,
    /// Keep dossiers submitted on or before this day.
    pub to: Option<Date>,
}

/// One exported dossier. Times are ISO 8601 with the Vietnam offset (+07:00); codes follow
/// the national portal (KenhThucHien, LoaiDoiTuong, TrangThaiHoSo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportRow {
    /// Mã hồ sơ.
    pub code: String,
    /// Mã thủ tục.
    pub procedure_code: String,
    /// Kênh thực hiện: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích.
    pub channel: u8,
    /// Loại đối tượng: 1 công dân, 2 doanh nghiệp, 3 cơ quan nhà nước, 4 tổ chức khác.
    pub applicant_kind: u8,
    pub receiving_unit: String,
    pub competent_unit: String,
    pub current_unit: String,
    /// The time limit as recorded at intake, e.g. `3 working-days`.
    pub time_limit: String,
    pub submitted_at: String,
    /// Tiếp nhận (clock start); empty until accepted.
    pub received_at: Option<String>,
    /// Ngày hẹn trả, with pauses and extensions; empty before acceptance or while paused.
    pub due_at: Option<String>,
    /// The statutory due date: pauses counted, apology extensions (gia hạn) left out. The
    /// indicators judge lateness against it; equal to `due_at` without extensions.
    pub statutory_due_at: Option<String>,
    pub decided_at: Option<String>,
    pub returned_at: Option<String>,
    /// Left the clock without a result: refused, withdrawn, stopped.
    pub closed_at: Option<String>,
    /// Trạng thái hồ sơ (1-10).
    pub status: u8,
    /// `approved` or `rejected`, once decided.
    pub outcome: Option<Outcome>,
    /// Requests to supplement (more than one counts as late in indicator 2.1).
    pub supplement_requests: u32,
    /// When the second supplement request was made: from that day on the dossier counts as
    /// late in indicator 2.1, finished or still open (hướng dẫn một lần); empty if none.
    pub second_supplement_at: Option<String>,
    /// Counted seconds (in the time limit's measure) the clock was paused; an open pause is
    /// counted up to the export instant.
    pub paused_secs: i64,
    /// Extensions with an apology letter (phiếu xin lỗi).
    pub extensions: u32,
    /// The procedure carries a fee (indicator 3.6's denominator); empty if unknown.
    pub fee_bearing: Option<bool>,
    /// Paid, VND.
    pub paid_amount: i64,
    /// At least one payment was made online.
    pub paid_online: bool,
    /// Citizen rating 1-5.
    pub rating: Option<u8>,
    pub components: u32,
    pub components_digitised: u32,
    pub components_reused: u32,
    pub components_national_data: u32,
    pub results: u32,
    pub results_electronic: u32,
    /// Finished late, or still open past the due date at the export instant.
    pub late: bool,
    /// `early`, `on_time` or `late` once finished; empty while open.
    pub verdict: Option<Verdict>,
    /// Events in the dossier's chain.
    pub event_count: u64,
    /// SHA-256 of the last event: the head of the chain.
    pub last_hash: String,
}

impl ExportRow {
    /// The column names, in field order (the CSV header).
    pub const HEADER: [&'static str; 35] = [
        "code",
        "procedure_code",
        "channel",
        "applicant_kind",
        "receiving_unit",
        "competent_unit",
        "current_unit",
        "time_limit",
        "submitted_at",
        "received_at",
        "due_at",
        "statutory_due_at",
        "decided_at",
        "returned_at",
        "closed_at",
        "status",
        "outcome",
        "supplement_requests",
        "second_supplement_at",
        "paused_secs",
        "extensions",
        "fee_bearing",
        "paid_amount",
        "paid_online",
        "rating",
        "components",
        "components_digitised",
        "components_reused",
        "components_national_data",
        "results",
        "results_electronic",
        "late",
        "verdict",
        "event_count",
        "last_hash",
    ];
}

/// The stored projection (the export reads no applicant field but the kind).
type State = Dossier;

/// An export in progress: call [`DossierExport::next_page`] until it returns `None`.
pub struct DossierExport {
    app: App,
    units: Arc<UnitTree>,
    from: Option<String>,
    to: Option<String>,
    after: Option<String>,
    done: bool,
    page_size: usize,
    /// The instant open dossiers are judged at.
    as_of: DateTime,
    fee_bearing: HashMap<String, Option<bool>>,
}

impl App {
    /// Starts an export of every dossier (administrators only).
    pub fn export_dossiers(&self, who: &Principal, filter: ExportFilter) -> Result<DossierExport> {
        if who.role != Role::Admin {
            return Err(AppError::Forbidden(
                "chỉ quản trị CCHC được xuất toàn bộ hồ sơ".into(),
            ));
        }
        if let (Some(f), Some(t)) = (filter.from, filter.to)
            && f > t
        {
            return Err(AppError::Invalid(format!("từ ngày {f} sau đến ngày {t}")));
        }
        Ok(DossierExport {
            app: self.clone(),
            units: self.units()?,
            from: filter.from.map(|d| civil(d.at(0, 0, 0, 0))),
            to: filter
                .to
                .map(|d| d.tomorrow().map(|n| civil(n.at(0, 0, 0, 0))))
                .transpose()
                .map_err(|e| AppError::Invalid(format!("đến ngày: {e}")))?,
            after: None,
            done: false,
            page_size: PAGE_SIZE,
            as_of: self.now(),
            fee_bearing: HashMap::new(),
        })
    }

    /// Every dossier in one vector: for small databases and tests; use
    /// [`App::export_dossiers`] to stream.
    pub async fn export_rows(
        &self,
        who: &Principal,
        filter: ExportFilter,
    ) -> Result<Vec<ExportRow>> {
        let mut export = self.export_dossiers(who, filter)?;
        let mut rows = Vec::new();
        while let Some(page) = export.next_page().await? {
            rows.extend(page);
        }
        Ok(rows)
    }
}

impl DossierExport {
    /// Sets how many dossiers each page reads (at least 1).
    pub fn with_page_size(mut self, n: usize) -> Self {
        self.page_size = n.max(1);
        self
    }

    /// The instant open dossiers are judged late or not.
    pub fn as_of(&self) -> DateTime {
        self.as_of
    }

    /// The next page of rows, or `None` when every dossier has been read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<ExportRow>>> {
        if self.done {
            return Ok(None);
        }
        let limit = i64::try_from(self.page_size).unwrap_or(i64::MAX);
        let stored = self
            .app
            .store
            .dossier_states_after(
                self.after.as_deref(),
                self.from.as_deref(),
                self.to.as_deref(),
                limit,
            )
            .await?;
        if stored.len() < self.page_size {
            self.done = true;
        }
        let Some(last) = stored.last() else {
            return Ok(None);
        };
        self.after = Some(last.code.clone());
        let mut rows = Vec::with_capacity(stored.len());
        for s in stored {
            let state: State = serde_json::from_str(&s.state)
                .map_err(|e| AppError::Internal(format!("hồ sơ {}: {e}", s.code)))?;
            let fee_bearing = self.fee_bearing(&state.procedure_code).await?;
            rows.push(self.row(
                state,
                fee_bearing,
                u64::try_from(s.event_count).unwrap_or(0),
                s.last_event_hash,
            )?);
        }
        Ok(Some(rows))
    }

    async fn fee_bearing(&mut self, procedure: &str) -> Result<Option<bool>> {
        if let Some(f) = self.fee_bearing.get(procedure) {
            return Ok(*f);
        }
        let f = self
            .app
            .store
            .procedure(procedure)
            .await?
            .map(|p| p.fee_bearing);
        self.fee_bearing.insert(procedure.to_owned(), f);
        Ok(f)
    }

    fn clock(&self, unit_id: &str) -> Result<Arc<WorkingClock>> {
        let unit = self
            .units
            .get(unit_id)
            .ok_or_else(|| AppError::Internal(format!("đơn vị {unit_id} không còn trong cây")))?;
        self.app.clock_for(unit)
    }

    fn row(
        &self,
        d: State,
        fee_bearing: Option<bool>,
        event_count: u64,
        last_hash: String,
    ) -> Result<ExportRow> {
        let bad = |e: String| AppError::Internal(format!("hồ sơ {}: {e}", d.code));
        let (due, statutory, verdict, late, paused_secs) =
            match d.clock_request().map_err(|e| bad(e.to_string()))? {
                None => (None, None, None, false, 0),
                Some(req) => {
                    let clock = self.clock(&d.receiving_unit)?;
                    let due = clock.due(&req).map_err(|e| bad(e.to_string()))?;
                    let mut paused = 0;
                    for p in due.pauses.iter().filter(|p| p.applied) {
                        paused += match p.pause.end {
                            Some(_) => p.counted,
                            None => clock
                                .counted_between(
                                    p.pause.start.max(due.effective_start),
                                    self.as_of.max(p.pause.start),
                                    due.limit.unit(),
                                )
                                .map_err(|e| bad(e.to_string()))?
                                .max(0),
                        };
                    }
                    let (verdict, late) = d.judge(&due, self.as_of);
                    let statutory = match d.statutory_clock_request() {
                        Ok(Some(plain)) if !req.extensions.is_empty() => {
                            clock.due(&plain).map_err(|e| bad(e.to_string()))?.due
                        }
                        _ => due.due,
                    };
                    (due.due, statutory, verdict, late, paused)
                }
            };
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let iso = |t: Option<DateTime>| t.map(iso_datetime);
        Ok(ExportRow {
            channel: d.channel.portal_code(),
            applicant_kind: d.applicant.kind.code(),
            time_limit: d.limit.clone(),
            submitted_at: iso_datetime(d.submitted_at),
            received_at: iso(d.received_at),
            due_at: iso(due),
            statutory_due_at: iso(statutory),
            decided_at: iso(d.decided_at),
            returned_at: iso(d.returned_at),
            closed_at: iso(d.closed_at),
            status: d.status.code(),
            outcome: d.outcome,
            supplement_requests: d.supplement_requests,
            second_supplement_at: iso(d.second_supplement_at),
            paused_secs,
            extensions: count(d.extensions.len()),
            fee_bearing,
            paid_amount: d.payments.iter().map(|p| p.amount).sum(),
            paid_online: d.payments.iter().any(|p| p.online),
            rating: d.rating.as_ref().map(|(score, _)| *score),
            components: count(d.components.len()),
            components_digitised: count(d.components.iter().filter(|c| c.digitised).count()),
            components_reused: count(d.components.iter().filter(|c| c.reused).count()),
            components_national_data: count(
                d.components.iter().filter(|c| c.from_national_data).count(),
            ),
            results: count(d.results.len()),
            results_electronic: count(d.results.iter().filter(|r| r.electronic).count()),
            late,
            verdict,
            event_count,
            last_hash,
            code: d.code,
            procedure_code: d.procedure_code,
            receiving_unit: d.receiving_unit,
            competent_unit: d.competent_unit,
            current_unit: d.current_unit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_every_field_in_order() {
        let row = ExportRow {
            code: "c".into(),
            procedure_code: "p".into(),
            channel: 1,
            applicant_kind: 1,
            receiving_unit: "u".into(),
            competent_unit: "u".into(),
            current_unit: "u".into(),
            time_limit: "3 working-days".into(),
            submitted_at: "t".into(),
            received_at: None,
            due_at: None,
            statutory_due_at: None,
            decided_at: None,
            returned_at: None,
            closed_at: None,
            status: 1,
            outcome: None,
            supplement_requests: 0,
            second_supplement_at: None,
            paused_secs: 0,
            extensions: 0,
            fee_bearing: None,
            paid_amount: 0,
            paid_online: false,
            rating: None,
            components: 0,
            components_digitised: 0,
            components_reused: 0,
            components_national_data: 0,
            results: 0,
            results_electronic: 0,
            late: false,
            verdict: None,
            event_count: 1,
            last_hash: "h".into(),
        };
        let text = serde_json::to_string(&row).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(
            value.as_object().map(serde_json::Map::len),
            Some(ExportRow::HEADER.len())
        );
        let positions: Vec<Option<usize>> = ExportRow::HEADER
            .iter()
            .map(|h| text.find(&format!("\"{h}\":")))
            .collect();
        assert!(positions.iter().all(Option::is_some), "{text}");
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    }
}
