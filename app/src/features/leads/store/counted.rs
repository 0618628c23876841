//! The dashboard's counters for a batch of new leads: the batch form of the `leads_counted`
//! trigger (migrations), which skips the leads stored with `counted_by_writer = 1`. The batch's
//! leads are summed here and each counter row is upserted once, by a statement whose text never
//! changes (prepared once per connection): under load a batch holds dozens of leads and most
//! share a day, campaign and channel. Exact like the trigger: the recount
//! (`dashboard::store::recount`) and the random-stream test compare.
use crate::features::leads::model::LeadStatus;
use crate::features::promotion::Channel;
use crate::plumbing::db::Tx;
use std::collections::BTreeMap;

use crate::shared::period::OUTSIDE_DAY as OUTSIDE;

/// A lead as its insert counts it, with what screening read in the same transaction: its
/// org-local day and the promoter's department and kind (`FACTS_SELECT` in `writer`).
pub struct NewLead {
    pub day: Option<String>,
    pub campaign_id: i64,
    pub channel: Channel,
    /// The promoter credited, with their department (0 for none) and kind as filed now.
    pub promoter: Option<(i64, i64, String)>,
    /// A deactivated promoter's department, credited instead of them.
    pub department_id: Option<i64>,
    /// The status it was stored with: a later change in the same transaction (a lost phone
    /// claim makes it a duplicate) is counted by the update trigger.
    pub status: LeadStatus,
}

/// A status's column in `FIGURES` (after the key's five).
fn status_column(status: LeadStatus) -> usize {
    match status {
        LeadStatus::Pending => 0,
        LeadStatus::Held => 1,
        LeadStatus::Valid => 2,
        LeadStatus::Duplicate => 3,
        LeadStatus::Invalid => 4,
        LeadStatus::Rejected => 5,
    }
}

const FIGURES: &str = "INSERT INTO figure_counts (day, campaign_id, channel, department_id, promoter_kind, leads_pending, leads_held, leads_valid, leads_duplicate, leads_invalid, leads_rejected) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
     ON CONFLICT (day, campaign_id, channel, department_id, promoter_kind) DO UPDATE SET \
        leads_pending = figure_counts.leads_pending + excluded.leads_pending, \
        leads_held = figure_counts.leads_held + excluded.leads_held, \
        leads_valid = figure_counts.leads_valid + excluded.leads_valid, \
        leads_duplicate = figure_counts.leads_duplicate + excluded.leads_duplicate, \
        leads_invalid = figure_counts.leads_invalid + excluded.leads_invalid, \
        leads_rejected = figure_counts.leads_rejected + excluded.leads_rejected";

/// A channel's `*_days` column in `ACTIVE_DAYS` (after the key's five).
fn day_column(channel: Channel) -> usize {
    match channel {
        Channel::Moments => 0,
        Channel::Group => 1,
        Channel::Qr => 2,
        Channel::Sms => 3,
        Channel::Poster => 4,
        Channel::Other => 5,
        Channel::Direct => 6,
    }
}

const ACTIVE_DAYS: &str = "INSERT INTO promoter_months (month, promoter_id, campaign_id, department_id, promoter_kind, moments_days, group_days, qr_days, sms_days, poster_days, other_days, direct_days) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
     ON CONFLICT (month, promoter_id, campaign_id, department_id, promoter_kind) DO UPDATE SET \
        moments_days = promoter_months.moments_days | excluded.moments_days, \
        group_days = promoter_months.group_days | excluded.group_days, \
        qr_days = promoter_months.qr_days | excluded.qr_days, \
        sms_days = promoter_months.sms_days | excluded.sms_days, \
        poster_days = promoter_months.poster_days | excluded.poster_days, \
        other_days = promoter_months.other_days | excluded.other_days, \
        direct_days = promoter_months.direct_days | excluded.direct_days";

type FigureKey = (String, i64, &'static str, i64, String);
type MonthKey = (String, i64, i64, i64, String);

/// The batch's counts by counter row. Keys are ordered, so that two instances' batches lock
/// shared rows in the same order.
fn sums(leads: &[&NewLead]) -> (BTreeMap<FigureKey, [i64; 6]>, BTreeMap<MonthKey, [i64; 7]>) {
    let mut figures: BTreeMap<FigureKey, [i64; 6]> = BTreeMap::new();
    let mut months: BTreeMap<MonthKey, [i64; 7]> = BTreeMap::new();
    for lead in leads {
        let day = lead.day.as_deref().unwrap_or(OUTSIDE);
        let (department, kind) = match &lead.promoter {
            Some((_, department, kind)) => (*department, kind.clone()),
            None => (lead.department_id.unwrap_or(0), String::new()),
        };
        let key = (day.to_string(), lead.campaign_id, lead.channel.as_str(), department, kind);
        figures.entry(key).or_default()[status_column(lead.status)] += 1;
        if let Some((promoter, department, kind)) = &lead.promoter {
            let month = day.get(..7).unwrap_or(&OUTSIDE[..7]);
            let key = (month.to_string(), *promoter, lead.campaign_id, *department, kind.clone());
            let of_month = day.get(8..10).and_then(|d| d.parse::<u32>().ok()).unwrap_or(1);
            let bit = 1i64 << of_month.clamp(1, 31).saturating_sub(1);
            months.entry(key).or_default()[day_column(lead.channel)] |= bit;
        }
    }
    (figures, months)
}

/// Counts the leads, all stored in `tx` with `counted_by_writer = 1`.
pub async fn count(tx: &mut Tx, leads: &[&NewLead]) -> Result<(), sqlx::Error> {
    let (figures, months) = sums(leads);
    for ((day, campaign, channel, department, kind), counts) in figures {
        let mut query = sqlx::query(FIGURES).bind(day).bind(campaign).bind(channel).bind(department).bind(kind);
        for n in counts {
            query = query.bind(n);
        }
        query.execute(&mut **tx).await?;
    }
    for ((month, promoter, campaign, department, kind), bits) in months {
        let mut query = sqlx::query(ACTIVE_DAYS).bind(month).bind(promoter).bind(campaign).bind(department).bind(kind);
        for b in bits {
            query = query.bind(b);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(day: &str, channel: Channel, promoter: Option<i64>, status: LeadStatus) -> NewLead {
        NewLead {
            day: Some(day.to_string()),
            campaign_id: 1,
            channel,
            promoter: promoter.map(|p| (p, 3, "employee".to_string())),
            department_id: None,
            status,
        }
    }

    /// One row per key with the batch's sums; a promoter's days as bits, OR-ed per channel.
    #[test]
    fn a_batch_sums_to_one_row_per_counter() {
        let leads = [
            lead("2026-12-04", Channel::Direct, None, LeadStatus::Pending),
            lead("2026-12-04", Channel::Direct, None, LeadStatus::Pending),
            lead("2026-12-04", Channel::Direct, None, LeadStatus::Held),
            lead("2026-12-04", Channel::Qr, Some(7), LeadStatus::Pending),
            lead("2026-12-05", Channel::Qr, Some(7), LeadStatus::Rejected),
            lead("2026-12-05", Channel::Moments, Some(7), LeadStatus::Valid),
        ];
        let refs: Vec<&NewLead> = leads.iter().collect();
        let (figures, months) = sums(&refs);
        assert_eq!(figures.len(), 4);
        let direct = ("2026-12-04".to_string(), 1, "direct", 0, String::new());
        assert_eq!(figures[&direct], [2, 1, 0, 0, 0, 0]);
        let qr = ("2026-12-05".to_string(), 1, "qr", 3, "employee".to_string());
        assert_eq!(figures[&qr], [0, 0, 0, 0, 0, 1]);
        let month = ("2026-12".to_string(), 7, 1, 3, "employee".to_string());
        assert_eq!(months.len(), 1);
        // Bits 3 and 4 (the 4th and 5th) for QR, bit 4 for moments.
        assert_eq!(months[&month], [1 << 4, 0, (1 << 3) | (1 << 4), 0, 0, 0, 0]);
    }

    /// A deactivated promoter's department is credited, without a kind or active days.
    #[test]
    fn a_department_credit_has_no_promoter_row() {
        let mut l = lead("2026-12-04", Channel::Poster, None, LeadStatus::Valid);
        l.department_id = Some(9);
        let (figures, months) = sums(&[&l]);
        assert!(figures.contains_key(&("2026-12-04".to_string(), 1, "poster", 9, String::new())));
        assert!(months.is_empty());
    }
}
