//! Distinct active promoters (a click, a share or a lead) of a slice, from `promoter_months`:
//! one row per promoter, month, campaign, department and kind with each channel's active days
//! as bits (migration `20261204000001_dashboard_reads`). A load reads the rows of the slice's
//! months once, each reduced to the channels it was active through within the slice's days,
//! ordered by promoter; the totals and every cut count distinct promoters over them.
use super::figures::Slice;
use crate::features::dashboard::rules::month_key;
use crate::features::promotion::Channel;
use crate::features::rewards::engine::PromoterKind;
use crate::plumbing::errors::AppError;
use chrono::{Datelike, NaiveDate};
use sqlx::{AnyPool, Row};

/// The column of each channel's days; `None` is a share, which counts under any channel.
pub const COLUMNS: [(Option<Channel>, &str); 8] = [
    (None, "shares_days"),
    (Some(Channel::Moments), "moments_days"),
    (Some(Channel::Group), "group_days"),
    (Some(Channel::Qr), "qr_days"),
    (Some(Channel::Sms), "sms_days"),
    (Some(Channel::Poster), "poster_days"),
    (Some(Channel::Other), "other_days"),
    (Some(Channel::Direct), "direct_days"),
];

/// One promoter's activity under one campaign, department and kind within the slice's days:
/// bit i of `channels` for `COLUMNS[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Active {
    promoter_id: i64,
    campaign_id: i64,
    department_id: i64,
    kind: Option<PromoterKind>,
    channels: u16,
}

fn bit(channel: Option<Channel>) -> u16 {
    COLUMNS.iter().position(|(c, _)| *c == channel).map_or(0, |i| 1 << i)
}

impl Active {
    fn within(&self, s: &Slice) -> bool {
        // A share passes any channel filter, as shares always have.
        let channels = s.channel.map_or(u16::MAX, |c| bit(Some(c)) | bit(None));
        self.channels & channels != 0
            && s.campaign_id.is_none_or(|c| c == self.campaign_id)
            && s.department_id.is_none_or(|d| d == self.department_id)
            && s.promoter_kind.is_none_or(|k| self.kind == Some(k))
    }
}

/// Distinct promoters of `rows` (ordered by promoter) active within the slice.
pub fn count(rows: &[Active], s: &Slice) -> i64 {
    let mut last = None;
    let mut n = 0;
    for r in rows.iter().filter(|r| r.within(s)) {
        if last != Some(r.promoter_id) {
            last = Some(r.promoter_id);
            n += 1;
        }
    }
    n
}

/// Bits of the days of `month` (its first day) within `from..=to`.
pub fn month_mask(month: NaiveDate, from: NaiveDate, to: NaiveDate) -> i64 {
    month
        .iter_days()
        .take_while(|d| d.month() == month.month())
        .filter(|d| *d >= from && *d <= to)
        .fold(0i64, |mask, d| mask | 1 << (d.day() - 1))
}

/// The rows of the slice's months, reduced to the slice's days and its campaign, department and
/// kind filters (a channel filter is applied by `count`).
pub async fn read(pool: &AnyPool, s: &Slice) -> Result<Vec<Active>, AppError> {
    let first = s.from.with_day(1).unwrap_or(s.from);
    let last = s.to.with_day(1).unwrap_or(s.to);
    // Only the first and last month can be partial: their masks, every other month's whole.
    let mask = if first == last {
        month_mask(first, s.from, s.to).to_string()
    } else {
        format!(
            "CASE month WHEN '{}' THEN {} WHEN '{}' THEN {} ELSE -1 END",
            month_key(first),
            month_mask(first, s.from, s.to),
            month_key(last),
            month_mask(last, s.from, s.to)
        )
    };
    let channels = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (_, col))| format!("MAX(CASE WHEN ({col} & {mask}) <> 0 THEN {} ELSE 0 END)", 1 << i))
        .collect::<Vec<_>>()
        .join(" + ");
    // Integers and closed-set spellings only.
    let mut filters = String::new();
    if let Some(c) = s.campaign_id {
        filters += &format!(" AND campaign_id = {c}");
    }
    if let Some(d) = s.department_id {
        filters += &format!(" AND department_id = {d}");
    }
    if let Some(k) = s.promoter_kind {
        filters += &format!(" AND promoter_kind = '{}'", k.as_str());
    }
    let months = if first == last { "month = $1".to_string() } else { "month >= $1 AND month <= $2".to_string() };
    let sql = format!(
        "SELECT promoter_id, campaign_id, department_id, promoter_kind, {channels} AS channels FROM promoter_months \
         WHERE {months}{filters} GROUP BY promoter_id, campaign_id, department_id, promoter_kind ORDER BY promoter_id"
    );
    let mut q = sqlx::query(&sql).bind(month_key(first));
    if first != last {
        q = q.bind(month_key(last));
    }
    let mut rows = Vec::new();
    for r in q.fetch_all(pool).await? {
        let channels = u16::try_from(r.try_get::<i64, _>("channels")?).unwrap_or(0);
        if channels == 0 {
            continue;
        }
        let kind = r.try_get::<String, _>("promoter_kind")?;
        rows.push(Active {
            promoter_id: r.try_get("promoter_id")?,
            campaign_id: r.try_get("campaign_id")?,
            department_id: r.try_get("department_id")?,
            kind: match kind.as_str() {
                "" => None,
                k => Some(
                    PromoterKind::parse(k)
                        .ok_or_else(|| crate::plumbing::state::internal(format!("promoter kind {k:?}")))?,
                ),
            },
            channels,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_has_its_column() {
        for c in Channel::ALL {
            assert_ne!(bit(Some(*c)), 0, "{c:?} has no column in promoter_months");
        }
        assert_eq!(bit(None), 1);
    }

    #[test]
    fn a_month_mask_keeps_the_days_within() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(month_mask(d(2, 1), d(1, 15), d(3, 2)), (1 << 28) - 1);
        assert_eq!(month_mask(d(12, 1), d(12, 2), d(12, 3)), 0b110);
        assert_eq!(month_mask(d(12, 1), d(11, 1), d(12, 31)), (1i64 << 31) - 1);
    }

    #[test]
    fn a_promoter_counts_once_and_a_share_under_any_channel() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let row = |p, campaign, channel| Active {
            promoter_id: p,
            campaign_id: campaign,
            department_id: 1,
            kind: Some(PromoterKind::Employee),
            channels: bit(channel),
        };
        let rows = [
            row(1, 1, Some(Channel::Qr)),
            row(1, 2, Some(Channel::Sms)),
            row(2, 1, None),
            row(3, 2, Some(Channel::Sms)),
        ];
        let s = Slice::days(day, day);
        assert_eq!(count(&rows, &s), 3);
        assert_eq!(count(&rows, &Slice { channel: Some(Channel::Qr), ..s.clone() }), 2);
        assert_eq!(count(&rows, &Slice { channel: Some(Channel::Sms), campaign_id: Some(2), ..s.clone() }), 2);
        assert_eq!(count(&rows, &Slice { promoter_kind: Some(PromoterKind::Partner), ..s }), 0);
    }
}
