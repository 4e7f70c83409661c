//! Prefix sums of counted seconds over 1900-2199, so that "how much counted time lies between
//! the epoch and this instant" (the position) is O(1) and its inverse O(log n).
//!
//! A timeline counts seconds only inside each day's periods. The clock keeps three: working time
//! (the unit's schedule on working days), whole days that are not days off, and all days.

use jiff::civil::DateTime;

use super::lunar;

/// Seconds in a civil day (Vietnam has no daylight saving).
pub(crate) const DAY: i64 = 86_400;

#[derive(Debug, Clone)]
struct Pattern {
    /// (start, end) seconds since midnight, sorted, disjoint.
    periods: Vec<(i64, i64)>,
    total: i64,
}

/// Counted time along the supported range of days.
#[derive(Debug, Clone)]
pub struct Timeline {
    first_jd: i64,
    day_pattern: Vec<u8>,
    patterns: Vec<Pattern>,
    /// prefix[d] = counted seconds before day d; `len = days + 1`.
    prefix: Vec<i64>,
}

impl Timeline {
    /// Builds a timeline of `days` days from the day with Julian number `first_jd`; `pattern_of`
    /// gives each day's index into `patterns` (periods in minutes since midnight).
    pub(crate) fn build(
        first_jd: i64,
        days: usize,
        patterns: Vec<Vec<(u16, u16)>>,
        pattern_of: impl Fn(usize) -> u8,
    ) -> Self {
        let patterns: Vec<Pattern> = patterns
            .into_iter()
            .map(|ps| {
                let periods: Vec<(i64, i64)> = ps
                    .into_iter()
                    .map(|(a, b)| (i64::from(a) * 60, i64::from(b) * 60))
                    .collect();
                let total = periods.iter().map(|(a, b)| b - a).sum();
                Pattern { periods, total }
            })
            .collect();
        let mut day_pattern = Vec::with_capacity(days);
        let mut prefix = Vec::with_capacity(days + 1);
        let mut sum = 0i64;
        prefix.push(0);
        for d in 0..days {
            let p = pattern_of(d);
            sum += patterns.get(usize::from(p)).map_or(0, |p| p.total);
            day_pattern.push(p);
            prefix.push(sum);
        }
        Self {
            first_jd,
            day_pattern,
            patterns,
            prefix,
        }
    }

    /// Seconds since the first day's midnight, or None outside the range.
    pub fn secs_of(&self, dt: DateTime) -> Option<i64> {
        let day = lunar::jd_from_date(dt.date()) - self.first_jd;
        let secs = day * DAY
            + i64::from(dt.hour()) * 3600
            + i64::from(dt.minute()) * 60
            + i64::from(dt.second());
        (0..=self.span_secs()).contains(&secs).then_some(secs)
    }

    /// The civil instant of a number of seconds since the first day's midnight.
    pub fn datetime_of(&self, secs: i64) -> Option<DateTime> {
        let (day, sod) = (secs.div_euclid(DAY), secs.rem_euclid(DAY));
        let (y, m, d) = lunar::ymd_from_jd(self.first_jd + day);
        DateTime::new(
            i16::try_from(y).ok()?,
            m as i8,
            d as i8,
            (sod / 3600) as i8,
            ((sod % 3600) / 60) as i8,
            (sod % 60) as i8,
            0,
        )
        .ok()
    }

    /// Length of the range in seconds.
    pub fn span_secs(&self) -> i64 {
        self.day_pattern.len() as i64 * DAY
    }

    /// Total counted seconds in the range.
    pub fn total(&self) -> i64 {
        self.prefix.last().copied().unwrap_or(0)
    }

    /// Counted seconds on day `day` (index since the first day).
    pub fn counted_on_day(&self, day: i64) -> i64 {
        usize::try_from(day)
            .ok()
            .and_then(|d| self.day_pattern.get(d))
            .and_then(|p| self.patterns.get(usize::from(*p)))
            .map_or(0, |p| p.total)
    }

    /// Counted seconds from the start of the range to `t` (clamped to the range).
    pub fn position(&self, t: i64) -> i64 {
        let t = t.clamp(0, self.span_secs());
        let (day, sod) = (t.div_euclid(DAY), t.rem_euclid(DAY));
        let d = day as usize;
        let base = self.prefix.get(d).copied().unwrap_or_else(|| self.total());
        let Some(pattern) = self
            .day_pattern
            .get(d)
            .and_then(|p| self.patterns.get(usize::from(*p)))
        else {
            return base;
        };
        let mut within = 0;
        for &(a, b) in &pattern.periods {
            if sod <= a {
                break;
            }
            within += sod.min(b) - a;
        }
        base + within
    }

    /// The earliest instant whose position is `w`: a target reached exactly at the close of a
    /// period is that close (17:00), not the next opening. None outside `0..=total`.
    pub fn earliest_at(&self, w: i64) -> Option<i64> {
        self.earliest_at_near(w, 0)
    }

    /// As [`Self::earliest_at`], searching forward from day `hint` first: due dates lie days or
    /// weeks after their start, so a galloping search stays in a few cache lines instead of
    /// bisecting the whole 300-year table.
    pub fn earliest_at_near(&self, w: i64, hint: i64) -> Option<i64> {
        if w <= 0 {
            return (w == 0).then_some(0);
        }
        if w > self.total() {
            return None;
        }
        // Last day whose prefix is below w: the target lies inside that day.
        let n = self.prefix.len();
        let h = usize::try_from(hint).unwrap_or(0).min(n - 1);
        let day = if self.prefix[h] < w {
            let (mut lo, mut step) = (h, 1usize);
            while lo + step < n && self.prefix[lo + step] < w {
                lo += step;
                step *= 2;
            }
            let hi = (lo + step).min(n);
            lo + self.prefix[lo..hi].partition_point(|&p| p < w) - 1
        } else {
            self.prefix.partition_point(|&p| p < w) - 1
        };
        let mut rest = w - self.prefix[day];
        let pattern = self.patterns.get(usize::from(self.day_pattern[day]))?;
        for &(a, b) in &pattern.periods {
            if rest <= b - a {
                return Some(day as i64 * DAY + a + rest);
            }
            rest -= b - a;
        }
        None
    }

    /// The first counted instant at or after `t` (t itself when t is counted time).
    pub fn next_counted(&self, t: i64) -> Option<i64> {
        self.earliest_at_near(self.position(t) + 1, t.div_euclid(DAY))
            .map(|x| x - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekdays_line() -> Timeline {
        // 2 weeks from a Monday, Mon-Fri 07:00-11:30, 13:30-17:00.
        let day = vec![(420, 690), (810, 1020)];
        Timeline::build(
            lunar::jd_from_date(jiff::civil::date(2025, 3, 3)),
            14,
            vec![day, vec![]],
            |d| {
                if d % 7 < 5 { 0 } else { 1 }
            },
        )
    }

    #[test]
    fn position_and_inverse_agree() {
        let line = weekdays_line();
        assert_eq!(line.total(), 10 * 480 * 60);
        let at_0830 = 8 * 3600 + 30 * 60;
        assert_eq!(line.position(at_0830), 90 * 60);
        assert_eq!(line.earliest_at(90 * 60), Some(at_0830));
        // Lunch: position stays at the morning close; the inverse gives the close.
        assert_eq!(line.position(12 * 3600), 270 * 60);
        assert_eq!(line.earliest_at(270 * 60), Some(11 * 3600 + 30 * 60));
        // End of Friday = 17:00 Friday, not Monday 07:00.
        assert_eq!(line.earliest_at(5 * 480 * 60), Some(4 * DAY + 17 * 3600));
        assert_eq!(
            line.next_counted(4 * DAY + 18 * 3600),
            Some(7 * DAY + 7 * 3600)
        );
        assert_eq!(line.next_counted(9 * 3600), Some(9 * 3600));
        assert_eq!(line.earliest_at(line.total() + 1), None);
        assert_eq!(line.earliest_at(-1), None);
    }

    #[test]
    fn galloping_search_agrees_with_bisection() {
        let line = weekdays_line();
        for w in 0..=line.total() / 60 {
            let w = w * 60;
            for hint in [0, 3, 9, 13, 40] {
                assert_eq!(
                    line.earliest_at_near(w, hint),
                    line.earliest_at(w),
                    "{w} {hint}"
                );
            }
        }
    }
}
