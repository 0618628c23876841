//! The dashboard read from counters kept as the facts arrive (the triggers of migration
//! `20261203000003_dashboard_counters`, and `counted_clicks` for each batch of clicks): a load
//! reads a handful of grouped queries whose size follows the period, not the history, and adds
//! them up here for the totals, the four cuts and the trend. `figures.rs` computes the same from the raw facts: the
//! recount and the tests compare the two. Counts are filed under the promoter's department and
//! kind when the fact arrived; `recount` files everything anew (after a time-zone change, a
//! person moving department, or as a repair).
use super::figures::Slice;
use crate::features::dashboard::model::{Cut, CutRow, Dashboard, Dimension, Figures, TrendDay};
use crate::features::dashboard::rules::{days, month_key, per_promoter_fen, ratio_bp, roi_centi};
use crate::features::promotion::Channel;
use crate::features::rewards::engine::PromoterKind;
use crate::plumbing::db::Db;
use crate::plumbing::errors::AppError;
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::now_ms;
use crate::shared::period::start_of_local_day;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// Where a counted row belongs. `channel: None` is a share (no channel: it passes any channel
/// filter, as shares always have) or a reward line without a deal (passes none).
#[derive(Debug, Clone, PartialEq)]
struct Facet {
    campaign_id: i64,
    channel: Option<Channel>,
    department_id: i64,
    kind: Option<PromoterKind>,
}

impl Facet {
    fn admitted_by(&self, s: &Slice, channel_blind: bool) -> bool {
        s.campaign_id.is_none_or(|c| c == self.campaign_id)
            && s.channel.is_none_or(|c| if channel_blind { true } else { self.channel == Some(c) })
            && s.department_id.is_none_or(|d| d == self.department_id)
            && s.promoter_kind.is_none_or(|k| self.kind == Some(k))
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts([i64; 12]);

const COUNTED: [&str; 12] = [
    "clicks",
    "unique_visitors",
    "shares",
    "leads_pending",
    "leads_held",
    "leads_valid",
    "leads_duplicate",
    "leads_invalid",
    "leads_rejected",
    "deals",
    "deal_amount_fen",
    "deal_profit_fen",
];

/// What one load reads: every row already grouped as small as the cuts need.
struct Read {
    counts: Vec<(Facet, Counts)>,
    active: Vec<super::active::Active>,
    response: Vec<(Facet, i64, i64)>,
    rewards: Vec<(Facet, i64)>,
}

fn kind_of(s: &str) -> Result<Option<PromoterKind>, AppError> {
    if s.is_empty() {
        return Ok(None);
    }
    PromoterKind::parse(s).map(Some).ok_or_else(|| crate::plumbing::state::internal(format!("promoter kind {s:?}")))
}

fn channel_of(s: &str) -> Result<Option<Channel>, AppError> {
    if s.is_empty() {
        return Ok(None);
    }
    Channel::parse(s).map(Some).ok_or_else(|| crate::plumbing::state::internal(format!("channel {s:?}")))
}

fn facet(r: &sqlx::any::AnyRow) -> Result<Facet, AppError> {
    Ok(Facet {
        campaign_id: r.try_get("campaign_id")?,
        channel: channel_of(&r.try_get::<String, _>("channel")?)?,
        department_id: r.try_get("department_id")?,
        kind: kind_of(&r.try_get::<String, _>("promoter_kind")?)?,
    })
}

fn sum(r: &sqlx::any::AnyRow, column: &str) -> Result<i64, AppError> {
    Ok(r.try_get::<Option<i64>, _>(column)?.unwrap_or(0))
}

/// Assigned leads contacted within the first-contact window, and those decided (contacted, or
/// the window over), by facet: counted by assignment day and hours to first contact; the leads
/// still within their window and not contacted (the last window's, few) read from the leads.
async fn response(pool: &AnyPool, org: &OrgSettings, s: &Slice) -> Result<Vec<(Facet, i64, i64)>, AppError> {
    let window = crate::features::leads::store::policy::first_contact_ms(pool).await?;
    let mut response = Vec::new();
    for r in sqlx::query(
        "SELECT campaign_id, channel, department_id, promoter_kind, \
         CAST(SUM(CASE WHEN hours >= 0 AND hours <= $3 THEN leads ELSE 0 END) AS BIGINT) AS in_time, \
         CAST(SUM(leads) AS BIGINT) AS assigned FROM response_counts \
         WHERE day >= $1 AND day <= $2 GROUP BY campaign_id, channel, department_id, promoter_kind",
    )
    .bind(s.from.to_string())
    .bind(s.to.to_string())
    .bind(window / 3_600_000)
    .fetch_all(pool)
    .await?
    {
        response.push((facet(&r)?, sum(&r, "in_time")?, sum(&r, "assigned")?));
    }
    let (start, end) = s.bounds_ms(org);
    for r in sqlx::query(
        "SELECT l.campaign_id, l.channel, COALESCE(f.department_id, l.department_id, 0) AS department_id, \
         COALESCE(f.promoter_kind, '') AS promoter_kind, CAST(COUNT(*) AS BIGINT) AS open \
         FROM leads l LEFT JOIN promoter_facets f ON f.id = l.promoter_id \
         WHERE l.assigned_at >= $1 AND l.assigned_at < $2 AND l.first_contact_at IS NULL AND l.channel IS NOT NULL \
         GROUP BY l.campaign_id, l.channel, COALESCE(f.department_id, l.department_id, 0), COALESCE(f.promoter_kind, '')",
    )
    .bind(start.max(now_ms() - window))
    .bind(end)
    .fetch_all(pool)
    .await?
    {
        response.push((facet(&r)?, 0, -sum(&r, "open")?));
    }
    Ok(response)
}

async fn read(pool: &AnyPool, org: &OrgSettings, s: &Slice) -> Result<Read, AppError> {
    let (from, to) = (s.from.to_string(), s.to.to_string());
    let sums = COUNTED.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}")).collect::<Vec<_>>().join(", ");
    let mut counts = Vec::new();
    for r in sqlx::query(&format!(
        "SELECT campaign_id, channel, department_id, promoter_kind, {sums} FROM figure_counts \
         WHERE day >= $1 AND day <= $2 GROUP BY campaign_id, channel, department_id, promoter_kind"
    ))
    .bind(&from)
    .bind(&to)
    .fetch_all(pool)
    .await?
    {
        let mut c = Counts::default();
        for (i, name) in COUNTED.iter().enumerate() {
            c.0[i] = sum(&r, name)?;
        }
        counts.push((facet(&r)?, c));
    }
    let mut rewards = Vec::new();
    // A line without a deal has no campaign or channel; a deal without a lead came direct.
    for r in sqlx::query(
        "SELECT COALESCE(d.campaign_id, 0) AS campaign_id, \
         CASE WHEN d.id IS NULL THEN '' ELSE COALESCE(l.channel, 'direct') END AS channel, \
         COALESCE(f.department_id, 0) AS department_id, COALESCE(f.promoter_kind, '') AS promoter_kind, \
         CAST(SUM(rl.amount_fen) AS BIGINT) AS amount FROM reward_ledger rl \
         LEFT JOIN deals d ON d.id = rl.deal_id LEFT JOIN leads l ON l.id = d.lead_id \
         LEFT JOIN promoter_facets f ON f.id = rl.promoter_id \
         WHERE rl.vests_on >= $1 AND rl.vests_on <= $2 GROUP BY 1, 2, 3, 4",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(pool)
    .await?
    {
        rewards.push((facet(&r)?, sum(&r, "amount")?));
    }
    Ok(Read { counts, active: super::active::read(pool, s).await?, response: response(pool, org, s).await?, rewards })
}

impl Read {
    fn figures(&self, s: &Slice) -> Figures {
        let mut c = Counts::default();
        for (f, n) in &self.counts {
            // Shares are filed without a channel and count under any channel filter.
            if f.admitted_by(s, f.channel.is_none()) {
                for i in 0..c.0.len() {
                    c.0[i] += n.0[i];
                }
            }
        }
        let [clicks, unique_visitors, shares, pending, held, valid, duplicate, invalid, rejected, deals, amount, profit] =
            c.0;
        let mut f = Figures {
            clicks,
            unique_visitors,
            shares,
            leads: pending + held + valid + duplicate + invalid + rejected,
            leads_pending: pending,
            leads_held: held,
            leads_valid: valid,
            leads_duplicate: duplicate,
            leads_invalid: invalid,
            leads_rejected: rejected,
            deals,
            deal_amount_fen: amount,
            deal_profit_fen: profit,
            ..Figures::default()
        };
        let (mut in_time, mut decided) = (0i64, 0i64);
        for (facet, t, d) in &self.response {
            if facet.admitted_by(s, false) {
                in_time += t;
                decided += d;
            }
        }
        f.response_rate_bp = (decided > 0)
            .then(|| Decimal::from(in_time) / Decimal::from(decided))
            .and_then(|r| rust_decimal::prelude::ToPrimitive::to_i64(&(r * Decimal::from(10_000)).round()));
        f.reward_cost_fen = self.rewards.iter().filter(|(facet, _)| facet.admitted_by(s, false)).map(|(_, a)| a).sum();
        f.active_promoters = super::active::count(&self.active, s);
        f.roi_centi = roi_centi(f.deal_profit_fen, f.reward_cost_fen);
        f.cost_ratio_bp = ratio_bp(f.reward_cost_fen, f.deal_profit_fen);
        f.output_per_promoter_fen = per_promoter_fen(f.deal_amount_fen, f.active_promoters);
        f.click_to_lead_bp = ratio_bp(f.leads, f.clicks);
        f.lead_to_deal_bp = ratio_bp(f.deals, f.leads);
        f
    }
}

/// Clicks, leads and deals per org-local day of the slice, from the counters.
async fn trend(pool: &AnyPool, s: &Slice) -> Result<Vec<TrendDay>, AppError> {
    let mut by_day: BTreeMap<String, TrendDay> = days(s.from, s.to)
        .into_iter()
        .map(|d| (d.to_string(), TrendDay { day: d.to_string(), clicks: 0, leads: 0, deals: 0 }))
        .collect();
    let mut sql = "SELECT day, CAST(SUM(clicks) AS BIGINT) AS clicks, \
         CAST(SUM(leads_pending + leads_held + leads_valid + leads_duplicate + leads_invalid + leads_rejected) AS BIGINT) AS leads, \
         CAST(SUM(deals) AS BIGINT) AS deals FROM figure_counts WHERE day >= $1 AND day <= $2"
        .to_string();
    // Integers and closed-set spellings only.
    if let Some(c) = s.campaign_id {
        sql += &format!(" AND campaign_id = {c}");
    }
    if let Some(ch) = s.channel {
        sql += &format!(" AND channel = '{}'", ch.as_str());
    }
    if let Some(d) = s.department_id {
        sql += &format!(" AND department_id = {d}");
    }
    if let Some(k) = s.promoter_kind {
        sql += &format!(" AND promoter_kind = '{}'", k.as_str());
    }
    sql += " GROUP BY day";
    for r in sqlx::query(&sql).bind(s.from.to_string()).bind(s.to.to_string()).fetch_all(pool).await? {
        if let Some(t) = by_day.get_mut(&r.try_get::<String, _>("day")?) {
            t.clicks = r.try_get::<Option<i64>, _>("clicks")?.unwrap_or(0);
            t.leads = r.try_get::<Option<i64>, _>("leads")?.unwrap_or(0);
            t.deals = r.try_get::<Option<i64>, _>("deals")?.unwrap_or(0);
        }
    }
    Ok(by_day.into_values().collect())
}

/// Every cut of the slice: the keys of each dimension, each one's figures from what was read.
async fn cuts(pool: &AnyPool, s: &Slice, read: &Read, only: Option<Dimension>) -> Result<Vec<Cut>, AppError> {
    let mut cuts = Vec::new();
    for &dimension in Dimension::ALL.iter().filter(|d| only.is_none_or(|o| o == **d)) {
        let mut rows = Vec::new();
        for (key, label, slice) in super::figures::cut_keys(pool, s, dimension).await? {
            let figures = read.figures(&slice);
            if super::figures::shown(&figures) {
                rows.push(CutRow { key, label, figures });
            }
        }
        cuts.push(Cut { dimension, rows });
    }
    Ok(cuts)
}

/// The whole dashboard of a slice.
pub async fn dashboard(pool: &AnyPool, org: &OrgSettings, s: &Slice) -> Result<Dashboard, AppError> {
    use super::figures::choices;
    let read = read(pool, org, s).await?;
    Ok(Dashboard {
        from: s.from.to_string(),
        to: s.to.to_string(),
        totals: read.figures(s),
        trend: trend(pool, s).await?,
        cuts: cuts(pool, s, &read, None).await?,
        targets: super::targets::targets(pool, org, &month_key(s.from), None).await?,
        campaigns: choices(pool, "SELECT id, name FROM campaigns ORDER BY id").await?,
        departments: choices(pool, "SELECT id, name FROM departments ORDER BY id").await?,
    })
}

/// One cut of a slice (the CSV export).
pub async fn cut(pool: &AnyPool, org: &OrgSettings, s: &Slice, dimension: Dimension) -> Result<Cut, AppError> {
    let read = read(pool, org, s).await?;
    Ok(cuts(pool, s, &read, Some(dimension)).await?.remove(0))
}

/// The first and last day the counters know (a fact's time is the server's clock).
const FIRST_DAY: (i32, u32, u32) = (2000, 1, 1);
const LAST_DAY: (i32, u32, u32) = (2100, 12, 31);

/// On start: the organization's days for its time zone, and the counters recounted when the
/// zone is new (or the counters were never filled: a database from before them).
pub async fn prepare(db: &Db, org: &OrgSettings) -> Result<(), AppError> {
    let zone = org.tz.name().to_string();
    let counted = crate::plumbing::settings::get(&db.pool, "counters_timezone").await?;
    if counted.as_deref() == Some(zone.as_str()) {
        return Ok(());
    }
    let (_turn, mut tx) = db.begin_write().await?;
    sqlx::query("DELETE FROM org_days").execute(&mut *tx).await?;
    let (first, last) = (
        NaiveDate::from_ymd_opt(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2).unwrap_or_default(),
        NaiveDate::from_ymd_opt(LAST_DAY.0, LAST_DAY.1, LAST_DAY.2).unwrap_or_default(),
    );
    let all = days(first, last);
    for chunk in all.chunks(400) {
        let sql = format!(
            "INSERT INTO org_days (start_ms, day) VALUES {}",
            crate::plumbing::db::placeholders(db.backend, chunk.len(), 2)
        );
        let mut q = sqlx::query(&sql);
        for d in chunk {
            q = q.bind(start_of_local_day(*d, org.tz).timestamp_millis()).bind(d.to_string());
        }
        q.execute(&mut *tx).await?;
    }
    super::recount::recount_in(&mut tx).await?;
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('counters_timezone', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(&zone)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
