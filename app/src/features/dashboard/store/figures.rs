//! The figures of PRODUCT.md §6, counted in the database for a period of org-local days and a
//! slice (campaign, channel, department, promoter kind), the hero board, department targets
//! and the promoter's own numbers. Definitions:
//! - clicks: personal-link clicks other than bots and link previews; unique visitors: once
//!   per link and org-local day;
//! - shares: posters saved, links copied, content shared (not cut by channel);
//! - leads: submitted in the period, by status; response rate: of the leads assigned in the
//!   period, the share first contacted within the lead policy's window (`leads::rules::response`);
//! - a lead's channel is that of the visitor's last click on the link before submitting, a
//!   deal's that of its lead (`direct` without one);
//! - deals and deal amount: signed in the period; profit: amount less cost (a deal without a
//!   cost counts at its amount);
//! - reward cost: statement lines vesting in the period (adjustments count against the period
//!   of the line they correct); ROI = profit ÷ reward cost;
//! - output per promoter: deal amount ÷ promoters with a click, share or lead in the period.
use crate::features::dashboard::model::{
    Cut, CutRow, Dashboard, DashboardQuery, Dimension, Field, Figures, Range, TrendDay,
};
use crate::features::dashboard::rules::{days, month_key, per_promoter_fen, ratio_bp, roi_centi, MAX_DAYS};
use crate::features::leads::LeadStatus;
use crate::features::promotion::Channel;
use crate::features::rewards::engine::PromoterKind;
use crate::plumbing::db::SetColumn;
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::now_ms;
use crate::shared::closed_set::Sent;
use crate::shared::period::{local_date, start_of_local_day};
use crate::shared::Choice;
use chrono::{NaiveDate, Utc};
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// A slice of the facts: the period and the filters, checked, so they can be written into SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub campaign_id: Option<i64>,
    pub channel: Option<Channel>,
    pub department_id: Option<i64>,
    pub promoter_kind: Option<PromoterKind>,
}

/// A closed-set filter: none (or empty) means all; a value not in the set names `field`.
fn pick<T: Copy>(value: &Option<Sent<T>>, field: Field) -> Result<Option<T>, AppError> {
    match value {
        None => Ok(None),
        Some(Sent::Unknown(s)) if s.is_empty() => Ok(None),
        Some(sent) => sent.known(|| AppError::invalid(field, Problem::UnknownChoice)).map(Some),
    }
}

impl Slice {
    /// Checks a query from the page; the error names the field.
    pub fn parse(q: &DashboardQuery, org: &OrgSettings) -> Result<Slice, AppError> {
        use crate::features::dashboard::rules::{resolve_range, RangeError};
        let range = pick(&q.range, Field::Period)?.unwrap_or(Range::Today);
        let (from, to) = resolve_range(range, &q.from, &q.to, Utc::now(), org.tz).map_err(|e| match e {
            RangeError::From => AppError::invalid(Field::From, Problem::Date),
            RangeError::To => AppError::invalid(Field::To, Problem::Date),
            RangeError::Order => AppError::invalid(Field::To, Problem::EndsBeforeStart),
            RangeError::TooLong => AppError::invalid(Field::To, Problem::OutOfRange { min: 1, max: MAX_DAYS }),
        })?;
        Ok(Slice {
            from,
            to,
            campaign_id: q.campaign_id,
            channel: pick(&q.channel, Field::Channel)?,
            department_id: q.department_id,
            promoter_kind: pick(&q.promoter_kind, Field::PromoterKind)?,
        })
    }

    /// The whole organization over these days.
    pub fn days(from: NaiveDate, to: NaiveDate) -> Slice {
        Slice { from, to, campaign_id: None, channel: None, department_id: None, promoter_kind: None }
    }

    pub fn bounds_ms(&self, org: &OrgSettings) -> (i64, i64) {
        let start = start_of_local_day(self.from, org.tz).timestamp_millis();
        let end = start_of_local_day(self.to.succ_opt().unwrap_or(self.to), org.tz).timestamp_millis();
        (start, end)
    }

    /// Conditions on the promoter (`col`), campaign (`campaign`) and channel (`channel`)
    /// expressions. Every value is an integer or one of the fixed lists above.
    fn filters(&self, col: &str, campaign: Option<&str>, channel: Option<&str>) -> String {
        let mut sql = String::new();
        if let (Some(id), Some(c)) = (self.campaign_id, campaign) {
            sql += &format!(" AND {c} = {id}");
        }
        if let (Some(ch), Some(expr)) = (self.channel, channel) {
            sql += &format!(" AND {expr} = '{}'", ch.as_str());
        }
        if let Some(d) = self.department_id {
            // A lead through a deactivated person's link may be credited to their department.
            let credited = if col == "l.promoter_id" { format!(" OR l.department_id = {d}") } else { String::new() };
            sql += &format!(" AND ({col} IN (SELECT id FROM users WHERE department_id = {d}){credited})");
        }
        match self.promoter_kind {
            Some(PromoterKind::Partner) => {
                sql += &format!(" AND {col} IN (SELECT user_id FROM user_roles WHERE role = 'partner')")
            }
            Some(PromoterKind::Customer) => {
                sql += &format!(
                    " AND {col} IN (SELECT user_id FROM user_roles WHERE role = 'customer') \
                     AND {col} NOT IN (SELECT user_id FROM user_roles WHERE role = 'partner')"
                )
            }
            Some(PromoterKind::Employee) => {
                sql += &format!(
                    " AND {col} IN (SELECT user_id FROM user_roles WHERE role IN ('employee', 'sales', 'marketing', 'finance', 'admin')) \
                     AND {col} NOT IN (SELECT user_id FROM user_roles WHERE role IN ('partner', 'customer'))"
                )
            }
            None => {}
        }
        sql
    }
}

/// The channel of a lead (`l`), kept with it when it was submitted.
const LEAD_CHANNEL: &str = "COALESCE(l.channel, 'direct')";

fn deal_channel() -> String {
    format!("COALESCE((SELECT {LEAD_CHANNEL} FROM leads l WHERE l.id = d.lead_id), 'direct')")
}

pub async fn scalar(pool: &AnyPool, sql: &str) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(sql).fetch_one(pool).await?.unwrap_or(0))
}

/// Every figure of one slice.
pub async fn figures(pool: &AnyPool, org: &OrgSettings, s: &Slice) -> Result<Figures, AppError> {
    let (start, end) = s.bounds_ms(org);
    let (from, to) = (s.from.to_string(), s.to.to_string());
    let clicks_where = format!(
        "FROM clicks c JOIN promo_links pl ON pl.id = c.link_id WHERE c.ua_class <> 'bot' AND c.at >= {start} AND c.at < {end}{}",
        s.filters("pl.promoter_id", Some("pl.campaign_id"), Some("c.channel"))
    );
    let click_row =
        sqlx::query(&format!("SELECT COUNT(*) AS n, CAST(SUM(c.unique_visit) AS BIGINT) AS u {clicks_where}"))
            .fetch_one(pool)
            .await?;
    let shares_where = format!(
        "FROM shares sh JOIN promo_links pl ON pl.id = sh.link_id WHERE sh.at >= {start} AND sh.at < {end}{}",
        s.filters("pl.promoter_id", Some("pl.campaign_id"), None)
    );
    let leads_where = format!(
        "FROM leads l WHERE l.submitted_at >= {start} AND l.submitted_at < {end}{}",
        s.filters("l.promoter_id", Some("l.campaign_id"), Some(LEAD_CHANNEL))
    );
    let mut f = Figures {
        clicks: click_row.try_get("n")?,
        unique_visitors: click_row.try_get::<Option<i64>, _>("u")?.unwrap_or(0),
        shares: scalar(pool, &format!("SELECT COUNT(*) {shares_where}")).await?,
        ..Figures::default()
    };
    for r in
        sqlx::query(&format!("SELECT l.status, COUNT(*) AS n {leads_where} GROUP BY l.status")).fetch_all(pool).await?
    {
        let n: i64 = r.try_get("n")?;
        f.leads += n;
        match r.set("leads", "status")? {
            LeadStatus::Pending => f.leads_pending += n,
            LeadStatus::Held => f.leads_held += n,
            LeadStatus::Valid => f.leads_valid += n,
            LeadStatus::Duplicate => f.leads_duplicate += n,
            LeadStatus::Invalid => f.leads_invalid += n,
            LeadStatus::Rejected => f.leads_rejected += n,
        }
    }
    let assigned: Vec<(i64, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT l.assigned_at, l.first_contact_at FROM leads l WHERE l.assigned_at >= {start} AND l.assigned_at < {end}{}",
        s.filters("l.promoter_id", Some("l.campaign_id"), Some(LEAD_CHANNEL))
    ))
    .fetch_all(pool)
    .await?;
    let window_ms = crate::features::leads::store::policy::first_contact_ms(pool).await?;
    f.response_rate_bp = crate::features::leads::rules::response::response_rate(&assigned, now_ms(), window_ms)
        .and_then(|r| rust_decimal::prelude::ToPrimitive::to_i64(&(r * rust_decimal::Decimal::from(10_000)).round()));
    let deals = sqlx::query(&format!(
        "SELECT COUNT(*) AS n, CAST(SUM(d.amount_fen) AS BIGINT) AS amount, \
         CAST(SUM(d.amount_fen - COALESCE(d.cost_fen, 0)) AS BIGINT) AS profit \
         FROM deals d WHERE d.signed_on >= $1 AND d.signed_on <= $2{}",
        s.filters("d.promoter_id", Some("d.campaign_id"), Some(&deal_channel()))
    ))
    .bind(&from)
    .bind(&to)
    .fetch_one(pool)
    .await?;
    f.deals = deals.try_get("n")?;
    f.deal_amount_fen = deals.try_get::<Option<i64>, _>("amount")?.unwrap_or(0);
    f.deal_profit_fen = deals.try_get::<Option<i64>, _>("profit")?.unwrap_or(0);
    // Lines without a deal (targets, valid leads) have no campaign or channel.
    let line_campaign = "(SELECT d.campaign_id FROM deals d WHERE d.id = rl.deal_id)";
    let line_channel = format!("(SELECT {} FROM deals d WHERE d.id = rl.deal_id)", deal_channel());
    f.reward_cost_fen = sqlx::query_scalar::<_, Option<i64>>(&format!(
        "SELECT CAST(SUM(rl.amount_fen) AS BIGINT) FROM reward_ledger rl WHERE rl.vests_on >= $1 AND rl.vests_on <= $2{}",
        s.filters("rl.promoter_id", Some(line_campaign), Some(&line_channel))
    ))
    .bind(&from)
    .bind(&to)
    .fetch_one(pool)
    .await?
    .unwrap_or(0);
    f.active_promoters = scalar(
        pool,
        &format!(
            "SELECT COUNT(*) FROM (SELECT pl.promoter_id AS p {clicks_where} UNION SELECT pl.promoter_id {shares_where} \
             UNION SELECT l.promoter_id {leads_where} AND l.promoter_id IS NOT NULL) active"
        ),
    )
    .await?;
    f.roi_centi = roi_centi(f.deal_profit_fen, f.reward_cost_fen);
    f.cost_ratio_bp = ratio_bp(f.reward_cost_fen, f.deal_profit_fen);
    f.output_per_promoter_fen = per_promoter_fen(f.deal_amount_fen, f.active_promoters);
    f.click_to_lead_bp = ratio_bp(f.leads, f.clicks);
    f.lead_to_deal_bp = ratio_bp(f.deals, f.leads);
    Ok(f)
}

/// Clicks, leads and deals per org-local day of the slice.
pub async fn trend(pool: &AnyPool, org: &OrgSettings, s: &Slice) -> Result<Vec<TrendDay>, AppError> {
    let (start, end) = s.bounds_ms(org);
    let mut by_day: BTreeMap<NaiveDate, TrendDay> = days(s.from, s.to)
        .into_iter()
        .map(|d| (d, TrendDay { day: d.to_string(), clicks: 0, leads: 0, deals: 0 }))
        .collect();
    // Quarter-hour buckets from the start: exact for every time zone offset, summed by local day here.
    const BUCKET: i64 = 15 * 60_000;
    let buckets = |table_where: String, at: &str| {
        format!("SELECT CAST(({at} - {start}) / {BUCKET} AS BIGINT) AS b, COUNT(*) AS n {table_where} GROUP BY 1")
    };
    let clicks = buckets(
        format!(
            "FROM clicks c JOIN promo_links pl ON pl.id = c.link_id WHERE c.ua_class <> 'bot' AND c.at >= {start} AND c.at < {end}{}",
            s.filters("pl.promoter_id", Some("pl.campaign_id"), Some("c.channel"))
        ),
        "c.at",
    );
    let leads = buckets(
        format!(
            "FROM leads l WHERE l.submitted_at >= {start} AND l.submitted_at < {end}{}",
            s.filters("l.promoter_id", Some("l.campaign_id"), Some(LEAD_CHANNEL))
        ),
        "l.submitted_at",
    );
    for (sql, is_click) in [(clicks, true), (leads, false)] {
        for r in sqlx::query(&sql).fetch_all(pool).await? {
            let at = start + r.try_get::<i64, _>("b")? * BUCKET;
            let day = local_date(chrono::DateTime::from_timestamp_millis(at).unwrap_or_default(), org.tz);
            if let Some(t) = by_day.get_mut(&day) {
                let n: i64 = r.try_get("n")?;
                if is_click {
                    t.clicks += n
                } else {
                    t.leads += n
                }
            }
        }
    }
    for r in sqlx::query(&format!(
        "SELECT d.signed_on, COUNT(*) AS n FROM deals d WHERE d.signed_on >= $1 AND d.signed_on <= $2{} GROUP BY d.signed_on",
        s.filters("d.promoter_id", Some("d.campaign_id"), Some(&deal_channel()))
    ))
    .bind(s.from.to_string())
    .bind(s.to.to_string())
    .fetch_all(pool)
    .await?
    {
        if let Ok(day) = r.try_get::<String, _>("signed_on")?.parse::<NaiveDate>() {
            if let Some(t) = by_day.get_mut(&day) {
                t.deals += r.try_get::<i64, _>("n")?;
            }
        }
    }
    Ok(by_day.into_values().collect())
}

pub async fn choices(pool: &AnyPool, sql: &str) -> Result<Vec<Choice>, AppError> {
    let rows = sqlx::query(sql).fetch_all(pool).await?;
    rows.iter().map(|r| Ok(Choice { id: r.try_get("id")?, name: r.try_get("name")? })).collect()
}

/// The values of a dimension within the slice, each as its key, label and narrowed slice;
/// a value that contradicts the filter (another campaign) is left out.
pub async fn cut_keys(
    pool: &AnyPool,
    s: &Slice,
    dimension: Dimension,
) -> Result<Vec<(String, String, Slice)>, AppError> {
    let keys: Vec<(String, String, Slice)> = match dimension {
        Dimension::Campaign => choices(pool, "SELECT id, name FROM campaigns ORDER BY id")
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), c.name, Slice { campaign_id: Some(c.id), ..s.clone() }))
            .collect(),
        Dimension::Channel => Channel::ALL
            .iter()
            .map(|&c| (c.to_string(), c.to_string(), Slice { channel: Some(c), ..s.clone() }))
            .collect(),
        Dimension::Department => choices(pool, "SELECT id, name FROM departments ORDER BY id")
            .await?
            .into_iter()
            .map(|d| (d.id.to_string(), d.name, Slice { department_id: Some(d.id), ..s.clone() }))
            .collect(),
        Dimension::PromoterKind => PromoterKind::ALL
            .iter()
            .map(|&k| (k.to_string(), k.to_string(), Slice { promoter_kind: Some(k), ..s.clone() }))
            .collect(),
    };
    Ok(keys
        .into_iter()
        .filter(|(_, _, slice)| {
            !(slice.campaign_id != s.campaign_id && s.campaign_id.is_some()
                || slice.channel != s.channel && s.channel.is_some()
                || slice.department_id != s.department_id && s.department_id.is_some()
                || slice.promoter_kind != s.promoter_kind && s.promoter_kind.is_some())
        })
        .collect())
}

/// A cut shows a value only when something happened under it.
pub fn shown(f: &Figures) -> bool {
    (f.clicks, f.shares, f.leads, f.deals, f.reward_cost_fen) != (0, 0, 0, 0, 0)
}

/// One cut: the figures of every value of a dimension, within the slice.
pub async fn cut(pool: &AnyPool, org: &OrgSettings, s: &Slice, dimension: Dimension) -> Result<Cut, AppError> {
    let mut rows = Vec::new();
    for (key, label, slice) in cut_keys(pool, s, dimension).await? {
        let figures = figures(pool, org, &slice).await?;
        if shown(&figures) {
            rows.push(CutRow { key, label, figures });
        }
    }
    Ok(Cut { dimension, rows })
}

/// The dashboard counted from the raw facts: what the counters (`counters::dashboard`) must
/// equal, and what the tests compare them with.
pub async fn from_facts(pool: &AnyPool, org: &OrgSettings, s: &Slice) -> Result<Dashboard, AppError> {
    let mut cuts = Vec::new();
    for &dimension in Dimension::ALL {
        cuts.push(cut(pool, org, s, dimension).await?);
    }
    Ok(Dashboard {
        from: s.from.to_string(),
        to: s.to.to_string(),
        totals: figures(pool, org, s).await?,
        trend: trend(pool, org, s).await?,
        cuts,
        targets: super::targets::targets(pool, org, &month_key(s.from), None).await?,
        campaigns: choices(pool, "SELECT id, name FROM campaigns ORDER BY id").await?,
        departments: choices(pool, "SELECT id, name FROM departments ORDER BY id").await?,
    })
}

/// A cut as CSV, for the export button.
pub async fn cut_csv(pool: &AnyPool, org: &OrgSettings, s: &Slice, dimension: Dimension) -> Result<String, AppError> {
    let cut = super::counters::cut(pool, org, s, dimension).await?;
    let yuan = crate::shared::money::format_yuan;
    let bp = crate::features::dashboard::rules::format_bp;
    let mut w = crate::plumbing::sheet::Sheet::new([
        dimension.as_str(),
        "clicks",
        "unique_visitors",
        "shares",
        "leads",
        "valid",
        "duplicate",
        "invalid",
        "held",
        "pending",
        "response_rate",
        "deals",
        "deal_amount",
        "reward_cost",
        "roi",
        "cost_ratio",
        "output_per_promoter",
        "click_to_lead",
        "lead_to_deal",
    ])?;
    for r in &cut.rows {
        let f = &r.figures;
        w.row([
            r.label.clone(),
            f.clicks.to_string(),
            f.unique_visitors.to_string(),
            f.shares.to_string(),
            f.leads.to_string(),
            f.leads_valid.to_string(),
            f.leads_duplicate.to_string(),
            f.leads_invalid.to_string(),
            f.leads_held.to_string(),
            f.leads_pending.to_string(),
            bp(f.response_rate_bp),
            f.deals.to_string(),
            yuan(f.deal_amount_fen),
            yuan(f.reward_cost_fen),
            crate::features::dashboard::rules::format_centi(f.roi_centi),
            bp(f.cost_ratio_bp),
            f.output_per_promoter_fen.map(yuan).unwrap_or_default(),
            bp(f.click_to_lead_bp),
            bp(f.lead_to_deal_bp),
        ])?;
    }
    w.finish()
}
