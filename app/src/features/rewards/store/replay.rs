//! What-if replay over stored facts, writing nothing: a period's reward cost under the rules
//! in force (the ledger's) and under a draft rule (the engine's), by promoter. For the draft,
//! every customer with money collected in the period (from earlier when rewards vest later,
//! or a quarter's tier pool began earlier) is read once, in one ordered pass, a batch of whole
//! customers at a time.
use super::facts::{self, date, deal_of, DEAL_COLUMNS};
use super::ledger;
use super::rules::rules;
use crate::features::rewards::engine::PromoterKind;
use crate::features::rewards::engine::{
    compute, with_draft, DatedTerms, Deal, Facts, FlatEvent, Payment, PeriodKind, Promoter, RewardLine, Rule, RuleSpec,
    Tally,
};
use crate::features::rewards::model::{WhatIf, WhatIfGroup, WhatIfLine, WhatIfPromoter};
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::Locale;
use crate::plumbing::state::{internal, AppState};
use crate::shared::money::{ratio_bp, roi_centi};
use crate::shared::period::Period;
use chrono::{Datelike, NaiveDate};
use futures_util::TryStreamExt;
use sqlx::{AnyPool, Row};
use std::collections::{BTreeMap, BTreeSet};

/// Deals per batch handed to the engine.
const BATCH_DEALS: usize = 2000;
/// Promoters per read of valid leads and activity.
const PROMOTERS_PER_READ: usize = 1000;

/// A period's cost by promoter under the rules in force (`before`) and with the draft (`after`).
pub struct Replayed {
    pub rules: Vec<Rule>,
    pub draft_rules: Vec<Rule>,
    pub before: BTreeMap<i64, i64>,
    pub after: BTreeMap<i64, i64>,
    pub promoters: BTreeMap<i64, Promoter>,
    /// Deal amount less cost of the deals signed in the period.
    pub profit_fen: i64,
}

/// Where the facts must start so that everything vesting or pooled in `first..=last` is seen.
fn read_from(rules: &[&[Rule]], terms: &DatedTerms, first: NaiveDate) -> NaiveDate {
    let holding = terms.changes.iter().map(|(_, t)| t.holding_days).chain([terms.base.holding_days]).max().unwrap_or(0);
    let quarterly = rules
        .iter()
        .flat_map(|r| r.iter())
        .any(|r| matches!(r.spec, RuleSpec::MarginalTiers { per: PeriodKind::Quarter, .. }));
    let pool_start = if quarterly {
        Period::Quarter { year: first.year(), quarter: first.month0() / 3 + 1 }.dates().0
    } else {
        first
    };
    pool_start.min(first - chrono::Duration::days(holding.max(0)))
}

pub async fn replay(state: &AppState, draft: &Rule, first: NaiveDate, last: NaiveDate) -> Result<Replayed, AppError> {
    let pool = &state.db.pool;
    let rules = rules(pool).await?;
    let draft_rules = with_draft(&rules, draft);
    let terms = facts::terms(pool).await?;
    let promoters = facts::promoters(pool).await?;
    let boosts = facts::boosts(pool).await?;
    let from = read_from(&[&rules, &draft_rules], &terms, first);
    // The draft's cost is the engine's, on a thread of its own while the facts are read.
    let (batches, mut received) = tokio::sync::mpsc::channel::<Facts>(4);
    let worker = {
        let (draft_rules, terms) = (draft_rules.clone(), terms.clone());
        tokio::task::spawn_blocking(move || {
            let mut after = Tally::new(first, last);
            while let Some(facts) = received.blocking_recv() {
                after.customers(&draft_rules, &facts, &terms);
            }
            after
        })
    };

    // The ledger's side (what the rules in force paid) is read while the facts stream in.
    let (read, paid) =
        tokio::join!(read_customers(state, from, last, &promoters, &boosts, batches), ledger_side(state, first, last));
    read?;
    let (ledger, profit_fen) = paid?;
    let mut after = worker.await.map_err(internal)?;

    // What the rules in force pay is what the ledger holds (the engine's own lines, accrued as
    // facts arrived), but for activity targets, which a period's draft writes: those are the
    // engine's, as for the draft.
    let mut before = Tally::new(first, last);
    // Valid leads and activity, when a rule in either set pays for them.
    let pays_activity = rules.iter().chain(&draft_rules).any(|r| {
        matches!(r.spec, RuleSpec::ActivityTarget { .. } | RuleSpec::FlatPerEvent { event: FlatEvent::ValidLead, .. })
    });
    if pays_activity {
        let ids: Vec<i64> = promoters.keys().copied().collect();
        for step in ids.chunks(PROMOTERS_PER_READ) {
            let (valid_leads, activity) = facts::activity_of(pool, &state.org, step, first, last).await?;
            let facts = Facts {
                promoters: step.iter().filter_map(|id| promoters.get(id).cloned()).collect(),
                valid_leads,
                activity,
                ..Facts::default()
            };
            before.targets(&rules, &facts);
            after.activity(&draft_rules, &facts);
        }
    }
    let mut before = before.finish(&rules);
    for (promoter, fen) in ledger {
        *before.entry(promoter).or_default() += fen;
    }
    before.retain(|_, fen| *fen != 0);
    Ok(Replayed { before, after: after.finish(&draft_rules), rules, draft_rules, promoters, profit_fen })
}

/// Streams every deal and payment of the customers with money collected in `from..=last`,
/// whole customers at a time, to the engine's thread. Payments are read by customer
/// (`customer_payments`), in the deals' order, so that the database merges instead of probing.
async fn read_customers(
    state: &AppState,
    from: NaiveDate,
    last: NaiveDate,
    promoters: &BTreeMap<i64, Promoter>,
    boosts: &[(i64, Vec<crate::features::campaigns::rules::Boost>)],
    batches: tokio::sync::mpsc::Sender<Facts>,
) -> Result<(), AppError> {
    let sql = format!(
        "SELECT {}, p.payment_id, p.paid_on, p.amount_fen AS paid_fen FROM deals d \
         LEFT JOIN customer_payments p ON p.customer = d.customer_phone AND p.deal_id = d.id \
         WHERE d.customer_phone IN (SELECT c.customer FROM customer_payments c WHERE c.paid_on >= $1 AND c.paid_on <= $2) \
         ORDER BY d.customer_phone, d.id",
        DEAL_COLUMNS.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", ")
    );
    let mut read = state.db.begin_streaming_read().await?;
    let mut rows = sqlx::query(&sql).bind(from.to_string()).bind(last.to_string()).fetch(&mut *read);
    let (mut deals, mut payments): (Vec<Deal>, Vec<Payment>) = (Vec::new(), Vec::new());
    // Columns by place: the deal's (`deal_of`), then the payment's three.
    while let Some(r) = rows.try_next().await? {
        let id: i64 = r.try_get(0)?;
        if deals.last().is_none_or(|d| d.id != id) {
            let deal = deal_of(&r)?;
            // A batch ends between customers.
            if deals.len() >= BATCH_DEALS && deals.last().is_some_and(|d| d.customer != deal.customer) {
                let facts = batch(promoters, boosts, std::mem::take(&mut deals), std::mem::take(&mut payments));
                batches.send(facts).await.map_err(internal)?;
            }
            deals.push(deal);
        }
        if let Some(payment_id) = r.try_get::<Option<i64>, _>(13)? {
            payments.push(Payment {
                id: payment_id,
                deal_id: id,
                paid_on: date(r.try_get(14)?)?,
                amount_fen: r.try_get(15)?,
            });
        }
    }
    drop(rows);
    read.rollback().await?;
    if !deals.is_empty() {
        batches.send(batch(promoters, boosts, deals, payments)).await.map_err(internal)?;
    }
    Ok(())
}

/// What the ledger holds vesting in `first..=last` by promoter (brought up to date first), and
/// the profit of the deals signed in the period.
async fn ledger_side(
    state: &AppState,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<(BTreeMap<i64, i64>, i64), AppError> {
    ledger::accrue_all(state).await?;
    let pool = &state.db.pool;
    let cost = ledger_cost(pool, first, last).await?;
    let profit_fen: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(amount_fen - COALESCE(cost_fen, 0)) AS BIGINT) FROM deals WHERE signed_on >= $1 AND signed_on <= $2",
    )
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_one(pool)
    .await?;
    Ok((cost, profit_fen.unwrap_or(0)))
}

/// The ledger's cash vesting in `first..=last` by promoter, activity targets aside. Its
/// conditions are those of the partial index `reward_ledger_cash_vesting` (both engines use a
/// partial index only for a query that states its conditions): the sum reads the period's lines.
async fn ledger_cost(pool: &AnyPool, first: NaiveDate, last: NaiveDate) -> Result<BTreeMap<i64, i64>, AppError> {
    let rows = sqlx::query(
        "SELECT promoter_id, CAST(SUM(amount_fen) AS BIGINT) AS fen FROM reward_ledger \
         WHERE vests_on >= $1 AND vests_on <= $2 AND cash = 1 AND line_key NOT LIKE 'target:%' GROUP BY promoter_id",
    )
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("promoter_id")?, r.try_get("fen")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// A batch's facts: its deals and payments, and the promoters they name.
fn batch(
    everyone: &BTreeMap<i64, Promoter>,
    boosts: &[(i64, Vec<crate::features::campaigns::rules::Boost>)],
    deals: Vec<Deal>,
    payments: Vec<Payment>,
) -> Facts {
    let named: BTreeSet<i64> =
        deals.iter().flat_map(|d| [d.promoter_id, d.sales_rep_id, d.service_id]).flatten().collect();
    Facts {
        promoters: named.iter().filter_map(|id| everyone.get(id).cloned()).collect(),
        deals,
        payments,
        boosts: boosts.to_vec(),
        ..Facts::default()
    }
}

/// A promoter's lines in the period under the rules in force and with the draft.
pub type Both = (Vec<RewardLine>, Vec<RewardLine>);

/// The lines of a few promoters in the period under both sets of rules, to explain what
/// changed for them.
pub async fn lines_of(
    state: &AppState,
    replayed: &Replayed,
    ids: &[i64],
    first: NaiveDate,
    last: NaiveDate,
) -> Result<BTreeMap<i64, Both>, AppError> {
    let pool = &state.db.pool;
    let f = facts::facts(pool, &state.org, &replayed.promoters, facts::FactScope::Promoters(ids)).await?;
    let terms = facts::terms(pool).await?;
    let tally = Tally::new(first, last);
    let mut out: BTreeMap<i64, Both> = ids.iter().map(|id| (*id, (Vec::new(), Vec::new()))).collect();
    for l in compute(&replayed.rules, &f, terms.clone()) {
        if let Some(entry) = out.get_mut(&l.promoter_id).filter(|_| tally.counts(&l)) {
            entry.0.push(l);
        }
    }
    for l in compute(&replayed.draft_rules, &f, terms) {
        if let Some(entry) = out.get_mut(&l.promoter_id).filter(|_| tally.counts(&l)) {
            entry.1.push(l);
        }
    }
    Ok(out)
}

/// Promoters whose change is shown with its lines.
const MOVERS: usize = 20;
/// Lines shown per promoter and side.
const LINES_SHOWN: usize = 12;

/// The what-if of a draft rule over a past period, as marketing sees it.
pub async fn what_if(state: &AppState, draft: &Rule, period: Period) -> Result<WhatIf, AppError> {
    let (first, last) = period.dates();
    let replayed = replay(state, draft, first, last).await?;
    let ids: BTreeSet<i64> = replayed.before.keys().chain(replayed.after.keys()).copied().collect();
    let fen = |m: &BTreeMap<i64, i64>, id: &i64| m.get(id).copied().unwrap_or(0);
    let departments: BTreeMap<i64, String> = sqlx::query("SELECT id, name FROM departments")
        .fetch_all(&state.db.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let mut groups: BTreeMap<(PromoterKind, Option<i64>), (i64, i64)> = BTreeMap::new();
    let mut changed: Vec<(i64, i64, i64)> = Vec::new();
    for id in &ids {
        let (b, a) = (fen(&replayed.before, id), fen(&replayed.after, id));
        if let Some(p) = replayed.promoters.get(id) {
            let g = groups.entry((p.kind, p.department_id)).or_default();
            g.0 += b;
            g.1 += a;
        }
        if a != b {
            changed.push((*id, b, a));
        }
    }
    let promoters_changed = changed.len() as i64;
    changed.sort_by_key(|(id, b, a)| (std::cmp::Reverse((a - b).abs()), *id));
    changed.truncate(MOVERS);
    let mover_ids: Vec<i64> = changed.iter().map(|(id, _, _)| *id).collect();
    let lines = lines_of(state, &replayed, &mover_ids, first, last).await?;
    let names: BTreeMap<i64, String> =
        sqlx::query(&format!("SELECT id, display_name FROM users WHERE id IN ({})", super::facts::id_list(&mover_ids)))
            .persistent(false)
            .fetch_all(&state.db.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?)))
            .collect::<Result<_, sqlx::Error>>()?;
    let shown = |l: &[RewardLine]| -> Vec<WhatIfLine> {
        l.iter()
            .take(LINES_SHOWN)
            .map(|l| WhatIfLine {
                explanation_zh: l.explain(Locale::ZhCn),
                explanation_en: l.explain(Locale::En),
                amount_fen: l.amount_fen,
            })
            .collect()
    };
    let movers = changed
        .iter()
        .map(|(id, b, a)| {
            let (before_lines, after_lines) = lines.get(id).map(|(b, a)| (shown(b), shown(a))).unwrap_or_default();
            WhatIfPromoter {
                promoter_id: *id,
                name: names.get(id).cloned().unwrap_or_default(),
                before_fen: *b,
                after_fen: *a,
                before_lines,
                after_lines,
            }
        })
        .collect();
    let before_fen: i64 = replayed.before.values().sum();
    let after_fen: i64 = replayed.after.values().sum();
    let profit_fen = replayed.profit_fen;
    Ok(WhatIf {
        period: period.key(),
        before_fen,
        after_fen,
        profit_fen,
        roi_before_centi: roi_centi(profit_fen, before_fen),
        roi_after_centi: roi_centi(profit_fen, after_fen),
        cost_ratio_before_bp: ratio_bp(before_fen, profit_fen),
        cost_ratio_after_bp: ratio_bp(after_fen, profit_fen),
        promoters_changed,
        groups: groups
            .into_iter()
            .map(|((kind, department), (before_fen, after_fen))| WhatIfGroup {
                kind,
                department: department.and_then(|d| departments.get(&d).cloned()),
                before_fen,
                after_fen,
            })
            .collect(),
        movers,
    })
}
