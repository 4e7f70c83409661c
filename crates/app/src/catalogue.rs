//! The catalogue: procedures (import, search, one) and units (import, list).

use cchc_domain::procedure::{ImportReport, OnlineKind, Procedure, parse_catalogue};
use cchc_domain::text::fold;
use cchc_domain::unit::{Unit, UnitTree};
pub use cchc_store::ProcedureFilter;
use cchc_store::{ProcedureRow, UnitRow};
use serde::Serialize;

use crate::{App, AppError, Principal, Result, Role};

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub read: usize,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows that could not be read at all, with the reason (nothing is dropped silently).
    pub rejected: Vec<String>,
    /// Imported with a data-quality flag, per kind.
    pub flagged: Vec<(String, usize)>,
}

/// An administrator's settings for one procedure; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProcedureSettings {
    /// Toàn trình / một phần / không trực tuyến.
    pub online_kind: Option<OnlineKind>,
    /// Có thu phí, lệ phí.
    pub fee_bearing: Option<bool>,
    /// Tiếp nhận sau 15 giờ tính từ ngày làm việc tiếp theo.
    pub after_15h_next_day: Option<bool>,
}

/// A page of procedures.
#[derive(Debug, Clone, Serialize)]
pub struct ProcedurePage {
    pub total: i64,
    pub items: Vec<Procedure>,
}

fn admin_only(who: &Principal) -> Result<()> {
    if who.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "chỉ quản trị CCHC được nhập danh mục".into(),
        ))
    }
}

fn procedure_row(p: &Procedure) -> Result<ProcedureRow> {
    Ok(ProcedureRow {
        code: p.code.clone(),
        name: p.name.clone(),
        name_folded: p.name_folded.clone(),
        level: serde_json::to_string(&p.level).map_err(|e| AppError::Internal(e.to_string()))?,
        field: p.field.clone(),
        online_kind: format!("{:?}", p.online_kind),
        fee_bearing: p.fee_bearing,
        after_15h: p.after_15h_next_day,
        quality_flags: p.quality.len() as i64,
        fingerprint: p.fingerprint(),
        data: serde_json::to_string(p).map_err(|e| AppError::Internal(e.to_string()))?,
    })
}

impl App {
    /// Imports the national procedure catalogue (CSV text). Re-running is idempotent.
    pub async fn import_procedures(
        &self,
        who: &Principal,
        csv_text: &str,
    ) -> Result<ImportOutcome> {
        admin_only(who)?;
        let report: ImportReport =
            parse_catalogue(csv_text).map_err(|e| AppError::Invalid(e.to_string()))?;
        // A re-import keeps what an administrator set on each procedure.
        let mut rows = Vec::with_capacity(report.procedures.len());
        for fresh in &report.procedures {
            let merged = match self.store.procedure(&fresh.code).await? {
                Some(old) => match serde_json::from_str::<Procedure>(&old.data) {
                    Ok(old) => old.refreshed(fresh.clone()),
                    Err(_) => fresh.clone(),
                },
                None => fresh.clone(),
            };
            rows.push(procedure_row(&merged)?);
        }
        let (inserted, updated, unchanged) = self.store.upsert_procedures(&rows).await?;
        self.forget_procedures();
        Ok(ImportOutcome {
            read: report.rows_read,
            inserted,
            updated,
            unchanged,
            rejected: report
                .rejected_rows
                .iter()
                .map(|r| format!("{r:?}"))
                .collect(),
            flagged: report
                .issue_counts
                .iter()
                .map(|(k, n)| (k.label().to_owned(), *n))
                .collect(),
        })
    }

    /// Sets a procedure's online kind, fee-bearing flag or 15:00 rule (administrators only).
    pub async fn update_procedure_settings(
        &self,
        who: &Principal,
        code: &str,
        settings: ProcedureSettings,
    ) -> Result<Procedure> {
        if who.role != Role::Admin {
            return Err(AppError::Forbidden(
                "chỉ quản trị CCHC được sửa thiết lập thủ tục".into(),
            ));
        }
        let mut p = self.procedure_fresh(code).await?;
        if let Some(k) = settings.online_kind {
            p.set_online_kind(k);
        }
        if let Some(f) = settings.fee_bearing {
            p.set_fee_bearing(f);
        }
        if let Some(a) = settings.after_15h_next_day {
            p.set_after_15h_next_day(a);
        }
        self.save_procedure(&p).await?;
        Ok(p)
    }

    /// Writes one procedure as it now is (after an administrator's change).
    pub(crate) async fn save_procedure(&self, p: &Procedure) -> Result<()> {
        self.store.replace_procedure(&procedure_row(p)?).await?;
        self.forget_procedures();
        Ok(())
    }

    /// Searches procedures by code prefix or diacritics-insensitive words of the name.
    pub async fn search_procedures(
        &self,
        query: &str,
        page: i64,
        per_page: i64,
    ) -> Result<ProcedurePage> {
        self.search_procedures_filtered(query, &ProcedureFilter::default(), page, per_page)
            .await
    }

    /// Searches with the catalogue's filters: field, level, online kind.
    pub async fn search_procedures_filtered(
        &self,
        query: &str,
        filter: &ProcedureFilter,
        page: i64,
        per_page: i64,
    ) -> Result<ProcedurePage> {
        if let Some(level) = &filter.level
            && !matches!(
                level.as_str(),
                "ministry" | "province" | "district" | "commune" | "other"
            )
        {
            return Err(AppError::Invalid(format!(
                "cấp thực hiện '{level}' không hợp lệ"
            )));
        }
        if let Some(kind) = &filter.online_kind
            && !matches!(kind.as_str(), "FullyOnline" | "PartlyOnline" | "NotOnline")
        {
            return Err(AppError::Invalid(format!(
                "mức độ trực tuyến '{kind}' không hợp lệ"
            )));
        }
        if query.chars().count() > 200 {
            return Err(AppError::Invalid("câu tìm kiếm dài quá 200 ký tự".into()));
        }
        let folded = fold(query);
        let words: Vec<String> = folded.split_whitespace().map(str::to_owned).collect();
        let per_page = per_page.clamp(1, 100);
        let offset = (page.max(1) - 1).saturating_mul(per_page);
        let (total, rows) = self
            .store
            .search_procedures(folded.trim(), &words, filter, per_page, offset)
            .await?;
        let items = rows
            .iter()
            .map(|r| serde_json::from_str(&r.data).map_err(|e| AppError::Internal(e.to_string())))
            .collect::<Result<Vec<Procedure>>>()?;
        Ok(ProcedurePage { total, items })
    }

    /// The catalogue's fields (lĩnh vực) with their number of procedures, for filters.
    pub async fn procedure_fields(&self) -> Result<Vec<(String, i64)>> {
        Ok(self.store.procedure_fields().await?)
    }

    /// Imports units (validated as one tree with what is already stored), then reloads the tree.
    pub async fn import_units(&self, who: &Principal, units: Vec<Unit>) -> Result<ImportOutcome> {
        admin_only(who)?;
        let mut all: Vec<Unit> = self.units()?.units().to_vec();
        let read = units.len();
        for u in units {
            match all.iter_mut().find(|x| x.id == u.id) {
                Some(slot) => *slot = u,
                None => all.push(u),
            }
        }
        // The whole tree must hold together before anything is written.
        let tree = UnitTree::new(all).map_err(|e| AppError::Invalid(e.to_string()))?;
        // Parents before children, so foreign keys hold at every insert.
        let mut ordered: Vec<&Unit> = Vec::with_capacity(tree.len());
        let mut stack: Vec<&Unit> = tree.roots().collect();
        stack.reverse();
        while let Some(u) = stack.pop() {
            ordered.push(u);
            let mut kids: Vec<&Unit> = tree.children(u.id.as_str()).collect();
            kids.reverse();
            stack.extend(kids);
        }
        let rows = ordered
            .iter()
            .map(|u| {
                Ok(UnitRow {
                    id: u.id.as_str().to_owned(),
                    kind: format!("{:?}", u.kind),
                    name: u.name.clone(),
                    full_name: u.full_name.clone(),
                    gso_code: u.gso_code.clone(),
                    parent_id: u.parent.as_ref().map(|p| p.as_str().to_owned()),
                    agency_code: u.agency_code.clone(),
                    valid_from: u.valid_from.to_string(),
                    valid_to: u.valid_to.map(|d| d.to_string()),
                    schedule: u.schedule.clone(),
                    data: serde_json::to_string(u)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (inserted, updated, unchanged) = self.store.upsert_units(&rows).await?;
        self.reload_units().await?;
        Ok(ImportOutcome {
            read,
            inserted,
            updated,
            unchanged,
            rejected: Vec::new(),
            flagged: Vec::new(),
        })
    }
}

/// The texts of the reference unit lists (`../shared/data/`).
#[derive(Debug, Clone, Copy)]
pub struct ReferenceUnitFiles<'a> {
    pub pre2025_provinces: &'a str,
    pub pre2025_districts: &'a str,
    pub pre2025_wards: &'a str,
    pub provinces_2025: &'a str,
    pub wards_2025: &'a str,
    pub kon_tum_mapping: &'a str,
}

/// Kon Tum before 1 July 2025 (its districts, communes, departments and one-stop offices) and
/// Quảng Ngãi after (its communes and departments), linked through the official conversion
/// table; with `whole_country`, every province and commune of both trees.
pub fn reference_units(files: ReferenceUnitFiles<'_>, whole_country: bool) -> Result<Vec<Unit>> {
    use cchc_domain::unit::{
        kon_tum_departments, link_kon_tum, parse_2025, parse_pre2025, quang_ngai_departments_2025,
    };
    let invalid = |e: cchc_domain::unit::UnitError| AppError::Invalid(e.to_string());
    let pre = |only: Option<&str>| {
        parse_pre2025(
            files.pre2025_provinces,
            files.pre2025_districts,
            files.pre2025_wards,
            only,
        )
        .map_err(invalid)
    };
    // Quảng Ngãi 2025 has two predecessors: Kon Tum (62) and the old Quảng Ngãi (51).
    let (mut units, new) = if whole_country {
        (pre(None)?, None)
    } else {
        let mut units = pre(Some("62"))?;
        units.extend(pre(Some("51"))?);
        (units, Some("51"))
    };
    units.extend(parse_2025(files.provinces_2025, files.wards_2025, new).map_err(invalid)?);
    link_kon_tum(&mut units, files.kon_tum_mapping).map_err(invalid)?;
    units.extend(kon_tum_departments());
    units.extend(quang_ngai_departments_2025());
    Ok(units)
}
