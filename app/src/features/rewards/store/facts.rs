//! The facts the reward engine runs on, read from the database: promoters and their kinds,
//! deals and payments, valid leads, monthly activity, campaign boosts.
use crate::features::rewards::engine::{
    Activity, DatedTerms, Deal, Facts, LateSteps, Payment, Promoter, PromoterKind, Terms, ValidLead,
};
use crate::features::rewards::model::SECOND_LEVEL_SETTING;
use crate::plumbing::access::Role;
use crate::plumbing::db::{stored, JsonColumn, SetColumn};
use crate::plumbing::errors::AppError;
use crate::plumbing::settings::{self, OrgSettings};
use crate::shared::period::local_day;
use chrono::{Datelike, NaiveDate};
use sqlx::{AnyPool, Row};
use std::collections::{BTreeMap, BTreeSet};

pub fn date(s: &str) -> Result<NaiveDate, sqlx::Error> {
    s.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(Box::new(e)))
}

/// A user's promoter kind: partner, customer, or (any staff member) employee.
pub fn kind_of(roles: &[Role]) -> Option<PromoterKind> {
    if roles.contains(&Role::Partner) {
        Some(PromoterKind::Partner)
    } else if roles.contains(&Role::Customer) {
        Some(PromoterKind::Customer)
    } else if roles.iter().any(|r| Role::STAFF.contains(r)) {
        Some(PromoterKind::Employee)
    } else {
        None
    }
}

/// Every promoter with their kind and department.
pub async fn promoters(pool: &AnyPool) -> Result<BTreeMap<i64, Promoter>, AppError> {
    promoters_where(pool, "").await
}

/// These promoters (ids of people who are not promoters are left out).
pub async fn promoters_by_id(pool: &AnyPool, ids: &[i64]) -> Result<BTreeMap<i64, Promoter>, AppError> {
    promoters_where(pool, &format!(" IN ({})", id_list(ids))).await
}

/// The promoters the engine looks up for these deals: their referrers.
pub async fn promoters_of_deals(pool: &AnyPool, deals: &[Deal]) -> Result<BTreeMap<i64, Promoter>, AppError> {
    let mut ids: Vec<i64> = deals.iter().filter_map(|d| d.promoter_id).collect();
    ids.sort_unstable();
    ids.dedup();
    promoters_by_id(pool, &ids).await
}

/// `only`: empty, or ` IN (…)` of an `id_list`.
async fn promoters_where(pool: &AnyPool, only: &str) -> Result<BTreeMap<i64, Promoter>, AppError> {
    let (roles_where, users_where) = if only.is_empty() {
        (String::new(), String::new())
    } else {
        (format!(" WHERE user_id{only}"), format!(" WHERE id{only}"))
    };
    let roles = sqlx::query(&format!("SELECT user_id, role FROM user_roles{roles_where}"))
        .persistent(false)
        .fetch_all(pool)
        .await?;
    let mut by_user: BTreeMap<i64, Vec<Role>> = BTreeMap::new();
    for r in &roles {
        by_user.entry(r.try_get("user_id")?).or_default().push(r.set("user_roles", "role")?);
    }
    let users = sqlx::query(&format!("SELECT id, department_id FROM users{users_where}"))
        .persistent(false)
        .fetch_all(pool)
        .await?;
    // A customer promoter was brought in by whoever first referred their orders: one level
    // above them (禁止传销条例 art. 7 allows no more).
    let recruiters = sqlx::query(&format!(
        "SELECT u.id, (SELECT d.promoter_id FROM deals d WHERE d.customer_phone = u.phone \
         AND d.promoter_id IS NOT NULL AND d.promoter_id <> u.id ORDER BY d.signed_on, d.id LIMIT 1) AS recruiter_id \
         FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'customer'{}",
        if only.is_empty() { String::new() } else { format!(" WHERE u.id{only}") }
    ))
    .persistent(false)
    .fetch_all(pool)
    .await?;
    let mut recruiter_of = BTreeMap::new();
    for r in &recruiters {
        recruiter_of.insert(r.try_get::<i64, _>("id")?, r.try_get::<Option<i64>, _>("recruiter_id")?);
    }
    let mut out = BTreeMap::new();
    for u in &users {
        let id: i64 = u.try_get("id")?;
        let Some(kind) = by_user.get(&id).and_then(|r| kind_of(r)) else { continue };
        let recruiter_id = if kind == PromoterKind::Customer { recruiter_of.get(&id).copied().flatten() } else { None };
        out.insert(id, Promoter { id, kind, department_id: u.try_get("department_id")?, recruiter_id });
    }
    Ok(out)
}

/// The reward terms in effect on `on` (dated settings).
async fn terms_on(pool: &AnyPool, on: chrono::NaiveDate) -> Result<Terms, sqlx::Error> {
    let late = match settings::effective(pool, LateSteps::SETTING, on).await? {
        Some(v) => LateSteps::parse(&v)
            .map_err(|_| sqlx::Error::Decode(format!("settings: late-payment steps {v:?}").into()))?,
        None => LateSteps::default(),
    };
    Ok(Terms {
        holding_days: settings::effective_number(pool, HOLDING_DAYS, on, 0).await?,
        late,
        second_level: settings::effective_number(pool, SECOND_LEVEL_SETTING, on, 0).await? != 0,
    })
}

const HOLDING_DAYS: &str = "holding_days";

/// The reward terms over time: what was in force before the first dated change, and from
/// each change's date on.
pub async fn terms(pool: &AnyPool) -> Result<DatedTerms, sqlx::Error> {
    // 1970-01-01: before any dated version, so the undated values answer.
    let before = NaiveDate::default();
    let mut days = BTreeSet::new();
    for key in [HOLDING_DAYS, LateSteps::SETTING, SECOND_LEVEL_SETTING] {
        for (from, _) in settings::versions(pool, key).await? {
            days.insert(date(&from)?);
        }
    }
    let mut changes = Vec::new();
    for day in days {
        changes.push((day, terms_on(pool, day).await?));
    }
    Ok(DatedTerms { base: terms_on(pool, before).await?, changes })
}

/// A deal from a row that starts with [`DEAL_COLUMNS`], in their order. Read by place, not by
/// name, and text that is parsed is borrowed from the row: a what-if reads millions of rows,
/// and naming the columns cost each a hash lookup (and each parsed text a copy).
pub fn deal_of(r: &sqlx::any::AnyRow) -> Result<Deal, sqlx::Error> {
    let due: Option<&str> = r.try_get(10)?;
    Ok(Deal {
        id: r.try_get(0)?,
        order_no: r.try_get(1)?,
        customer: r.try_get(2)?,
        promoter_id: r.try_get(3)?,
        sales_rep_id: r.try_get(4)?,
        service_id: r.try_get(5)?,
        campaign_id: r.try_get(6)?,
        amount_fen: r.try_get(7)?,
        cost_fen: r.try_get(8)?,
        signed_on: date(r.try_get(9)?)?,
        due_on: due.map(date).transpose()?,
        audit: stored("deals", r.try_get(11)?)?,
        staff_booking: r.try_get::<i64, _>(12)? != 0,
    })
}

pub const DEAL_COLUMNS: &str =
    "id, order_no, customer_phone, promoter_id, sales_rep_id, service_id, campaign_id, amount_fen, cost_fen, signed_on, due_on, audit, staff_booking";

/// Which facts to read.
pub enum FactScope<'a> {
    /// The deals of these customers and their payments, for a quick look at one deal.
    Customers(&'a [String]),
    /// Everything these promoters can earn from: every deal of every customer they referred or
    /// sold to (a customer's first order decides later orders' rates and attribution), and
    /// their own activity and valid leads. Lines for other promoters come out too; ignore them.
    Promoters(&'a [i64]),
}

/// A list of ids for `IN (…)`: integers only, so nothing user-typed reaches the SQL. A
/// statement made with one runs unprepared (`persistent(false)`): it is used once, and each
/// connection would otherwise keep its last hundred such statements (SQLite's compiled form of
/// one is tens of kilobytes).
pub fn id_list(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    if list.is_empty() {
        "NULL".to_string()
    } else {
        list.join(",")
    }
}

/// The deals of every customer these promoters referred or sold to, each with its payments in
/// one pass (a deal's columns repeat on each of its payment rows), in deal order. Public for
/// the settlement benchmark, which times this very query inside the database.
pub fn promoter_deals_sql(ids: &[i64]) -> String {
    let ids = id_list(ids);
    format!(
        "SELECT {}, p.id AS payment_id, p.deal_id, p.paid_on, p.amount_fen AS paid_fen FROM deals d \
         LEFT JOIN payments p ON p.deal_id = d.id WHERE d.customer_phone IN \
         (SELECT customer_phone FROM deals WHERE promoter_id IN ({ids}) UNION \
          SELECT customer_phone FROM deals WHERE sales_rep_id IN ({ids}) UNION \
          SELECT customer_phone FROM deals WHERE service_id IN ({ids})) ORDER BY d.id",
        DEAL_COLUMNS.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", ")
    )
}

/// Every fact the engine needs within `scope`. `promoters`: every promoter (the engine looks up
/// referrers and sales reps outside the scope too).
pub async fn facts(
    pool: &AnyPool,
    org: &OrgSettings,
    promoters: &BTreeMap<i64, Promoter>,
    scope: FactScope<'_>,
) -> Result<Facts, AppError> {
    let (mut deals, mut payments) = (Vec::new(), Vec::new());
    match scope {
        FactScope::Customers(list) => {
            // A few hundred customers a statement: the accrual's batch is one or two.
            for chunk in list.chunks(500) {
                let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                let params = params.join(", ");
                let sql = format!("SELECT {DEAL_COLUMNS} FROM deals WHERE customer_phone IN ({params})");
                let mut q = sqlx::query(&sql).persistent(false);
                for c in chunk {
                    q = q.bind(c);
                }
                for r in q.fetch_all(pool).await? {
                    deals.push(deal_of(&r)?);
                }
                let sql = format!(
                    "SELECT p.id, p.deal_id, p.paid_on, p.amount_fen FROM payments p \
                     JOIN deals d ON d.id = p.deal_id WHERE d.customer_phone IN ({params})"
                );
                let mut q = sqlx::query(&sql).persistent(false);
                for c in chunk {
                    q = q.bind(c);
                }
                for r in q.fetch_all(pool).await? {
                    payments.push(payment_of(&r, "id", "amount_fen")?);
                }
            }
        }
        FactScope::Promoters(ids) => {
            let rows = sqlx::query(&promoter_deals_sql(ids)).persistent(false).fetch_all(pool).await?;
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                if deals.last().is_none_or(|d: &Deal| d.id != id) {
                    deals.push(deal_of(r)?);
                }
                if r.try_get::<Option<i64>, _>("payment_id")?.is_some() {
                    payments.push(payment_of(r, "payment_id", "paid_fen")?);
                }
            }
        }
    }
    let boosts = boosts(pool).await?;
    let (valid_leads, activity) = match scope {
        FactScope::Customers(_) => (Vec::new(), Vec::new()),
        FactScope::Promoters(ids) => activity(pool, org, &id_list(ids), None).await?,
    };
    Ok(Facts { promoters: promoters.values().cloned().collect(), deals, payments, valid_leads, activity, boosts })
}

/// Every campaign's boost windows.
pub async fn boosts(pool: &AnyPool) -> Result<Vec<(i64, Vec<crate::features::campaigns::rules::Boost>)>, AppError> {
    let mut boosts = Vec::new();
    for r in sqlx::query("SELECT id, boosts FROM campaigns").fetch_all(pool).await? {
        let list: Vec<crate::features::campaigns::rules::Boost> = r.json("campaigns", "boosts")?;
        if !list.is_empty() {
            boosts.push((r.try_get("id")?, list));
        }
    }
    Ok(boosts)
}

fn payment_of(r: &sqlx::any::AnyRow, id: &str, amount: &str) -> Result<Payment, sqlx::Error> {
    Ok(Payment {
        id: r.try_get(id)?,
        deal_id: r.try_get("deal_id")?,
        paid_on: date(&r.try_get::<String, _>("paid_on")?)?,
        amount_fen: r.try_get(amount)?,
    })
}

/// Valid leads, and shares, unique visitors and valid leads per promoter and month, of the
/// promoters in `ids` (an `id_list`). Shares and visitors as rewards count them (each shared
/// item once a day; a visitor once per link, day and address, people only, not the promoter).
async fn activity(
    pool: &AnyPool,
    org: &OrgSettings,
    ids: &str,
    within: Option<(NaiveDate, NaiveDate)>,
) -> Result<(Vec<ValidLead>, Vec<Activity>), AppError> {
    // Dates and instants the server made, never typed: safe in the text.
    let (days, reviewed) = match within {
        Some((first, last)) => {
            let from = crate::shared::period::start_of_local_day(first, org.tz).timestamp_millis();
            let to =
                crate::shared::period::start_of_local_day(last + chrono::Duration::days(1), org.tz).timestamp_millis();
            (
                format!(" AND day >= '{first}' AND day <= '{last}'"),
                format!(" AND reviewed_at >= {from} AND reviewed_at < {to}"),
            )
        }
        None => (String::new(), String::new()),
    };
    // Per promoter, month and campaign: a campaign's own target counts its activity only.
    type Slot = (i64, i32, u32, Option<i64>);
    let mut months: BTreeMap<Slot, Activity> = BTreeMap::new();
    let mut slot = |promoter_id: i64, d: NaiveDate, campaign_id: Option<i64>| -> Slot {
        let key = (promoter_id, d.year(), d.month(), campaign_id);
        months.entry(key).or_insert(Activity {
            promoter_id,
            year: d.year(),
            month: d.month(),
            campaign_id,
            shares: 0,
            unique_visitors: 0,
            valid_leads: 0,
            stories: 0,
        });
        key
    };
    let mut keys = Vec::new();
    for r in sqlx::query(&format!(
        "SELECT pl.promoter_id, pl.campaign_id, s.day FROM counted_shares s JOIN promo_links pl ON pl.id = s.link_id WHERE pl.promoter_id IN ({ids}){}",
        days.replace("day", "s.day")
    )).persistent(false)
        .fetch_all(pool)
        .await?
    {
        let at = date(&r.try_get::<String, _>("day")?)?;
        keys.push((slot(r.try_get("promoter_id")?, at, r.try_get("campaign_id")?), 0));
    }
    for r in sqlx::query(&format!(
        "SELECT pl.promoter_id, pl.campaign_id, v.day FROM counted_visitors v JOIN promo_links pl ON pl.id = v.link_id WHERE pl.promoter_id IN ({ids}){}",
        days.replace("day", "v.day")
    )).persistent(false)
        .fetch_all(pool)
        .await?
    {
        let at = date(&r.try_get::<String, _>("day")?)?;
        keys.push((slot(r.try_get("promoter_id")?, at, r.try_get("campaign_id")?), 1));
    }
    // Customer stories count in the month marketing approved them.
    for r in sqlx::query(&format!(
        "SELECT author_id, campaign_id, approved_on FROM customer_stories WHERE status = 'approved' AND author_id IN ({ids}){}",
        days.replace("day", "approved_on")
    ))
    .persistent(false)
    .fetch_all(pool)
    .await?
    {
        let at = date(&r.try_get::<String, _>("approved_on")?)?;
        keys.push((slot(r.try_get("author_id")?, at, r.try_get("campaign_id")?), 3));
    }
    let mut leads = Vec::new();
    for r in sqlx::query(
        &format!(
            "SELECT id, promoter_id, campaign_id, reviewed_at FROM leads WHERE status = 'valid' AND promoter_id IN ({ids}) \
             AND reviewed_at IS NOT NULL{reviewed}"
        ),
    )
    .fetch_all(pool)
    .await?
    {
        let lead = ValidLead {
            id: r.try_get("id")?,
            promoter_id: r.try_get("promoter_id")?,
            campaign_id: r.try_get("campaign_id")?,
            valid_on: local_day(r.try_get("reviewed_at")?, org.tz),
        };
        keys.push((slot(lead.promoter_id, lead.valid_on, lead.campaign_id), 2));
        leads.push(lead);
    }
    for (key, what) in keys {
        if let Some(a) = months.get_mut(&key) {
            match what {
                0 => a.shares += 1,
                1 => a.unique_visitors += 1,
                2 => a.valid_leads += 1,
                _ => a.stories += 1,
            }
        }
    }
    Ok((leads, months.into_values().collect()))
}

/// Activity (shares, visitors, valid leads) of these promoters in the days `first..=last`, for
/// the period's activity targets.
pub async fn activity_within(
    pool: &AnyPool,
    org: &OrgSettings,
    ids: &[i64],
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<Activity>, AppError> {
    Ok(activity(pool, org, &id_list(ids), Some((first, last))).await?.1)
}

/// Valid leads and activity of these promoters in the days `first..=last` (what-if replay).
pub async fn activity_of(
    pool: &AnyPool,
    org: &OrgSettings,
    ids: &[i64],
    first: NaiveDate,
    last: NaiveDate,
) -> Result<(Vec<ValidLead>, Vec<Activity>), AppError> {
    activity(pool, org, &id_list(ids), Some((first, last))).await
}

/// A deal's row as the engine sees it.
pub async fn deal(pool: &AnyPool, id: i64) -> Result<Deal, AppError> {
    let r = sqlx::query(&format!("SELECT {DEAL_COLUMNS} FROM deals WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(deal_of(&r)?)
}
