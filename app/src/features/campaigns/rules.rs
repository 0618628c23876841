//! Campaign rules: the period a campaign runs in (org-local dates, both ends included),
//! boost windows, and the list fields marketing types one entry per line.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

crate::closed_set! {
    /// Where a campaign stands on a given day.
    pub enum Phase("campaign phase") {
        /// Not published yet: only marketing sees it.
        Draft = "draft",
        /// Published, before its first day.
        Upcoming = "upcoming",
        Running = "running",
        /// Past its last day: links and the form answer with a friendly page.
        Ended = "ended",
    }
}

pub fn phase(published: bool, starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> Phase {
    if !published {
        Phase::Draft
    } else if today < starts_on {
        Phase::Upcoming
    } else if today > ends_on {
        Phase::Ended
    } else {
        Phase::Running
    }
}

/// 加倍期: rewards earned from `starts_on` to `ends_on` (inclusive) are multiplied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boost {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub multiplier: Decimal,
}

/// The highest multiplier of the windows covering `day`, 1 outside them.
pub fn multiplier_on(boosts: &[Boost], day: NaiveDate) -> Decimal {
    boosts.iter().filter(|b| b.starts_on <= day && day <= b.ends_on).map(|b| b.multiplier).max().unwrap_or(Decimal::ONE)
}

/// One window per line: `2026-12-01 2026-12-07 1.5`. On failure, the first line that is not one
/// (start after end, a multiplier outside 1–10).
pub fn parse_boosts(input: &str) -> Result<Vec<Boost>, String> {
    input
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let parts: Vec<&str> =
                line.split(|c: char| c.is_whitespace() || c == ',' || c == '，').filter(|p| !p.is_empty()).collect();
            let parsed = match parts.as_slice() {
                [s, e, m] => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .ok()
                    .zip(NaiveDate::parse_from_str(e, "%Y-%m-%d").ok())
                    .zip(m.trim_start_matches(['x', 'X', '×']).parse::<Decimal>().ok()),
                _ => None,
            };
            match parsed {
                Some(((starts_on, ends_on), multiplier))
                    if starts_on <= ends_on && multiplier >= Decimal::ONE && multiplier <= Decimal::TEN =>
                {
                    Ok(Boost { starts_on, ends_on, multiplier })
                }
                _ => Err(line.to_string()),
            }
        })
        .collect()
}

pub fn format_boosts(boosts: &[Boost]) -> String {
    boosts.iter().map(|b| format!("{} {} {}", b.starts_on, b.ends_on, b.multiplier)).collect::<Vec<_>>().join("\n")
}

/// Non-empty trimmed lines, each once, in order.
pub fn lines(input: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in input.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.iter().any(|o| o == l) {
            out.push(l.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn phases_include_both_end_days() {
        let (s, e) = (d("2026-12-01"), d("2026-12-31"));
        assert_eq!(phase(false, s, e, d("2026-12-10")), Phase::Draft);
        assert_eq!(phase(true, s, e, d("2026-11-30")), Phase::Upcoming);
        assert_eq!(phase(true, s, e, d("2026-12-01")), Phase::Running);
        assert_eq!(phase(true, s, e, d("2026-12-31")), Phase::Running);
        assert_eq!(phase(true, s, e, d("2027-01-01")), Phase::Ended);
    }

    #[test]
    fn boosts_parse_and_apply() {
        let b = parse_boosts("2026-12-01 2026-12-07 1.5\n\n2026-12-05，2026-12-06，x2").unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(multiplier_on(&b, d("2026-11-30")), Decimal::ONE);
        assert_eq!(multiplier_on(&b, d("2026-12-01")), dec!(1.5));
        assert_eq!(multiplier_on(&b, d("2026-12-06")), dec!(2), "the highest window wins");
        assert_eq!(parse_boosts(&format_boosts(&b)).unwrap(), b);
        assert_eq!(parse_boosts("2026-12-07 2026-12-01 1.5"), Err("2026-12-07 2026-12-01 1.5".into()));
        assert_eq!(parse_boosts("2026-12-01 2026-12-07 0.5"), Err("2026-12-01 2026-12-07 0.5".into()));
        assert_eq!(parse_boosts("十二月 1.5"), Err("十二月 1.5".into()));
    }

    #[test]
    fn lines_are_trimmed_and_unique() {
        assert_eq!(lines(" 免费量房 \n\n十年质保\n免费量房"), ["免费量房", "十年质保"]);
    }
}
