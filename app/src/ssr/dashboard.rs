//! The figures of PRODUCT.md §6, counted in the database for a period of org-local days and a
//! slice (campaign, channel, department, promoter kind), the hero board, department targets
//! and the promoter's own numbers. Definitions:
//! - clicks: personal-link clicks other than bots and link previews; unique visitors: once
//!   per link and org-local day;
//! - shares: posters saved, links copied, content shared (not cut by channel);
//! - leads: submitted in the period, by status; response rate: of the leads assigned in the
//!   period, the share first contacted within 24 hours (`domain::response`);
//! - a lead's channel is that of the visitor's last click on the link before submitting, a
//!   deal's that of its lead (`direct` without one);
//! - deals and deal amount: signed in the period; profit: amount less cost (a deal without a
//!   cost counts at its amount);
//! - reward cost: statement lines vesting in the period (adjustments count against the period
//!   of the line they correct); ROI = profit ÷ reward cost;
//! - output per promoter: deal amount ÷ promoters with a click, share or lead in the period.
use super::{now_ms, rewards, settlement, OrgSettings};
use crate::domain::dashboard::{
    days, month_key, per_promoter_fen, rank_heroes, ratio_bp, roi_centi, target_progress, HeroFigures, MAX_DAYS,
    TARGET_METRICS,
};
use crate::domain::period::{local_date, start_of_local_day, Period};
use crate::error::{AppError, Field, Problem};
use crate::model::{
    Choice, Cut, CutRow, Dashboard, DashboardQuery, Figures, HeroBoard, HeroRow, MyNumbers, TargetProgress, TrendDay,
    UserView,
};
use chrono::{NaiveDate, Utc};
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// The channels of `clicks::channel`.
pub const CHANNELS: [&str; 7] = ["moments", "group", "qr", "sms", "other", "direct", "poster"];
pub const PROMOTER_KINDS: [&str; 3] = ["employee", "customer", "partner"];
/// The cuts, in the order the dashboard shows them.
pub const DIMENSIONS: [&str; 4] = ["campaign", "channel", "department", "promoter_kind"];

/// A slice of the facts: the period and the filters, checked, so they can be written into SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub campaign_id: Option<i64>,
    pub channel: Option<&'static str>,
    pub department_id: Option<i64>,
    pub promoter_kind: Option<&'static str>,
}

impl Slice {
    /// Checks a query from the page; the error names the field.
    pub fn parse(q: &DashboardQuery, org: &OrgSettings) -> Result<Slice, AppError> {
        use crate::domain::dashboard::{resolve_range, RangeError};
        let (from, to) = resolve_range(&q.range, &q.from, &q.to, Utc::now(), org.tz).map_err(|e| match e {
            RangeError::Range => AppError::invalid(Field::Period, Problem::UnknownChoice),
            RangeError::From => AppError::invalid(Field::From, Problem::Date),
            RangeError::To => AppError::invalid(Field::To, Problem::Date),
            RangeError::Order => AppError::invalid(Field::To, Problem::EndsBeforeStart),
            RangeError::TooLong => AppError::invalid(Field::To, Problem::OutOfRange { min: 1, max: MAX_DAYS }),
        })?;
        let pick = |value: &str, list: &[&'static str], field: Field| -> Result<Option<&'static str>, AppError> {
            if value.is_empty() {
                return Ok(None);
            }
            list.iter().find(|c| **c == value).map(|c| Some(*c)).ok_or(AppError::invalid(field, Problem::UnknownChoice))
        };
        Ok(Slice {
            from,
            to,
            campaign_id: q.campaign_id,
            channel: pick(&q.channel, &CHANNELS, Field::Channel)?,
            department_id: q.department_id,
            promoter_kind: pick(&q.promoter_kind, &PROMOTER_KINDS, Field::PromoterKinds)?,
        })
    }

    fn bounds_ms(&self, org: &OrgSettings) -> (i64, i64) {
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
            sql += &format!(" AND {expr} = '{ch}'");
        }
        if let Some(d) = self.department_id {
            sql += &format!(" AND {col} IN (SELECT id FROM users WHERE department_id = {d})");
        }
        match self.promoter_kind {
            Some("partner") => sql += &format!(" AND {col} IN (SELECT user_id FROM user_roles WHERE role = 'partner')"),
            Some("customer") => {
                sql += &format!(
                    " AND {col} IN (SELECT user_id FROM user_roles WHERE role = 'customer') \
                     AND {col} NOT IN (SELECT user_id FROM user_roles WHERE role = 'partner')"
                )
            }
            Some(_) => {
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

/// The channel of a lead (`l`): the visitor's last click on its link before submitting.
const LEAD_CHANNEL: &str =
    "COALESCE((SELECT c.channel FROM clicks c WHERE c.link_id = l.link_id AND c.visitor = l.visitor \
     AND c.at <= l.submitted_at ORDER BY c.at DESC LIMIT 1), 'direct')";

fn deal_channel() -> String {
    format!("COALESCE((SELECT {LEAD_CHANNEL} FROM leads l WHERE l.id = d.lead_id), 'direct')")
}

async fn scalar(pool: &AnyPool, sql: &str) -> Result<i64, AppError> {
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
        match r.try_get::<String, _>("status")?.as_str() {
            "pending" => f.leads_pending += n,
            "held" => f.leads_held += n,
            "valid" => f.leads_valid += n,
            "duplicate" => f.leads_duplicate += n,
            "invalid" => f.leads_invalid += n,
            _ => f.leads_rejected += n,
        }
    }
    let assigned: Vec<(i64, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT l.assigned_at, l.first_contact_at FROM leads l WHERE l.assigned_at >= {start} AND l.assigned_at < {end}{}",
        s.filters("l.promoter_id", Some("l.campaign_id"), Some(LEAD_CHANNEL))
    ))
    .fetch_all(pool)
    .await?;
    f.response_rate_bp = crate::domain::response::response_rate(&assigned, now_ms())
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
    let line_campaign = "(SELECT d.campaign_id FROM deals d WHERE d.id = sl.deal_id)";
    let line_channel = format!("(SELECT {} FROM deals d WHERE d.id = sl.deal_id)", deal_channel());
    f.reward_cost_fen = sqlx::query_scalar::<_, Option<i64>>(&format!(
        "SELECT CAST(SUM(sl.amount_fen) AS BIGINT) FROM statement_lines sl JOIN statements st ON st.id = sl.statement_id \
         WHERE sl.vests_on >= $1 AND sl.vests_on <= $2{}",
        s.filters("st.promoter_id", Some(line_campaign), Some(&line_channel))
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

async fn choices(pool: &AnyPool, sql: &str) -> Result<Vec<Choice>, AppError> {
    let rows = sqlx::query(sql).fetch_all(pool).await?;
    rows.iter().map(|r| Ok(Choice { id: r.try_get("id")?, name: r.try_get("name")? })).collect()
}

/// One cut: the figures of every value of a dimension, within the slice.
pub async fn cut(pool: &AnyPool, org: &OrgSettings, s: &Slice, dimension: &str) -> Result<Cut, AppError> {
    let mut rows = Vec::new();
    let keys: Vec<(String, String, Slice)> = match dimension {
        "campaign" => choices(pool, "SELECT id, name FROM campaigns ORDER BY id")
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), c.name, Slice { campaign_id: Some(c.id), ..s.clone() }))
            .collect(),
        "channel" => {
            CHANNELS.iter().map(|c| (c.to_string(), c.to_string(), Slice { channel: Some(c), ..s.clone() })).collect()
        }
        "department" => choices(pool, "SELECT id, name FROM departments ORDER BY id")
            .await?
            .into_iter()
            .map(|d| (d.id.to_string(), d.name, Slice { department_id: Some(d.id), ..s.clone() }))
            .collect(),
        "promoter_kind" => PROMOTER_KINDS
            .iter()
            .map(|k| (k.to_string(), k.to_string(), Slice { promoter_kind: Some(k), ..s.clone() }))
            .collect(),
        _ => return Err(AppError::invalid(Field::Dimension, Problem::UnknownChoice)),
    };
    for (key, label, slice) in keys {
        // A slice that contradicts the filter (another campaign) is empty: skip the queries.
        if slice.campaign_id != s.campaign_id && s.campaign_id.is_some()
            || slice.channel != s.channel && s.channel.is_some()
            || slice.department_id != s.department_id && s.department_id.is_some()
            || slice.promoter_kind != s.promoter_kind && s.promoter_kind.is_some()
        {
            continue;
        }
        let figures = figures(pool, org, &slice).await?;
        if (figures.clicks, figures.shares, figures.leads, figures.deals, figures.reward_cost_fen) != (0, 0, 0, 0, 0) {
            rows.push(CutRow { key, label, figures });
        }
    }
    Ok(Cut { dimension: dimension.to_string(), rows })
}

pub async fn dashboard(pool: &AnyPool, org: &OrgSettings, s: &Slice) -> Result<Dashboard, AppError> {
    let mut cuts = Vec::new();
    for dimension in DIMENSIONS {
        cuts.push(cut(pool, org, s, dimension).await?);
    }
    Ok(Dashboard {
        from: s.from.to_string(),
        to: s.to.to_string(),
        totals: figures(pool, org, s).await?,
        trend: trend(pool, org, s).await?,
        cuts,
        targets: targets(pool, org, &month_key(s.from), None).await?,
        campaigns: choices(pool, "SELECT id, name FROM campaigns ORDER BY id").await?,
        departments: choices(pool, "SELECT id, name FROM departments ORDER BY id").await?,
    })
}

/// A cut as CSV, for the export button.
pub async fn cut_csv(pool: &AnyPool, org: &OrgSettings, s: &Slice, dimension: &str) -> Result<String, AppError> {
    let cut = cut(pool, org, s, dimension).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let yuan = crate::domain::money::format_yuan;
    let bp = crate::domain::dashboard::format_bp;
    w.write_record([
        dimension,
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
        "output_per_promoter",
        "click_to_lead",
        "lead_to_deal",
    ])
    .map_err(super::internal)?;
    for r in &cut.rows {
        let f = &r.figures;
        w.write_record([
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
            crate::domain::dashboard::format_centi(f.roi_centi),
            f.output_per_promoter_fen.map(yuan).unwrap_or_default(),
            bp(f.click_to_lead_bp),
            bp(f.lead_to_deal_bp),
        ])
        .map_err(super::internal)?;
    }
    String::from_utf8(w.into_inner().map_err(super::internal)?).map_err(super::internal)
}

/// Deal amount, deals and leads per promoter for a period, ranked as the hero board ranks them
/// (every promoter with a deal).
async fn ranked(pool: &AnyPool, org: &OrgSettings, period: Period) -> Result<Vec<(i64, HeroFigures)>, AppError> {
    let (from, to) = period.dates();
    let (start, end) =
        Slice { from, to, campaign_id: None, channel: None, department_id: None, promoter_kind: None }.bounds_ms(org);
    let mut figures: BTreeMap<i64, HeroFigures> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT promoter_id, COUNT(*) AS n, CAST(SUM(amount_fen) AS BIGINT) AS amount FROM deals \
         WHERE promoter_id IS NOT NULL AND signed_on >= $1 AND signed_on <= $2 GROUP BY promoter_id",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await?
    {
        let id: i64 = r.try_get("promoter_id")?;
        figures.insert(
            id,
            HeroFigures { promoter_id: id, deal_amount_fen: r.try_get("amount")?, deals: r.try_get("n")?, leads: 0 },
        );
    }
    for r in sqlx::query(
        "SELECT promoter_id, COUNT(*) AS n FROM leads WHERE promoter_id IS NOT NULL AND submitted_at >= $1 AND submitted_at < $2 \
         GROUP BY promoter_id",
    )
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await?
    {
        if let Some(f) = figures.get_mut(&r.try_get("promoter_id")?) {
            f.leads = r.try_get("n")?;
        }
    }
    Ok(rank_heroes(figures.into_values().collect(), usize::MAX))
}

async fn top_ten(pool: &AnyPool, org: &OrgSettings, period: Period) -> Result<Vec<HeroRow>, AppError> {
    let mut out = Vec::new();
    for (rank, f) in ranked(pool, org, period).await?.into_iter().take(10) {
        let who = sqlx::query(
            "SELECT u.display_name, COALESCE(d.name, '') AS department FROM users u LEFT JOIN departments d ON d.id = u.department_id \
             WHERE u.id = $1",
        )
        .bind(f.promoter_id)
        .fetch_one(pool)
        .await?;
        out.push(HeroRow {
            rank,
            promoter_id: f.promoter_id,
            name: who.try_get("display_name")?,
            department: who.try_get("department")?,
            deal_amount_fen: f.deal_amount_fen,
            deals: f.deals,
            leads: f.leads,
        });
    }
    Ok(out)
}

/// The monthly and quarterly Top 10 (英雄榜) of the current org-local month and quarter.
pub async fn hero_board(pool: &AnyPool, org: &OrgSettings) -> Result<HeroBoard, AppError> {
    let now = Utc::now();
    let (month, quarter) = (Period::month_of(now, org.tz), Period::quarter_of(now, org.tz));
    Ok(HeroBoard {
        month: month.key(),
        quarter: quarter.key(),
        monthly: top_ten(pool, org, month).await?,
        quarterly: top_ten(pool, org, quarter).await?,
    })
}

/// Targets of a month with their progress; one department's or every one's.
pub async fn targets(
    pool: &AnyPool,
    org: &OrgSettings,
    month: &str,
    department_id: Option<i64>,
) -> Result<Vec<TargetProgress>, AppError> {
    let Some(period) = Period::parse_key(month) else { return Ok(Vec::new()) };
    let (from, to) = period.dates();
    let rows = sqlx::query(
        "SELECT t.department_id, d.name, t.metric, t.target FROM department_targets t JOIN departments d ON d.id = t.department_id \
         WHERE t.month = $1 ORDER BY d.id, t.metric",
    )
    .bind(month)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let dept: i64 = r.try_get("department_id")?;
        if department_id.is_some_and(|d| d != dept) {
            continue;
        }
        let metric: String = r.try_get("metric")?;
        let target: i64 = r.try_get("target")?;
        let s = Slice { from, to, campaign_id: None, channel: None, department_id: Some(dept), promoter_kind: None };
        let (start, end) = s.bounds_ms(org);
        let in_dept = format!("IN (SELECT id FROM users WHERE department_id = {dept})");
        let count = match metric.as_str() {
            "shares_per_employee" => {
                scalar(
                    pool,
                    &format!(
                        "SELECT COUNT(*) FROM shares sh JOIN promo_links pl ON pl.id = sh.link_id \
                         WHERE sh.at >= {start} AND sh.at < {end} AND pl.promoter_id {in_dept}"
                    ),
                )
                .await?
            }
            "valid_leads" => {
                scalar(
                    pool,
                    &format!(
                        "SELECT COUNT(*) FROM leads WHERE status = 'valid' AND submitted_at >= {start} AND submitted_at < {end} \
                         AND promoter_id {in_dept}"
                    ),
                )
                .await?
            }
            _ => {
                sqlx::query_scalar::<_, i64>(&format!(
                    "SELECT COUNT(*) FROM deals WHERE signed_on >= $1 AND signed_on <= $2 AND promoter_id {in_dept}"
                ))
                .bind(from.to_string())
                .bind(to.to_string())
                .fetch_one(pool)
                .await?
            }
        };
        let employees =
            scalar(pool, &format!("SELECT COUNT(*) FROM users WHERE active = 1 AND department_id = {dept}")).await?;
        let (actual_centi, percent) = target_progress(&metric, target, count, employees);
        out.push(TargetProgress {
            department_id: dept,
            department: r.try_get("name")?,
            month: month.to_string(),
            metric,
            target,
            actual_centi,
            percent,
        });
    }
    Ok(out)
}

/// Marketing sets (or, with 0, clears) a department's target for a month.
pub async fn set_target(
    state: &super::AppState,
    actor: i64,
    department_id: i64,
    month: &str,
    metric: &str,
    target: i64,
) -> Result<(), AppError> {
    if !matches!(Period::parse_key(month), Some(Period::Month { .. })) {
        return Err(AppError::invalid(Field::Period, Problem::Date));
    }
    if !TARGET_METRICS.contains(&metric) {
        return Err(AppError::invalid(Field::Metric, Problem::UnknownChoice));
    }
    if !(0..=1_000_000).contains(&target) {
        return Err(AppError::invalid(Field::Target, Problem::OutOfRange { min: 0, max: 1_000_000 }));
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM departments WHERE id = $1")
        .bind(department_id)
        .fetch_optional(&state.pool)
        .await?;
    if exists.is_none() {
        return Err(AppError::invalid(Field::Department, Problem::UnknownChoice));
    }
    let (_turn, mut tx) = super::db::begin_write(state).await?;
    sqlx::query("DELETE FROM department_targets WHERE department_id = $1 AND month = $2 AND metric = $3")
        .bind(department_id)
        .bind(month)
        .bind(metric)
        .execute(&mut *tx)
        .await?;
    if target > 0 {
        sqlx::query(
            "INSERT INTO department_targets (department_id, month, metric, target, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(department_id)
        .bind(month)
        .bind(metric)
        .bind(target)
        .bind(actor)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The promoter's own numbers this month (我的数据).
pub async fn my_numbers(state: &super::AppState, user: &UserView) -> Result<MyNumbers, AppError> {
    let (pool, org) = (&state.pool, &*state.org);
    let month = Period::month_of(Utc::now(), org.tz);
    let (from, to) = month.dates();
    let (start, end) =
        Slice { from, to, campaign_id: None, channel: None, department_id: None, promoter_kind: None }.bounds_ms(org);
    let me = user.id;
    let clicks = sqlx::query(&format!(
        "SELECT COUNT(*) AS n, CAST(SUM(c.unique_visit) AS BIGINT) AS u FROM clicks c JOIN promo_links pl ON pl.id = c.link_id \
         WHERE c.ua_class <> 'bot' AND c.at >= {start} AND c.at < {end} AND pl.promoter_id = {me}"
    ))
    .fetch_one(pool)
    .await?;
    let shares = scalar(
        pool,
        &format!(
            "SELECT COUNT(*) FROM shares sh JOIN promo_links pl ON pl.id = sh.link_id \
             WHERE sh.at >= {start} AND sh.at < {end} AND pl.promoter_id = {me}"
        ),
    )
    .await?;
    let mut n = MyNumbers {
        month: month.key(),
        clicks: clicks.try_get("n")?,
        unique_visitors: clicks.try_get::<Option<i64>, _>("u")?.unwrap_or(0),
        shares,
        leads: 0,
        leads_pending: 0,
        leads_valid: 0,
        leads_duplicate: 0,
        leads_invalid: 0,
        deals: 0,
        deal_amount_fen: 0,
        pending_fen: 0,
        vested_fen: 0,
        paid_fen: 0,
        rank: ranked(pool, org, month).await?.into_iter().find(|(_, f)| f.promoter_id == me).map(|(rank, _)| rank),
        leads_from_shares: scalar(
            pool,
            &format!(
                "SELECT COUNT(*) FROM leads WHERE promoter_id = {me} AND link_id IS NOT NULL \
                 AND submitted_at >= {start} AND submitted_at < {end}"
            ),
        )
        .await?,
        department_targets: match sqlx::query_scalar::<_, Option<i64>>("SELECT department_id FROM users WHERE id = $1")
            .bind(me)
            .fetch_one(pool)
            .await?
        {
            Some(d) => targets(pool, org, &month.key(), Some(d)).await?,
            None => Vec::new(),
        },
    };
    for r in sqlx::query(&format!(
        "SELECT status, COUNT(*) AS c FROM leads WHERE promoter_id = {me} AND submitted_at >= {start} AND submitted_at < {end} \
         GROUP BY status"
    ))
    .fetch_all(pool)
    .await?
    {
        let c: i64 = r.try_get("c")?;
        n.leads += c;
        match r.try_get::<String, _>("status")?.as_str() {
            "pending" | "held" => n.leads_pending += c,
            "valid" => n.leads_valid += c,
            "duplicate" => n.leads_duplicate += c,
            _ => n.leads_invalid += c,
        }
    }
    let deals = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(SUM(amount_fen) AS BIGINT) AS amount FROM deals \
         WHERE promoter_id = $1 AND signed_on >= $2 AND signed_on <= $3",
    )
    .bind(me)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_one(pool)
    .await?;
    n.deals = deals.try_get("n")?;
    n.deal_amount_fen = deals.try_get::<Option<i64>, _>("amount")?.unwrap_or(0);
    if rewards::kind_of(&user.roles.iter().map(|r| r.as_str().to_string()).collect::<Vec<_>>()).is_some() {
        let r = settlement::my_rewards(state, user).await?;
        (n.pending_fen, n.vested_fen, n.paid_fen) = (r.pending_fen, r.vested_fen + r.approved_fen, r.paid_fen);
    }
    Ok(n)
}
