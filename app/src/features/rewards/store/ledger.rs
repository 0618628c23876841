//! The reward ledger (PRODUCT.md §4): reward lines kept as the facts that earn them arrive.
//! A fact's transaction queues it (`accruals`, by triggers, so every path queues and nothing
//! acknowledged is lost); the accrual worker recomputes what that customer's deals, or that
//! lead, earn under the pure engine and writes only the lines that changed. A line's row is
//! keyed by the engine's line key, so accruing the same fact twice writes one line; a line the
//! facts no longer earn keeps its row at zero while approved runs paid something for it.
use super::facts::{self, id_list, FactScope};
use super::revision::{self, tick, Tick};
use super::rules::rules;
use crate::features::rewards::engine::{
    accrue, activity_lines, tier_lines, Facts, LineKind, RewardLine, Rule, TierPart, ValidLead,
};
use crate::plumbing::db::{Backend, Tx};
use crate::plumbing::errors::AppError;
use crate::plumbing::state::{internal, now_ms, AppState};
use crate::shared::period::{local_date, local_day};
use chrono::NaiveDate;
use sqlx::{AnyPool, Row};
use std::collections::{BTreeMap, BTreeSet};

/// Whose facts a ledger row comes from: what re-accruing them rewrites.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    Customer(String),
    Lead(i64),
    /// A period's line (marginal tiers, activity targets): no single fact owns it.
    Period,
}

/// The last day of the latest approved settlement period (a plain setting kept by
/// settlement): no rule version may start on or before it.
pub const SETTLED_THROUGH: &str = "rewards_settled_through";

/// What a promoter's ledger holds beyond approved runs, as two columns `vested` and `pending`
/// (`$2`: today) of a query over `reward_ledger l` whose rows approved runs have not paid.
pub const DUE_COLUMNS: &str =
    "CAST(COALESCE(SUM(CASE WHEN l.vests_on <= $2 THEN l.amount_fen - l.settled_fen ELSE 0 END), 0) AS BIGINT) AS vested, \
     CAST(COALESCE(SUM(CASE WHEN l.vests_on IS NULL OR l.vests_on > $2 THEN l.amount_fen - l.settled_fen ELSE 0 END), 0) AS BIGINT) AS pending";

/// Queues again every customer with money collected from `from` on: a change of the reward
/// terms (holding days, late steps, the second level) from that date rewrites what those
/// payments earn, and nothing before it.
pub async fn requeue_paid_from(tx: &mut Tx, from: NaiveDate) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO accruals (customer) SELECT DISTINCT d.customer_phone FROM deals d \
         JOIN payments p ON p.deal_id = d.id WHERE p.paid_on >= $1",
    )
    .bind(from.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queue rows taken per accrual transaction.
pub const BATCH: i64 = 500;

/// One accrual at a time in this process (the job, the paid hook, a draft).
static ACCRUING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What a batch of queued facts earns now, computed before anything is written.
struct Batch {
    ids: Vec<i64>,
    lines: BTreeMap<String, Vec<RewardLine>>,
    parts: BTreeMap<String, Vec<TierPart>>,
    leads: Vec<(i64, Vec<RewardLine>)>,
    today: NaiveDate,
}

/// Accrues up to `limit` queued facts in one transaction; returns how many were taken. One
/// accrual runs at a time: in the process (a lock), and across PostgreSQL instances (the
/// `accrual_turn` row, taken before the facts are read, so two never write the same customer
/// from different reads). SQLite has one process and one writer: the facts are read and
/// computed before the writer is taken, so referral forms do not wait for it.
pub async fn accrue_pending(state: &AppState, limit: i64) -> Result<usize, AppError> {
    let _one = ACCRUING.lock().await;
    let rules = rules(&state.db.pool).await?;
    let (batch, (_turn, mut tx)) = match state.db.backend {
        Backend::Sqlite => {
            let batch = read(state, &rules, limit).await?;
            if batch.ids.is_empty() {
                return Ok(0);
            }
            (batch, state.db.begin_write().await?)
        }
        Backend::Postgres => {
            let (turn, mut tx) = state.db.begin_write().await?;
            sqlx::query("SELECT id FROM accrual_turn WHERE id = 1 FOR UPDATE").execute(&mut *tx).await?;
            let batch = read(state, &rules, limit).await?;
            if batch.ids.is_empty() {
                return Ok(0);
            }
            (batch, (turn, tx))
        }
    };
    let tick = tick(&mut tx).await?;
    let mut pools = BTreeSet::new();
    let mut parts = batch.parts;
    for (customer, lines) in batch.lines {
        put(&mut tx, &tick, &Owner::Customer(customer.clone()), lines, batch.today).await?;
        pools.extend(put_parts(&mut tx, &customer, parts.remove(&customer).unwrap_or_default()).await?);
    }
    for tier_key in pools {
        let stored = sqlx::query("SELECT part FROM reward_tier_parts WHERE tier_key = $1")
            .bind(&tier_key)
            .fetch_all(&mut *tx)
            .await?;
        let pool_parts: Vec<TierPart> = stored.iter().map(|r| json(r, "part")).collect::<Result<_, _>>()?;
        let mut line = tier_lines(&rules, &pool_parts);
        line.retain(|l| l.key == tier_key);
        put_period(&mut tx, &tick, &tier_key, line.pop(), batch.today).await?;
    }
    for (lead, lines) in batch.leads {
        put(&mut tx, &tick, &Owner::Lead(lead), lines, batch.today).await?;
    }
    sqlx::query(&format!("DELETE FROM accruals WHERE id IN ({})", id_list(&batch.ids)))
        .persistent(false)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(batch.ids.len())
}

/// Takes up to `limit` queued facts and computes what their customers and leads earn now.
/// Facts are read after the queue rows: whatever queued them has committed, so they are seen.
async fn read(state: &AppState, rules: &[Rule], limit: i64) -> Result<Batch, AppError> {
    let pool = &state.db.pool;
    let queued = sqlx::query("SELECT id, customer, lead_id FROM accruals ORDER BY id LIMIT $1")
        .bind(limit)
        .fetch_all(pool)
        .await?;
    let (mut ids, mut customers, mut leads) = (Vec::new(), BTreeSet::new(), BTreeSet::new());
    for r in &queued {
        ids.push(r.try_get::<i64, _>("id")?);
        match (r.try_get::<Option<String>, _>("customer")?, r.try_get::<Option<i64>, _>("lead_id")?) {
            (Some(c), _) => customers.insert(c),
            (None, Some(l)) => leads.insert(l),
            (None, None) => false,
        };
    }
    let today = local_date(chrono::Utc::now(), state.org.tz);
    let mut batch = Batch { ids, lines: BTreeMap::new(), parts: BTreeMap::new(), leads: Vec::new(), today };
    if batch.ids.is_empty() {
        return Ok(batch);
    }
    let terms = facts::terms(pool).await?;
    let customers: Vec<String> = customers.into_iter().collect();
    let mut facts = facts::facts(pool, &state.org, &BTreeMap::new(), FactScope::Customers(&customers)).await?;
    facts.promoters = facts::promoters_of_deals(pool, &facts.deals).await?.into_values().collect();
    let whose: BTreeMap<i64, &str> = facts.deals.iter().map(|d| (d.id, d.customer.as_str())).collect();
    let by_payment: BTreeMap<i64, i64> = facts.payments.iter().map(|p| (p.id, p.deal_id)).collect();
    let accrued = accrue(rules, &facts, terms);
    // Every customer taken gets an entry, so lines it no longer earns vanish.
    batch.lines = customers.iter().map(|c| (c.clone(), Vec::new())).collect();
    batch.parts = customers.iter().map(|c| (c.clone(), Vec::new())).collect();
    for l in accrued.lines {
        if let Some(c) = l.deal_id.and_then(|d| whose.get(&d)) {
            batch.lines.entry(c.to_string()).or_default().push(l);
        }
    }
    for p in accrued.tier_parts {
        let payment: Option<i64> = p.key.rsplit(':').next().and_then(|id| id.parse().ok());
        if let Some(c) = payment.and_then(|id| by_payment.get(&id)).and_then(|d| whose.get(d)) {
            batch.parts.entry(c.to_string()).or_default().push(p);
        }
    }
    for lead in leads {
        batch.leads.push((lead, lead_lines(pool, state, rules, lead).await?));
    }
    Ok(batch)
}

/// Accrues until nothing queued before the call is left (a draft starts from a complete ledger).
pub async fn accrue_all(state: &AppState) -> Result<(), AppError> {
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM accruals").fetch_one(&state.db.pool).await?;
    let Some(last) = last else { return Ok(()) };
    loop {
        let first: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM accruals").fetch_one(&state.db.pool).await?;
        if first.is_none_or(|f| f > last) || accrue_pending(state, BATCH).await? == 0 {
            return Ok(());
        }
    }
}

/// Facts waiting to accrue, and since when (ms): the accrual lag admin sees.
pub async fn lag(pool: &AnyPool) -> Result<(i64, Option<i64>), AppError> {
    let r = sqlx::query("SELECT COUNT(*) AS n, MIN(queued_at) AS oldest FROM accruals").fetch_one(pool).await?;
    Ok((r.try_get("n")?, r.try_get("oldest")?))
}

fn json<T: serde::de::DeserializeOwned>(r: &sqlx::any::AnyRow, column: &str) -> Result<T, AppError> {
    serde_json::from_str(&r.try_get::<String, _>(column)?).map_err(internal)
}

/// What one lead earns now: its lines while it is valid, none otherwise.
async fn lead_lines(pool: &AnyPool, state: &AppState, rules: &[Rule], id: i64) -> Result<Vec<RewardLine>, AppError> {
    let row = sqlx::query(
        "SELECT promoter_id, campaign_id, reviewed_at FROM leads WHERE id = $1 AND status = 'valid' \
         AND promoter_id IS NOT NULL AND reviewed_at IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(Vec::new()) };
    let promoter_id: i64 = row.try_get("promoter_id")?;
    let lead = ValidLead {
        id,
        promoter_id,
        campaign_id: row.try_get("campaign_id")?,
        valid_on: local_day(row.try_get("reviewed_at")?, state.org.tz),
    };
    let promoters = facts::promoters_by_id(pool, &[promoter_id]).await?;
    let facts = Facts { promoters: promoters.into_values().collect(), valid_leads: vec![lead], ..Facts::default() };
    Ok(activity_lines(rules, &facts))
}

/// A ledger row as stored.
struct Stored {
    key: String,
    line: Option<String>,
}

async fn stored(tx: &mut Tx, owner: &Owner) -> Result<Vec<Stored>, AppError> {
    let rows = match owner {
        Owner::Customer(c) => {
            sqlx::query("SELECT line_key, line FROM reward_ledger WHERE customer = $1")
                .bind(c)
                .fetch_all(&mut **tx)
                .await?
        }
        Owner::Lead(l) => {
            sqlx::query("SELECT line_key, line FROM reward_ledger WHERE lead_id = $1")
                .bind(l)
                .fetch_all(&mut **tx)
                .await?
        }
        Owner::Period => Vec::new(),
    };
    rows.iter().map(|r| Ok(Stored { key: r.try_get("line_key")?, line: r.try_get("line")? })).collect()
}

/// Makes the owner's rows what `lines` says: changed lines written, lines no longer earned
/// removed (or zeroed, when approved runs paid for them).
pub async fn put(
    tx: &mut Tx,
    tick: &Tick,
    owner: &Owner,
    lines: Vec<RewardLine>,
    today: NaiveDate,
) -> Result<(), AppError> {
    let before: BTreeMap<String, Stored> = stored(tx, owner).await?.into_iter().map(|s| (s.key.clone(), s)).collect();
    let mut kept = BTreeSet::new();
    for l in lines {
        let text = serde_json::to_string(&l).map_err(internal)?;
        kept.insert(l.key.clone());
        if before.get(&l.key).is_some_and(|s| s.line.as_deref() == Some(text.as_str())) {
            continue;
        }
        write(tx, tick, owner, &l, &text, today, before.contains_key(&l.key)).await?;
    }
    for key in before.keys().filter(|k| !kept.contains(*k)) {
        vanish(tx, tick, key).await?;
    }
    Ok(())
}

/// A period's line (tier, target): written as it is now, or vanished when there is none.
pub async fn put_period(
    tx: &mut Tx,
    tick: &Tick,
    key: &str,
    line: Option<RewardLine>,
    today: NaiveDate,
) -> Result<(), AppError> {
    match line {
        Some(l) => {
            let text = serde_json::to_string(&l).map_err(internal)?;
            let same: Option<Option<String>> = sqlx::query_scalar("SELECT line FROM reward_ledger WHERE line_key = $1")
                .bind(key)
                .fetch_optional(&mut **tx)
                .await?;
            let existed = same.is_some();
            if same.flatten().as_deref() != Some(text.as_str()) {
                write(tx, tick, &Owner::Period, &l, &text, today, existed).await?;
            }
        }
        None => {
            vanish(tx, tick, key).await?;
        }
    }
    Ok(())
}

/// Writes a line. A line vested when it is first written was announced with its payment; one
/// that vests later (held for the audit, or a holding period) waits for `announce_vested`.
async fn write(
    tx: &mut Tx,
    tick: &Tick,
    owner: &Owner,
    l: &RewardLine,
    text: &str,
    today: NaiveDate,
    existed: bool,
) -> Result<(), AppError> {
    let (customer, lead) = match owner {
        Owner::Customer(c) => (Some(c.as_str()), None),
        Owner::Lead(id) => (None, Some(*id)),
        Owner::Period => (None, None),
    };
    if existed {
        revision::keep_line(tx, tick, &l.key).await?;
    }
    sqlx::query(
        "INSERT INTO reward_ledger (line_key, customer, lead_id, promoter_id, deal_id, amount_fen, vests_on, line, accrued_at, \
         announced, revision, cash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (line_key) DO UPDATE SET \
         customer = excluded.customer, lead_id = excluded.lead_id, promoter_id = excluded.promoter_id, \
         deal_id = excluded.deal_id, amount_fen = excluded.amount_fen, vests_on = excluded.vests_on, line = excluded.line, \
         accrued_at = excluded.accrued_at, revision = excluded.revision, cash = excluded.cash, \
         announced = CASE WHEN excluded.announced = 0 THEN 0 ELSE reward_ledger.announced END",
    )
    .bind(&l.key)
    .bind(customer)
    .bind(lead)
    .bind(l.promoter_id)
    .bind(l.deal_id)
    .bind(l.amount_fen)
    .bind(l.vests_on.map(|d| d.to_string()))
    .bind(text)
    .bind(now_ms())
    .bind(i64::from(l.vests_on.is_some_and(|v| v <= today)))
    .bind(tick.revision)
    .bind(i64::from(l.kind == LineKind::Cash))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A line the facts no longer earn: gone, or kept at zero so the next run takes back what was paid.
async fn vanish(tx: &mut Tx, tick: &Tick, key: &str) -> Result<(), AppError> {
    revision::keep_line(tx, tick, key).await?;
    // Whether approved runs paid for it is decided as it is written: an approval may have
    // come between the accrual's read and its write.
    sqlx::query("DELETE FROM reward_ledger WHERE line_key = $1 AND settled_fen = 0")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE reward_ledger SET amount_fen = 0, line = NULL, accrued_at = $2, revision = $3 WHERE line_key = $1 \
         AND settled_fen <> 0 AND (amount_fen <> 0 OR line IS NOT NULL)",
    )
    .bind(key)
    .bind(now_ms())
    .bind(tick.revision)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Makes a customer's tier parts what `parts` says; returns the pools whose parts changed.
async fn put_parts(tx: &mut Tx, customer: &str, parts: Vec<TierPart>) -> Result<BTreeSet<String>, AppError> {
    let rows = sqlx::query("SELECT part_key, tier_key, part FROM reward_tier_parts WHERE customer = $1")
        .bind(customer)
        .fetch_all(&mut **tx)
        .await?;
    let mut before: BTreeMap<String, (String, String)> = BTreeMap::new();
    for r in &rows {
        before.insert(r.try_get("part_key")?, (r.try_get("tier_key")?, r.try_get("part")?));
    }
    let mut changed = BTreeSet::new();
    for p in parts {
        let text = serde_json::to_string(&p).map_err(internal)?;
        match before.remove(&p.key) {
            Some((_, old)) if old == text => continue,
            Some((old_pool, _)) => {
                changed.insert(old_pool);
            }
            None => {}
        }
        sqlx::query(
            "INSERT INTO reward_tier_parts (part_key, customer, tier_key, part) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (part_key) DO UPDATE SET customer = excluded.customer, tier_key = excluded.tier_key, part = excluded.part",
        )
        .bind(&p.key)
        .bind(customer)
        .bind(&p.tier_key)
        .bind(&text)
        .execute(&mut **tx)
        .await?;
        changed.insert(p.tier_key);
    }
    for (key, (pool, _)) in before {
        sqlx::query("DELETE FROM reward_tier_parts WHERE part_key = $1").bind(key).execute(&mut **tx).await?;
        changed.insert(pool);
    }
    Ok(changed)
}

/// A draft's activity-target lines for these promoters in the days `first..=last`: written as
/// they are now; a target no longer reached vanishes.
pub async fn put_targets(
    state: &AppState,
    promoters: &[i64],
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
    lines: Vec<RewardLine>,
) -> Result<(), AppError> {
    // Period lines (no customer) by promoter: a small partial index.
    let (first, last) = (first.to_string(), last.to_string());
    let rows = sqlx::query(&format!(
        "SELECT line_key, vests_on FROM reward_ledger WHERE promoter_id IN ({}) AND customer IS NULL",
        id_list(promoters)
    ))
    .persistent(false)
    .fetch_all(&state.db.pool)
    .await?;
    let mut before = Vec::new();
    for r in &rows {
        let (key, on): (String, Option<String>) = (r.try_get("line_key")?, r.try_get("vests_on")?);
        if key.starts_with("target:") && on.is_some_and(|d| d >= first && d <= last) {
            before.push(key);
        }
    }
    let lines: Vec<RewardLine> = lines.into_iter().filter(|l| l.key.starts_with("target:")).collect();
    if lines.is_empty() && before.is_empty() {
        return Ok(());
    }
    let today = local_date(chrono::Utc::now(), state.org.tz);
    let (_turn, mut tx) = state.db.begin_write().await?;
    let tick = tick(&mut tx).await?;
    let kept: BTreeSet<String> = lines.iter().map(|l| l.key.clone()).collect();
    for l in lines {
        let key = l.key.clone();
        put_period(&mut tx, &tick, &key, Some(l), today).await?;
    }
    for key in before.iter().filter(|k| !kept.contains(*k)) {
        put_period(&mut tx, &tick, key, None, today).await?;
    }
    tx.commit().await?;
    Ok(())
}
