//! `cchc calendar bench`: time due-date computations on random, deterministic requests, next to
//! a day-by-day walk (how a due date is usually computed) that must give the same answers.

use cchc_domain::calendar::{
    ClockRequest, DayMark, LimitUnit, Pause, StartRule, TimeLimit, WorkingClock,
};
use clap::Args;
use jiff::civil::{Date, DateTime};
use serde::Serialize;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use crate::{Format, data_dir, usage};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Number of due-date computations.
    #[arg(long, default_value_t = 1_000_000)]
    calls: usize,
    /// Seed of the request generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// xorshift64*: deterministic and dependency-free; quality is ample for picking test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn add_minutes(t: DateTime, minutes: i64) -> Option<DateTime> {
    t.checked_add(jiff::Span::new().minutes(minutes)).ok()
}

/// Random requests: starts at any minute of 2023-2026, limits of 1-30 working days or 1-40
/// working hours (`long`: 60-120 working days, as land and investment procedures have), 0-2
/// closed pauses, a quarter with the after-15:00 rule.
fn requests(n: usize, seed: u64, with_pauses: bool, long: bool) -> Vec<ClockRequest> {
    let mut rng = Rng(seed.max(1));
    let base = Date::constant(2023, 1, 1).at(0, 0, 0, 0);
    let minutes_in_range = 4 * 365 * 1440 - 60 * 1440;
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let Some(start) = add_minutes(base, rng.below(minutes_in_range) as i64) else {
            continue;
        };
        let limit = if long {
            TimeLimit::working_days(60 + rng.below(61) as u32)
        } else if rng.below(4) == 0 {
            TimeLimit::new(1 + rng.below(40) as u32, LimitUnit::WorkingHours)
        } else {
            TimeLimit::working_days(1 + rng.below(30) as u32)
        };
        let mut req = ClockRequest::new(start, limit);
        if rng.below(4) == 0 {
            req.start_rule = StartRule::after_15h();
        }
        if with_pauses {
            let mut cursor = start;
            for _ in 0..rng.below(3) {
                let (Some(a), len) = (
                    add_minutes(cursor, 60 + rng.below(5 * 1440) as i64),
                    60 + rng.below(4 * 1440) as i64,
                ) else {
                    break;
                };
                let Some(b) = add_minutes(a, len) else { break };
                req.pauses.push(Pause {
                    start: a,
                    end: Some(b),
                    reason: String::new(),
                });
                cursor = b;
            }
        }
        out.push(req);
    }
    out
}

/// The usual way: walk forward day by day, period by period. Pause-free requests only.
fn day_walk(clock: &WorkingClock, req: &ClockRequest) -> Option<DateTime> {
    let schedule = clock.schedule();
    let mut remaining = req.limit.seconds(schedule);
    let mut day = req.start.date();
    let mut from_secs = i64::from(req.start.hour()) * 3600
        + i64::from(req.start.minute()) * 60
        + i64::from(req.start.second());
    let periods_of = |d: Date| -> &[cchc_domain::calendar::Period] {
        match clock.calendar().mark(d) {
            Ok(DayMark::Off(_)) | Err(_) => &[],
            Ok(DayMark::Worked(_)) => schedule.make_up_periods(),
            Ok(DayMark::Normal) => schedule.periods(d.weekday()),
        }
    };
    if let Some(cutoff) = req.start_rule.next_day_after
        && !periods_of(day).is_empty()
        && req.start.time() > cutoff
    {
        day = day.tomorrow().ok()?;
        from_secs = 0;
    }
    for _ in 0..4000 {
        for p in periods_of(day) {
            let (a, b) = (i64::from(p.start) * 60, i64::from(p.end) * 60);
            let a = a.max(from_secs);
            if a >= b {
                continue;
            }
            if remaining <= b - a {
                let t = a + remaining;
                return day
                    .at((t / 3600) as i8, ((t % 3600) / 60) as i8, (t % 60) as i8, 0)
                    .into();
            }
            remaining -= b - a;
        }
        day = day.tomorrow().ok()?;
        from_secs = 0;
    }
    None
}

#[derive(Serialize)]
struct BenchReport {
    calls: usize,
    build_clock_ms: f64,
    ns_per_due_with_pauses: f64,
    ns_per_due_without_pauses: f64,
    ns_per_due_with_explanation: f64,
    ns_per_day_walk_without_pauses: f64,
    speedup_over_day_walk: f64,
    ns_per_due_long_limits: f64,
    ns_per_day_walk_long_limits: f64,
    speedup_long_limits: f64,
    checked_equal_to_day_walk: usize,
    calendar_version: String,
}

pub fn run(data: Option<&Path>, args: &BenchArgs, out: &mut String) -> anyhow::Result<()> {
    if args.calls == 0 || args.calls > 100_000_000 {
        return Err(usage("--calls phải từ 1 đến 100000000"));
    }
    let t = Instant::now();
    let clock = data_dir::clock(data, None)?;
    let build_clock_ms = t.elapsed().as_secs_f64() * 1e3;

    let timed = |reqs: &[ClockRequest]| -> anyhow::Result<f64> {
        let t = Instant::now();
        for r in reqs {
            black_box(clock.due(black_box(r)).map_err(usage)?);
        }
        Ok(t.elapsed().as_nanos() as f64 / reqs.len() as f64)
    };
    let with_pauses = requests(args.calls, args.seed, true, false);
    let ns_with = timed(&with_pauses)?;
    drop(with_pauses);
    let plain = requests(args.calls, args.seed, false, false);
    let ns_without = timed(&plain)?;

    let explained = &plain[..(args.calls / 100).max(1)];
    let t = Instant::now();
    for r in explained {
        let d = clock.due(r).map_err(usage)?;
        black_box(clock.explain(&d));
    }
    let ns_explain = t.elapsed().as_nanos() as f64 / explained.len() as f64;

    let walk = |reqs: &[ClockRequest]| -> anyhow::Result<f64> {
        let t = Instant::now();
        for r in reqs {
            black_box(day_walk(&clock, black_box(r)));
        }
        let ns = t.elapsed().as_nanos() as f64 / reqs.len() as f64;
        // The two must agree, or the comparison means nothing.
        for r in reqs {
            let fast = clock.due(r).map_err(usage)?.due;
            let slow = day_walk(&clock, r);
            if fast != slow {
                anyhow::bail!(
                    "benchmark self-check failed: {r:?}: timeline {fast:?} vs day walk {slow:?}"
                );
            }
        }
        Ok(ns)
    };
    let walked = &plain[..args.calls.min(200_000)];
    let ns_walk = walk(walked)?;
    let long = requests(args.calls.min(200_000), args.seed, false, true);
    let ns_long = timed(&long)?;
    let ns_walk_long = walk(&long)?;
    let report = BenchReport {
        calls: args.calls,
        build_clock_ms,
        ns_per_due_with_pauses: ns_with,
        ns_per_due_without_pauses: ns_without,
        ns_per_due_with_explanation: ns_explain,
        ns_per_day_walk_without_pauses: ns_walk,
        speedup_over_day_walk: ns_walk / ns_without,
        ns_per_due_long_limits: ns_long,
        ns_per_day_walk_long_limits: ns_walk_long,
        speedup_long_limits: ns_walk_long / ns_long,
        checked_equal_to_day_walk: walked.len() + long.len(),
        calendar_version: clock.calendar().version().to_owned(),
    };
    match args.format {
        Format::Json => crate::calendar_cmd::print_json(out, &report)?,
        Format::Text => {
            writeln!(out, "Đo tốc độ tính hạn ({} phép tính):", report.calls)?;
            writeln!(
                out,
                "  dựng bảng lịch 1900–2199:       {:>10.1} ms",
                build_clock_ms
            )?;
            writeln!(
                out,
                "  hạn có 0–2 lần tạm dừng:        {:>10.0} ns/lần",
                ns_with
            )?;
            writeln!(
                out,
                "  hạn không tạm dừng:             {:>10.0} ns/lần",
                ns_without
            )?;
            writeln!(
                out,
                "  hạn kèm giải thích:             {:>10.0} ns/lần",
                ns_explain
            )?;
            writeln!(
                out,
                "  đi từng ngày (cách thường làm): {:>10.0} ns/lần",
                ns_walk
            )?;
            writeln!(
                out,
                "  nhanh hơn:                      {:>10.1} lần",
                report.speedup_over_day_walk
            )?;
            writeln!(
                out,
                "  hạn dài 60–120 ngày làm việc:   {ns_long:>10.0} ns/lần"
            )?;
            writeln!(
                out,
                "  đi từng ngày, hạn dài:          {ns_walk_long:>10.0} ns/lần"
            )?;
            writeln!(
                out,
                "  nhanh hơn (hạn dài):            {:>10.1} lần",
                report.speedup_long_limits
            )?;
        }
    }
    Ok(())
}
