//! Loads the rule data: the files shipped in the binary, overridden by an administrator's
//! run-time directory (`--data-dir` / `CCHC_DATA_DIR`): `calendar/rules.toml` replaces the rules,
//! and each `calendar/YYYY.toml` adds or replaces that year's notices.

use anyhow::Context;
use cchc_domain::calendar::{Calendar, CalendarData, WorkSchedule, WorkingClock};
use std::path::Path;
use std::sync::Arc;

use crate::usage;

/// The calendar data: shipped files plus the run-time directory, if any.
pub fn calendar_data(data_dir: Option<&Path>) -> anyhow::Result<CalendarData> {
    let Some(dir) = data_dir.map(|d| d.join("calendar")).filter(|d| d.is_dir()) else {
        return CalendarData::embedded().map_err(usage);
    };
    let rules_path = dir.join("rules.toml");
    let mut data = if rules_path.is_file() {
        let text = std::fs::read_to_string(&rules_path)
            .with_context(|| format!("reading {}", rules_path.display()))?;
        let mut data =
            CalendarData::from_rules(&rules_path.display().to_string(), &text).map_err(usage)?;
        // Shipped years still apply unless the directory replaces them.
        let shipped = CalendarData::embedded().map_err(usage)?;
        for year in shipped.years.values() {
            data.years.entry(year.year).or_insert_with(|| year.clone());
        }
        data
    } else {
        CalendarData::embedded().map_err(usage)?
    };
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "toml")
                && p.file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        data.add_file(&path.display().to_string(), &text)
            .map_err(usage)?;
    }
    Ok(data)
}

/// The national calendar built from the data.
pub fn calendar(data_dir: Option<&Path>) -> anyhow::Result<Arc<Calendar>> {
    let data = calendar_data(data_dir)?;
    Ok(Arc::new(Calendar::build(&data).map_err(usage)?))
}

/// The clock for a schedule (the standard one when `periods` is None).
pub fn clock(data_dir: Option<&Path>, periods: Option<&str>) -> anyhow::Result<WorkingClock> {
    let schedule = match periods {
        Some(p) => WorkSchedule::weekdays_only(p).map_err(usage)?,
        None => WorkSchedule::standard(),
    };
    Ok(WorkingClock::new(calendar(data_dir)?, schedule))
}
