//! The counts every indicator is built from (measures), kept per unit, procedure and day.
//!
//! A measure is additive: the value for a set of units and days is the sum of its parts. Most
//! are flows (counted on the day something happened); two are stocks (open dossiers at the end
//! of a day), stored as day-by-day changes so that the value at a period's end is the sum of the
//! changes up to that day.

use serde::Serialize;
use std::ops::{AddAssign, Index, SubAssign};

macro_rules! measures {
    (
        rollup { $($variant:ident => $column:literal, $stock:literal, $label:literal;)* }
        pakn { $($pvariant:ident => $pcolumn:literal, $plabel:literal;)* }
    ) => {
        /// One count kept in the rollups.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Measure {
            $(#[doc = $label] $variant,)*
            $(#[doc = $plabel] $pvariant,)*
        }

        impl Measure {
            /// Every measure, in index order.
            pub const ALL: &'static [Measure] =
                &[$(Measure::$variant,)* $(Measure::$pvariant,)*];

            /// The measures kept in the rollup tables (one column each), in column order.
            pub const ROLLUP: &'static [Measure] = &[$(Measure::$variant,)*];

            /// The measures counted from feedback (PAKN) records, not from dossiers: they are
            /// not in the rollups but read per unit and period from the PAKN store.
            pub const PAKN: &'static [Measure] = &[$(Measure::$pvariant,)*];

            /// The column name in the rollup tables and the name used in definitions.
            pub fn column(self) -> &'static str {
                match self {
                    $(Measure::$variant => $column,)*
                    $(Measure::$pvariant => $pcolumn,)*
                }
            }

            /// Stocks are summed from the beginning of time up to a period's end.
            pub fn is_stock(self) -> bool {
                match self {
                    $(Measure::$variant => $stock,)*
                    $(Measure::$pvariant => false,)*
                }
            }

            /// What it counts, as users read it.
            pub fn label(self) -> &'static str {
                match self {
                    $(Measure::$variant => $label,)*
                    $(Measure::$pvariant => $plabel,)*
                }
            }
        }
    };
}

measures! {
    rollup {
    Received => "received", false, "Hồ sơ tiếp nhận";
    ReceivedOnline => "received_online", false, "Hồ sơ nộp trực tuyến";
    ReceivedFullProc => "received_full_proc", false, "Hồ sơ thuộc thủ tục có DVCTT toàn trình";
    ReceivedOnlineFullProc => "received_online_full_proc", false, "Hồ sơ nộp trực tuyến thuộc thủ tục toàn trình";
    FeeDossiers => "fee_dossiers", false, "Hồ sơ thuộc thủ tục có phí, lệ phí";
    FeePaidOnline => "fee_paid_online", false, "Hồ sơ có phí được thanh toán trực tuyến";
    FeeOnline => "fee_online", false, "Hồ sơ có phí nộp trực tuyến";
    FeeOnlinePaidOnline => "fee_online_paid_online", false, "Hồ sơ có phí nộp trực tuyến và thanh toán trực tuyến";
    Digitised => "digitised", false, "Hồ sơ có thành phần được số hóa";
    Reused => "reused", false, "Hồ sơ tái sử dụng dữ liệu số hóa";
    Synced => "synced", false, "Hồ sơ đã đồng bộ lên Cổng Dịch vụ công quốc gia";
    OpenAtEnd => "open_at_end", true, "Hồ sơ còn đang giải quyết cuối kỳ";
    LateOpenAtEnd => "late_open_at_end", true, "Hồ sơ còn đang giải quyết cuối kỳ đã quá hạn";
    Finished => "finished", false, "Hồ sơ đã giải quyết xong";
    FinishedOnTime => "finished_on_time", false, "Hồ sơ giải quyết đúng hoặc trước hạn";
    FinishedEarly => "finished_early", false, "Hồ sơ giải quyết trước hạn";
    FinishedLate => "finished_late", false, "Hồ sơ giải quyết trễ hạn";
    UsedCentidays => "used_cd", false, "Thời gian giải quyết thực tế (phần trăm ngày)";
    LimitCentidays => "limit_cd", false, "Thời hạn giải quyết theo quy định (phần trăm ngày)";
    Decided => "decided", false, "Hồ sơ có kết quả";
    ElectronicResult => "e_result", false, "Hồ sơ có kết quả điện tử";
    Rated => "rated", false, "Hồ sơ được đánh giá";
    RatingSum => "rating_sum", false, "Tổng điểm đánh giá";
    RatedSatisfied => "rated_satisfied", false, "Đánh giá hài lòng (4-5 điểm)";
    Satisfied => "satisfied", false, "Hồ sơ hài lòng (đánh giá 4-5, hoặc chưa đánh giá và đúng hạn)";
    }
    pakn {
    PaknReceived => "pakn_received", "Phản ánh, kiến nghị tiếp nhận";
    PaknDue => "pakn_due", "Phản ánh, kiến nghị đến hạn xử lý trong kỳ hoặc đã trả lời trong kỳ";
    PaknOnTime => "pakn_on_time", "Phản ánh, kiến nghị được trả lời đúng hạn";
    PaknLate => "pakn_late", "Phản ánh, kiến nghị trả lời trễ hạn hoặc quá hạn chưa trả lời";
    PaknPublishable => "pakn_publishable", "Trả lời phản ánh, kiến nghị được người gửi đồng ý công khai";
    PaknPublished => "pakn_published", "Trả lời phản ánh, kiến nghị đã công khai";
    PaknRated => "pakn_rated", "Trả lời phản ánh, kiến nghị được đánh giá";
    PaknRatingSum => "pakn_rating_sum", "Tổng điểm đánh giá trả lời phản ánh, kiến nghị";
    PaknSatisfied => "pakn_satisfied", "Trả lời phản ánh, kiến nghị được đánh giá hài lòng (4-5 điểm)";
    }
}

/// Number of measures (columns of a rollup row).
pub const MEASURE_COUNT: usize = Measure::ALL.len();

impl Measure {
    /// Position in a [`Measures`] row.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The measure with this column name.
    pub fn from_column(name: &str) -> Option<Measure> {
        Measure::ALL.iter().copied().find(|m| m.column() == name)
    }
}

/// One value per measure: a rollup row, or the change one event brings to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measures(pub [i64; MEASURE_COUNT]);

// Written by hand: the standard library and serde derive these for arrays of up to 32 only.
impl Default for Measures {
    fn default() -> Self {
        Measures([0; MEASURE_COUNT])
    }
}

impl Serialize for Measures {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.as_slice().serialize(serializer)
    }
}

impl Measures {
    pub fn get(&self, m: Measure) -> i64 {
        self.0[m.index()]
    }

    pub fn add(&mut self, m: Measure, n: i64) {
        self.0[m.index()] += n;
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|v| *v == 0)
    }

    /// Only the flows (stocks zeroed): what a period's days add up to.
    pub fn flows(&self) -> Measures {
        let mut out = *self;
        for m in Measure::ALL.iter().filter(|m| m.is_stock()) {
            out.0[m.index()] = 0;
        }
        out
    }
}

impl Index<Measure> for Measures {
    type Output = i64;
    fn index(&self, m: Measure) -> &i64 {
        &self.0[m.index()]
    }
}

impl AddAssign for Measures {
    fn add_assign(&mut self, rhs: Measures) {
        for (a, b) in self.0.iter_mut().zip(rhs.0) {
            *a += b;
        }
    }
}

impl SubAssign for Measures {
    fn sub_assign(&mut self, rhs: Measures) {
        for (a, b) in self.0.iter_mut().zip(rhs.0) {
            *a -= b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for m in Measure::ALL {
            assert!(seen.insert(m.column()), "{}", m.column());
            assert_eq!(Measure::from_column(m.column()), Some(*m));
            assert_eq!(Measure::ALL[m.index()], *m);
        }
        assert_eq!(
            Measure::ROLLUP.len() + Measure::PAKN.len(),
            Measure::ALL.len()
        );
        assert!(Measure::ROLLUP.iter().all(|m| !Measure::PAKN.contains(m)));
        assert_eq!(Measure::from_column("nope"), None);
    }

    #[test]
    fn flows_drop_stocks() {
        let mut m = Measures::default();
        m.add(Measure::OpenAtEnd, 3);
        m.add(Measure::Received, 2);
        let f = m.flows();
        assert_eq!(f[Measure::OpenAtEnd], 0);
        assert_eq!(f[Measure::Received], 2);
    }
}
