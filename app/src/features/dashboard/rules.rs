//! The dashboard's arithmetic (PRODUCT.md §6): the period a view covers in the org's time zone,
//! ratios, ROI, output per promoter, the hero board's order and target progress. The counting
//! itself is SQL in `store`.
use super::model::{Range, TargetMetric};
use crate::shared::period::{local_date, Period};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

/// The longest custom period, in days.
pub const MAX_DAYS: i64 = 366;

/// The first and last org-local day a dashboard covers: `today`, `month` (this month so far
/// and to its end) or `custom` (`from` and `to`, inclusive).
pub fn resolve_range(
    range: Range,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<(NaiveDate, NaiveDate), RangeError> {
    match range {
        Range::Today => {
            let d = local_date(now, tz);
            Ok((d, d))
        }
        Range::Month => Ok(Period::month_of(now, tz).dates()),
        Range::Custom => {
            let from: NaiveDate = from.trim().parse().map_err(|_| RangeError::From)?;
            let to: NaiveDate = to.trim().parse().map_err(|_| RangeError::To)?;
            if to < from {
                return Err(RangeError::Order);
            }
            if (to - from).num_days() >= MAX_DAYS {
                return Err(RangeError::TooLong);
            }
            Ok((from, to))
        }
    }
}

/// Which input of the period is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    From,
    To,
    /// `to` before `from`.
    Order,
    /// More than `MAX_DAYS` days.
    TooLong,
}

use crate::shared::money::scaled;
pub use crate::shared::money::{format_bp, format_centi, ratio_bp, roi_centi};

/// Deal amount per active promoter, in fen.
pub fn per_promoter_fen(amount_fen: i64, promoters: i64) -> Option<i64> {
    scaled(amount_fen, promoters, 1)
}

/// One promoter's period on the hero board, before ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeroFigures {
    pub promoter_id: i64,
    pub deal_amount_fen: i64,
    pub deals: i64,
    pub leads: i64,
}

/// The Top `n` by deal amount. Ties: more deals first, then more leads, then the lower
/// promoter id (the earlier to join), so the order never depends on the database's.
/// Promoters without a deal are not on the board. Ranks are 1..=n with no shared places.
pub fn rank_heroes(mut rows: Vec<HeroFigures>, n: usize) -> Vec<(i64, HeroFigures)> {
    rows.retain(|r| r.deals > 0);
    rows.sort_by(|a, b| {
        (b.deal_amount_fen, b.deals, b.leads, a.promoter_id).cmp(&(a.deal_amount_fen, a.deals, a.leads, b.promoter_id))
    });
    rows.into_iter().take(n).enumerate().map(|(i, r)| (i as i64 + 1, r)).collect()
}

/// Progress against a target: the actual figure in hundredths (shares per employee is a
/// per-head average) and the percentage reached, 0–100.
pub fn target_progress(metric: TargetMetric, target: i64, count: i64, employees: i64) -> (i64, i64) {
    let actual_centi = if metric == TargetMetric::SharesPerEmployee {
        scaled(count, employees, 100).unwrap_or(0)
    } else {
        count * 100
    };
    let percent = if target <= 0 { 100 } else { scaled(actual_centi, target * 100, 100).unwrap_or(0).clamp(0, 100) };
    (actual_centi, percent)
}

/// The org-local days from `from` to `to`, inclusive.
pub fn days(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days().take_while(|d| *d <= to).collect()
}

/// `YYYY-MM` of a date.
pub fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn shanghai() -> Tz {
        "Asia/Shanghai".parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn today_and_this_month_are_the_org_local_ones() {
        // 2026-11-30 16:30 UTC is already 1 December in Shanghai.
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 16, 30, 0).unwrap();
        assert_eq!(resolve_range(Range::Today, "", "", now, shanghai()), Ok((d("2026-12-01"), d("2026-12-01"))));
        assert_eq!(resolve_range(Range::Month, "", "", now, shanghai()), Ok((d("2026-12-01"), d("2026-12-31"))));
        let utc: Tz = "UTC".parse().unwrap();
        assert_eq!(resolve_range(Range::Month, "", "", now, utc), Ok((d("2026-11-01"), d("2026-11-30"))));
    }

    #[test]
    fn a_custom_period_names_the_wrong_field() {
        let now = Utc::now();
        assert_eq!(
            resolve_range(Range::Custom, "2026-11-01", "2026-11-30", now, shanghai()),
            Ok((d("2026-11-01"), d("2026-11-30")))
        );
        assert_eq!(resolve_range(Range::Custom, "11/01", "2026-11-30", now, shanghai()), Err(RangeError::From));
        assert_eq!(resolve_range(Range::Custom, "2026-11-01", "30.11.", now, shanghai()), Err(RangeError::To));
        assert_eq!(resolve_range(Range::Custom, "2026-11-30", "2026-11-01", now, shanghai()), Err(RangeError::Order));
        assert_eq!(resolve_range(Range::Custom, "2025-01-01", "2026-11-01", now, shanghai()), Err(RangeError::TooLong));
        assert_eq!(Range::parse("week"), None, "a range not in the set never reaches the arithmetic");
    }

    #[test]
    fn ratios_round_half_up_and_never_divide_by_zero() {
        assert_eq!(ratio_bp(1, 3), Some(3333));
        assert_eq!(ratio_bp(2, 3), Some(6667));
        assert_eq!(ratio_bp(1, 8), Some(1250));
        assert_eq!(ratio_bp(5, 0), None);
        assert_eq!(format_bp(Some(1250)), "12.5%");
        assert_eq!(format_bp(Some(6667)), "66.7%");
        assert_eq!(format_bp(None), "—");
        // ¥10,000 profit on ¥800 of rewards: 12.50.
        assert_eq!(roi_centi(1_000_000, 80_000), Some(1250));
        assert_eq!(format_centi(Some(1250)), "12.50");
        assert_eq!(format_centi(Some(-5)), "-0.05");
        assert_eq!(per_promoter_fen(1_000_001, 2), Some(500_001));
    }

    #[test]
    fn heroes_tie_break_on_deals_then_leads_then_id() {
        let h = |promoter_id, deal_amount_fen, deals, leads| HeroFigures { promoter_id, deal_amount_fen, deals, leads };
        let board = rank_heroes(
            vec![h(5, 100, 1, 0), h(3, 100, 2, 0), h(4, 100, 2, 3), h(2, 100, 2, 3), h(9, 500, 1, 0), h(7, 0, 0, 50)],
            10,
        );
        let order: Vec<(i64, i64)> = board.iter().map(|(rank, r)| (*rank, r.promoter_id)).collect();
        assert_eq!(order, vec![(1, 9), (2, 2), (3, 4), (4, 3), (5, 5)]);
    }

    #[test]
    fn target_progress_caps_at_one_hundred() {
        // 25 shares by 10 employees against 3 a head: 2.50, 83%.
        assert_eq!(target_progress(TargetMetric::SharesPerEmployee, 3, 25, 10), (250, 83));
        assert_eq!(target_progress(TargetMetric::ValidLeads, 20, 30, 10), (3000, 100));
        assert_eq!(target_progress(TargetMetric::Deals, 4, 1, 10), (100, 25));
        assert_eq!(target_progress(TargetMetric::SharesPerEmployee, 3, 5, 0), (0, 0));
    }

    proptest! {
        #[test]
        fn the_board_is_the_same_whatever_the_input_order(
            rows in proptest::collection::vec((0i64..1_000, 0i64..4, 0i64..5), 0..40),
            seed in any::<u64>(),
        ) {
            let rows: Vec<HeroFigures> = rows.iter().enumerate()
                .map(|(i, (a, dl, l))| HeroFigures { promoter_id: i as i64, deal_amount_fen: *a, deals: *dl, leads: *l })
                .collect();
            let mut shuffled = rows.clone();
            let len = shuffled.len();
            for i in 0..len {
                shuffled.swap(i, (seed as usize).wrapping_mul(31).wrapping_add(i * 17) % len.max(1));
            }
            let a = rank_heroes(rows, 10);
            prop_assert_eq!(&a, &rank_heroes(shuffled, 10));
            prop_assert!(a.len() <= 10);
            for w in a.windows(2) {
                prop_assert!(w[0].1.deal_amount_fen >= w[1].1.deal_amount_fen);
            }
        }

        #[test]
        fn a_ratio_is_within_half_a_basis_point(num in 0i64..1_000_000, den in 1i64..1_000_000) {
            let bp = ratio_bp(num, den).unwrap();
            let exact = num as f64 * 10_000.0 / den as f64;
            prop_assert!((bp as f64 - exact).abs() <= 0.5 + 1e-9);
        }
    }
}
