//! Org-local calendar arithmetic. Every day, month and quarter boundary is taken in the
//! organization's time zone (default Asia/Shanghai), never in UTC. Business days skip
//! weekends and configured holidays, and count configured make-up working days (调休).
use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const DEFAULT_TZ: Tz = chrono_tz::Asia::Shanghai;

/// The day a fact outside the organization's known days (`org_days`) is counted under: kept,
/// never shown.
pub const OUTSIDE_DAY: &str = "0000-00-01";

/// Parses an IANA zone name as stored in the settings.
pub fn parse_tz(name: &str) -> Option<Tz> {
    name.parse().ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Period {
    Day(NaiveDate),
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
}

impl Period {
    pub fn day_of(at: DateTime<Utc>, tz: Tz) -> Self {
        Period::Day(local_date(at, tz))
    }

    pub fn month_of(at: DateTime<Utc>, tz: Tz) -> Self {
        let d = local_date(at, tz);
        Period::Month { year: d.year(), month: d.month() }
    }

    pub fn quarter_of(at: DateTime<Utc>, tz: Tz) -> Self {
        let d = local_date(at, tz);
        Period::Quarter { year: d.year(), quarter: (d.month() - 1) / 3 + 1 }
    }

    /// First and last local calendar day.
    pub fn dates(&self) -> (NaiveDate, NaiveDate) {
        let first = self.first_date();
        let next = self.next().first_date();
        (first, next - Duration::days(1))
    }

    fn first_date(&self) -> NaiveDate {
        match *self {
            Period::Day(d) => d,
            Period::Month { year, month } => ymd(year, month, 1),
            Period::Quarter { year, quarter } => ymd(year, (quarter - 1) * 3 + 1, 1),
        }
    }

    pub fn next(&self) -> Self {
        match *self {
            Period::Day(d) => Period::Day(d + Duration::days(1)),
            Period::Month { year, month: 12 } => Period::Month { year: year + 1, month: 1 },
            Period::Month { year, month } => Period::Month { year, month: month + 1 },
            Period::Quarter { year, quarter: 4 } => Period::Quarter { year: year + 1, quarter: 1 },
            Period::Quarter { year, quarter } => Period::Quarter { year, quarter: quarter + 1 },
        }
    }

    pub fn previous(&self) -> Self {
        match *self {
            Period::Day(d) => Period::Day(d - Duration::days(1)),
            Period::Month { year, month: 1 } => Period::Month { year: year - 1, month: 12 },
            Period::Month { year, month } => Period::Month { year, month: month - 1 },
            Period::Quarter { year, quarter: 1 } => Period::Quarter { year: year - 1, quarter: 4 },
            Period::Quarter { year, quarter } => Period::Quarter { year, quarter: quarter - 1 },
        }
    }

    /// Half-open UTC interval `[start, end)` of the period in the org time zone.
    pub fn bounds(&self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (start_of_local_day(self.first_date(), tz), start_of_local_day(self.next().first_date(), tz))
    }

    pub fn contains(&self, at: DateTime<Utc>, tz: Tz) -> bool {
        let (start, end) = self.bounds(tz);
        start <= at && at < end
    }

    /// The month or quarter named by its key (`2026-11`, `2026-Q4`).
    pub fn parse_key(key: &str) -> Option<Self> {
        let (year, rest) = key.trim().split_once('-')?;
        let year: i32 = year.parse().ok().filter(|y| (2000..=2999).contains(y))?;
        if let Some(q) = rest.strip_prefix('Q') {
            let quarter: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            return Some(Period::Quarter { year, quarter });
        }
        let month: u32 = rest.parse().ok().filter(|m| (1..=12).contains(m))?;
        (rest.len() == 2).then_some(Period::Month { year, month })
    }

    /// `2026-11`, `2026-Q4`, `2026-11-30`: stable keys for storage and display.
    pub fn key(&self) -> String {
        match *self {
            Period::Day(d) => d.format("%Y-%m-%d").to_string(),
            Period::Month { year, month } => format!("{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year:04}-Q{quarter}"),
        }
    }
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// Org-local `YYYY-MM-DD HH:MM` of a stored instant (milliseconds since the epoch).
pub fn local_time(at_ms: i64, tz: Tz) -> String {
    DateTime::from_timestamp_millis(at_ms).unwrap_or_default().with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// The org-local day of a stored instant (milliseconds since the epoch).
pub fn local_day(at_ms: i64, tz: Tz) -> NaiveDate {
    local_date(DateTime::from_timestamp_millis(at_ms).unwrap_or_default(), tz)
}

/// The instant a local calendar day starts (DST-safe: a skipped midnight starts at the first
/// local time that exists).
pub fn start_of_local_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_to_utc(date.and_time(NaiveTime::MIN), tz)
}

pub fn local_to_utc(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => local_to_utc(local + Duration::hours(1), tz),
    }
}

/// Weekends plus configured holidays, minus configured make-up working days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessCalendar {
    pub holidays: BTreeSet<NaiveDate>,
    pub extra_workdays: BTreeSet<NaiveDate>,
}

/// Dates typed as `YYYY-MM-DD`, separated by spaces, commas or new lines (full-width commas
/// too). On failure, the first entry that is not a date.
pub fn parse_dates(input: &str) -> Result<BTreeSet<NaiveDate>, String> {
    input
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、' || c == ';')
        .filter(|t| !t.is_empty())
        .map(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| t.to_string()))
        .collect()
}

/// The dates as `parse_dates` reads them back, one per line.
pub fn format_dates(dates: &BTreeSet<NaiveDate>) -> String {
    dates.iter().map(|d| d.format("%Y-%m-%d").to_string()).collect::<Vec<_>>().join("\n")
}

impl BusinessCalendar {
    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        if self.extra_workdays.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    pub fn next_business_day(&self, after: NaiveDate) -> NaiveDate {
        let mut d = after + Duration::days(1);
        while !self.is_business_day(d) {
            d += Duration::days(1);
        }
        d
    }

    /// Deadline `n` business days after `at`: submitted on a business day, the same local
    /// time `n` business days later; submitted on a day off, the clock starts when the next
    /// business day starts, so the deadline is the end of the `n`-th business day after it.
    pub fn deadline(&self, at: DateTime<Utc>, n: u32, tz: Tz) -> DateTime<Utc> {
        let local = at.with_timezone(&tz).naive_local();
        let day = local.date();
        if self.is_business_day(day) {
            let mut d = day;
            for _ in 0..n {
                d = self.next_business_day(d);
            }
            local_to_utc(d.and_time(local.time()), tz)
        } else {
            let mut d = self.next_business_day(day);
            for _ in 1..n {
                d = self.next_business_day(d);
            }
            start_of_local_day(d + Duration::days(1), tz)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn month_boundary_is_local_not_utc() {
        // Both instants are 2026-11-30 in UTC, but 23:59:59 and 00:00:00 in Shanghai.
        let last = utc("2026-11-30T15:59:59Z"); // 2026-11-30 23:59:59 +08:00
        let first = utc("2026-11-30T16:00:00Z"); // 2026-12-01 00:00:00 +08:00
        assert_eq!(Period::month_of(last, DEFAULT_TZ), Period::Month { year: 2026, month: 11 });
        assert_eq!(Period::month_of(first, DEFAULT_TZ), Period::Month { year: 2026, month: 12 });
        let nov = Period::Month { year: 2026, month: 11 };
        assert_eq!(nov.bounds(DEFAULT_TZ), (utc("2026-10-31T16:00:00Z"), utc("2026-11-30T16:00:00Z")));
        assert!(nov.contains(last, DEFAULT_TZ));
        assert!(!nov.contains(first, DEFAULT_TZ));
    }

    #[test]
    fn quarter_and_day_boundaries() {
        assert_eq!(
            Period::quarter_of(utc("2026-09-30T16:00:00Z"), DEFAULT_TZ),
            Period::Quarter { year: 2026, quarter: 4 }
        );
        assert_eq!(
            Period::quarter_of(utc("2026-09-30T15:59:59Z"), DEFAULT_TZ),
            Period::Quarter { year: 2026, quarter: 3 }
        );
        let q4 = Period::Quarter { year: 2026, quarter: 4 };
        assert_eq!(q4.dates(), (date("2026-10-01"), date("2026-12-31")));
        assert_eq!(q4.next(), Period::Quarter { year: 2027, quarter: 1 });
        assert_eq!(q4.key(), "2026-Q4");
        assert_eq!(Period::Month { year: 2026, month: 1 }.previous().key(), "2025-12");
        assert_eq!(Period::day_of(utc("2026-11-30T16:00:00Z"), DEFAULT_TZ), Period::Day(date("2026-12-01")));
        // Another zone: the same instant is still November in New York.
        let ny: Tz = parse_tz("America/New_York").unwrap();
        assert_eq!(Period::month_of(utc("2026-11-30T16:00:00Z"), ny).key(), "2026-11");
    }

    #[test]
    fn dst_gap_midnight_starts_the_day() {
        // Chile skips midnight→01:00 on 2026-09-06.
        let tz: Tz = parse_tz("America/Santiago").unwrap();
        let start = start_of_local_day(date("2026-09-06"), tz);
        assert_eq!(local_date(start, tz), date("2026-09-06"));
    }

    #[test]
    fn business_deadline_skips_the_weekend() {
        let cal = BusinessCalendar::default();
        // Friday 2026-11-20 15:00 Shanghai → Monday 2026-11-23 15:00.
        let fri = utc("2026-11-20T07:00:00Z");
        assert_eq!(cal.deadline(fri, 1, DEFAULT_TZ), utc("2026-11-23T07:00:00Z"));
        // Saturday 10:00 → the end of Monday.
        let sat = utc("2026-11-21T02:00:00Z");
        assert_eq!(cal.deadline(sat, 1, DEFAULT_TZ), utc("2026-11-23T16:00:00Z"));
        // Tuesday → Wednesday.
        let tue = utc("2026-11-24T01:00:00Z");
        assert_eq!(cal.deadline(tue, 1, DEFAULT_TZ), utc("2026-11-25T01:00:00Z"));
    }

    #[test]
    fn date_lists_parse_and_name_the_bad_entry() {
        let dates = parse_dates("2026-10-01, 2026-10-02\n2026-10-03，2026-10-01").unwrap();
        assert_eq!(dates.len(), 3);
        assert_eq!(parse_dates(&format_dates(&dates)).unwrap(), dates);
        assert_eq!(parse_dates("").unwrap().len(), 0);
        assert_eq!(parse_dates("2026-10-01 10月2日"), Err("10月2日".to_string()));
        assert_eq!(parse_dates("2026-02-30"), Err("2026-02-30".to_string()));
    }

    #[test]
    fn holidays_and_make_up_days() {
        let mut cal = BusinessCalendar::default();
        cal.holidays.insert(date("2026-10-01"));
        cal.holidays.insert(date("2026-10-02"));
        cal.extra_workdays.insert(date("2026-10-10")); // a Saturday worked in exchange
        assert!(!cal.is_business_day(date("2026-10-01")));
        assert!(cal.is_business_day(date("2026-10-10")));
        // Wednesday 2026-09-30 09:00 → Monday 2026-10-05 09:00 (Thu/Fri holidays, weekend).
        assert_eq!(cal.deadline(utc("2026-09-30T01:00:00Z"), 1, DEFAULT_TZ), utc("2026-10-05T01:00:00Z"));
        assert_eq!(cal.next_business_day(date("2026-10-09")), date("2026-10-10"));
    }

    proptest! {
        #[test]
        fn every_instant_is_in_exactly_its_month(secs in 1_500_000_000i64..2_500_000_000) {
            let at = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let m = Period::month_of(at, DEFAULT_TZ);
            prop_assert!(m.contains(at, DEFAULT_TZ));
            prop_assert!(!m.next().contains(at, DEFAULT_TZ));
            prop_assert!(!m.previous().contains(at, DEFAULT_TZ));
            let q = Period::quarter_of(at, DEFAULT_TZ);
            prop_assert!(q.contains(at, DEFAULT_TZ));
        }

        #[test]
        fn deadline_lands_on_a_business_day_after_the_start(secs in 1_700_000_000i64..1_900_000_000) {
            let cal = BusinessCalendar::default();
            let at = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let due = cal.deadline(at, 1, DEFAULT_TZ);
            prop_assert!(due > at);
            let due_day = local_date(due - Duration::seconds(1), DEFAULT_TZ);
            prop_assert!(cal.is_business_day(due_day));
        }
    }

    #[test]
    fn month_and_quarter_keys_round_trip() {
        for key in ["2026-11", "2026-01", "2026-Q4", "2027-Q1"] {
            assert_eq!(Period::parse_key(key).map(|p| p.key()), Some(key.to_string()));
        }
        for bad in ["2026-13", "2026-Q5", "2026-1", "26-11", "2026/11", ""] {
            assert_eq!(Period::parse_key(bad), None, "{bad}");
        }
    }
}
