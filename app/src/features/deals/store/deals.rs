//! Deals (成交) as stored: validation, attribution to whoever brought the customer, the audit
//! sample, the lists. A deal's order number is unique in the database, so recording the same
//! order twice changes nothing.
use crate::features::deals::i18n::K;
use crate::features::deals::model::{Audit, Audited, DealInput, DealRow, DealSource, Field, PaymentRow, WonLead};
use crate::features::leads::store::review::{event, LeadEvent};
use crate::plumbing::access::{Access, UserView};
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::auth::keyed_hash;
use crate::plumbing::db::{SetColumn, Tx};
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::events;
use crate::plumbing::i18n::C;
use crate::plumbing::live::LiveKind;
use crate::plumbing::settings::{self, OrgSettings};
use crate::plumbing::state::{internal, is_unique_violation, now_ms, AppState};
use crate::shared::money::parse_yuan;
use crate::shared::phone::{normalize, Phone};
use crate::shared::text::clean;
use chrono::NaiveDate;
use sqlx::{AnyPool, Row};

/// Who records deals: the actor the audit log names and, for a sales rep, the rep whose
/// won leads alone they may turn into deals. Marketing, finance and admins may attach any
/// lead. Every path that records a deal (the form, the CSV import, the JSON API) goes
/// through [`insert`], which checks it.
pub struct Recorder<'a> {
    pub actor: &'a Actor,
    pub rep: Option<i64>,
}

impl<'a> Recorder<'a> {
    pub fn of(actor: &'a Actor, user: &UserView) -> Recorder<'a> {
        let any_lead = user.may(Access::Marketing) || user.may(Access::Finance);
        Recorder { actor, rep: (!any_lead).then_some(user.id) }
    }

    /// The server itself (the demo's activity).
    pub fn trusted(actor: &'a Actor) -> Recorder<'a> {
        Recorder { actor, rep: None }
    }
}

/// A deal that passed validation.
#[derive(Debug, Clone)]
pub struct NewDeal {
    pub order_no: String,
    pub customer_phone: String,
    pub customer_name: String,
    pub amount_fen: i64,
    pub cost_fen: Option<i64>,
    pub signed_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub referral_code: Option<String>,
    /// The service contact's phone or email, as typed.
    pub service: Option<String>,
    pub lead_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub payment: Option<(NaiveDate, i64)>,
}

pub(super) fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// A deal recorded from a won lead takes the lead's customer unless sales typed one.
pub async fn fill_from_lead(pool: &AnyPool, input: &mut DealInput) -> Result<(), AppError> {
    let Some(lead_id) = input.lead_id else { return Ok(()) };
    if let Some(r) =
        sqlx::query("SELECT name, phone FROM leads WHERE id = $1").bind(lead_id).fetch_optional(pool).await?
    {
        if input.customer_phone.trim().is_empty() {
            input.customer_phone = r.try_get("phone")?;
        }
        if input.customer_name.trim().is_empty() {
            input.customer_name = r.try_get("name")?;
        }
    }
    Ok(())
}

/// Checks every field; all problems at once, each naming its field.
pub fn validate(org: &OrgSettings, input: &DealInput) -> Result<NewDeal, AppError> {
    let mut errors = Vec::new();
    let mut err = |f: Field, p: Problem| errors.push(FieldError::new(f, p));
    let order_no = clean(&input.order_no, 1, 64).map_err(|e| err(Field::OrderNo, e.into())).unwrap_or_default();
    let phone = normalize(&input.customer_phone, org.allow_foreign_phones)
        .map_err(|e| err(Field::Phone, e.into()))
        .map(|p| p.as_e164().to_string())
        .unwrap_or_default();
    let customer_name = clean(&input.customer_name, 0, 50).map_err(|e| err(Field::Name, e.into())).unwrap_or_default();
    let amount = match parse_yuan(&input.amount) {
        Ok(a) if a > 0 => a,
        Ok(_) => {
            err(Field::Amount, Problem::NotPositive);
            0
        }
        Err(e) => {
            err(Field::Amount, e.into());
            0
        }
    };
    let cost = if !input.cost.trim().is_empty() {
        parse_yuan(&input.cost).map_err(|e| err(Field::Cost, e.into())).ok()
    } else if !input.gross_profit.trim().is_empty() {
        parse_yuan(&input.gross_profit).map_err(|e| err(Field::GrossProfit, e.into())).ok().map(|p| amount - p)
    } else {
        None
    };
    let signed_on = parse_date(&input.signed_on);
    if signed_on.is_none() {
        err(Field::SignedOn, Problem::Date);
    }
    let due_on = if input.due_on.trim().is_empty() {
        None
    } else {
        let d = parse_date(&input.due_on);
        if d.is_none() {
            err(Field::DueOn, Problem::Date);
        }
        d
    };
    let payment = if input.paid_on.trim().is_empty() && input.paid_amount.trim().is_empty() {
        None
    } else {
        let on = parse_date(&input.paid_on);
        if on.is_none() {
            err(Field::PaidOn, Problem::Date);
        }
        let paid = match parse_yuan(&input.paid_amount) {
            Ok(a) if a > 0 => Some(a),
            Ok(_) => {
                err(Field::Amount, Problem::NotPositive);
                None
            }
            Err(e) => {
                err(Field::Amount, e.into());
                None
            }
        };
        on.zip(paid)
    };
    let code = input.referral_code.trim().to_ascii_uppercase();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(NewDeal {
        order_no,
        customer_phone: phone,
        customer_name,
        amount_fen: amount,
        cost_fen: cost,
        signed_on: signed_on.unwrap_or_default(),
        due_on,
        referral_code: (!code.is_empty()).then_some(code),
        service: Some(input.service.trim().to_string()).filter(|s| !s.is_empty()),
        lead_id: input.lead_id,
        campaign_id: input.campaign_id,
        payment,
    })
}

/// Whether a deal is in the audit sample: a keyed hash of its id with the org secret, so the
/// sample is unpredictable to promoters and reproducible by auditors.
pub fn sampled(org: &OrgSettings, deal_id: i64, percent: i64) -> bool {
    let h = keyed_hash(&org.secret, &format!("audit:{deal_id}"));
    u64::from_str_radix(&h[..12], 16).unwrap_or(0) % 100 < percent.clamp(0, 100) as u64
}

pub(super) async fn audit_percent(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    settings::number(pool, "audit_percent", 10).await
}

/// The reference of a payment that came with its deal (an import row or the order system).
pub(super) fn import_reference(paid_on: NaiveDate, amount_fen: i64) -> String {
    format!("import:{paid_on}:{amount_fen}")
}

/// Records a deal; `Ok(None)` when its order number exists already (nothing changes).
pub async fn record(
    state: &AppState,
    recorder: &Recorder<'_>,
    deal: &NewDeal,
    source: DealSource,
) -> Result<Option<i64>, AppError> {
    let percent = audit_percent(&state.db.pool).await?;
    let (turn, mut tx) = state.db.begin_write().await?;
    let id = insert(&mut tx, &state.org, recorder, deal, source, percent).await?;
    tx.commit().await?;
    drop(turn);
    if id.is_some() {
        events::publish(state, LiveKind::Deal, deal.campaign_id, None, 1).await;
    }
    if let Some(id) = id {
        if deal.payment.is_some() {
            crate::features::deals::paid(state, id).await?;
        }
    }
    Ok(id)
}

pub(super) async fn insert(
    tx: &mut Tx,
    org: &OrgSettings,
    recorder: &Recorder<'_>,
    deal: &NewDeal,
    source: DealSource,
    audit_percent: i64,
) -> Result<Option<i64>, AppError> {
    let who = recorder.actor;
    let actor = who.user_id;
    // Who brought the customer: the code typed, else the lead's promoter, else the code the
    // customer redeemed.
    let mut promoter: Option<i64> = None;
    let mut sales_rep: Option<i64> = actor;
    let mut campaign = deal.campaign_id;
    if let Some(code) = &deal.referral_code {
        promoter = Some(
            sqlx::query_scalar("SELECT user_id FROM referral_codes WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or(AppError::invalid(Field::ReferralCode, Problem::said(C::ProblemUnknownCode)))?,
        );
    }
    if let Some(lead_id) = deal.lead_id {
        let lead =
            sqlx::query("SELECT promoter_id, assigned_to, campaign_id FROM leads WHERE id = $1 AND stage = 'won'")
                .bind(lead_id)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or(AppError::invalid(Field::Selection, Problem::said(C::ProblemNotWonLead)))?;
        // A rep turns only their own won leads into deals, on every path.
        if recorder.rep.is_some_and(|rep| lead.try_get::<Option<i64>, _>("assigned_to").ok().flatten() != Some(rep)) {
            return Err(AppError::invalid(Field::Selection, Problem::said(C::ProblemNotYourLead)));
        }
        promoter = promoter.or(lead.try_get("promoter_id")?);
        sales_rep = lead.try_get::<Option<i64>, _>("assigned_to")?.or(sales_rep);
        campaign = campaign.or(lead.try_get("campaign_id")?);
    }
    if promoter.is_none() {
        promoter = sqlx::query_scalar("SELECT promoter_id FROM redemptions WHERE phone = $1")
            .bind(&deal.customer_phone)
            .fetch_optional(&mut **tx)
            .await?;
    }
    let service: Option<i64> = match &deal.service {
        Some(who) => Some(
            sqlx::query_scalar(
                "SELECT u.id FROM users u WHERE (u.phone = $1 OR u.email = $1) AND EXISTS (SELECT 1 FROM user_roles r \
                 WHERE r.user_id = u.id AND r.role IN ('employee', 'sales', 'marketing', 'finance', 'admin'))",
            )
            .bind(who)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(AppError::invalid(Field::Service, Problem::said(K::ProblemNotStaff)))?,
        ),
        None => None,
    };
    // Seed 004: staff buying for themselves or their registered family earn no referral reward.
    let staff_booking: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM users u WHERE u.phone = $1 AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id \
         AND r.role IN ('employee', 'sales', 'marketing', 'finance', 'admin'))) + (SELECT COUNT(*) FROM family_members f WHERE f.phone = $1)",
    )
    .bind(&deal.customer_phone)
    .fetch_one(&mut **tx)
    .await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO deals (order_no, lead_id, customer_phone, customer_name, promoter_id, sales_rep_id, campaign_id, \
         amount_fen, cost_fen, signed_on, due_on, source, referral_code, created_by, created_at, staff_booking, service_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (order_no) DO NOTHING RETURNING id",
    )
    .bind(&deal.order_no)
    .bind(deal.lead_id)
    .bind(&deal.customer_phone)
    .bind(&deal.customer_name)
    .bind(promoter)
    .bind(sales_rep)
    .bind(campaign)
    .bind(deal.amount_fen)
    .bind(deal.cost_fen)
    .bind(deal.signed_on.to_string())
    .bind(deal.due_on.map(|d| d.to_string()))
    .bind(source.as_str())
    .bind(&deal.referral_code)
    .bind(actor)
    .bind(now_ms())
    .bind(i64::from(staff_booking > 0))
    .bind(service)
    .fetch_optional(&mut **tx)
    .await
    .map_err(|e| {
        // The only other unique column: one deal per lead.
        if is_unique_violation(&e) {
            AppError::invalid(Field::Selection, Problem::Taken)
        } else {
            e.into()
        }
    })?;
    let Some(id) = id else { return Ok(None) };
    let after = serde_json::json!({
        "order_no": deal.order_no,
        "amount_fen": deal.amount_fen,
        "cost_fen": deal.cost_fen,
        "signed_on": deal.signed_on.to_string(),
        "promoter_id": promoter,
        "source": source.as_str(),
    });
    let change = Change {
        action: Audited::DealRecorded,
        subject: format!("deal #{id}"),
        before: None,
        after: Some(after.to_string()),
        actor: who,
    };
    audit::record(tx, change).await?;
    // The customer's first order uses the first-order benefit issued to their phone: checkout
    // takes its amount off, or its share of the order up to its cap.
    let coupon = sqlx::query(
        "SELECT c.id, c.amount_fen, c.percent FROM coupons c \
         WHERE c.owner_phone = $1 AND c.status = 'issued' AND c.expires_on >= $2 \
         AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.customer_phone = $1 AND d.id <> $3) ORDER BY c.id LIMIT 1",
    )
    .bind(&deal.customer_phone)
    .bind(deal.signed_on.to_string())
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(c) = coupon {
        let percent: Option<String> = c.try_get("percent")?;
        let percent = percent.map(|p| p.parse::<rust_decimal::Decimal>()).transpose().map_err(internal)?;
        let off = crate::shared::money::benefit_off(deal.amount_fen, c.try_get("amount_fen")?, percent);
        sqlx::query("UPDATE coupons SET status = 'redeemed', redeemed_deal_id = $1, discount_fen = $2 WHERE id = $3")
            .bind(id)
            .bind(off)
            .bind(c.try_get::<i64, _>("id")?)
            .execute(&mut **tx)
            .await?;
    }
    if sampled(org, id, audit_percent) {
        sqlx::query("UPDATE deals SET audit = $1 WHERE id = $2")
            .bind(Audit::Pending.as_str())
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some((paid_on, amount)) = deal.payment {
        sqlx::query(
            "INSERT INTO payments (deal_id, paid_on, amount_fen, reference, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(paid_on.to_string())
        .bind(amount)
        .bind(import_reference(paid_on, amount))
        .bind(actor)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    }
    if let Some(lead_id) = deal.lead_id {
        event(tx, lead_id, actor, LeadEvent::Deal, &deal.order_no).await?;
    }
    Ok(Some(id))
}

/// Marks a sampled deal's call-back: verified (its rewards vest) or rejected (reversed).
pub async fn decide_audit(state: &AppState, actor: &Actor, deal_id: i64, verified: bool) -> Result<(), AppError> {
    let (_turn, mut tx) = state.db.begin_write().await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT audit FROM deals WHERE id = $1").bind(deal_id).fetch_optional(&mut *tx).await?;
    let decided = if verified { Audit::Verified } else { Audit::Rejected };
    let n = sqlx::query(
        "UPDATE deals SET audit = $1, audited_by = $2, audited_at = $3 WHERE id = $4 AND audit <> 'not_sampled'",
    )
    .bind(decided.as_str())
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(deal_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let change = Change {
        action: Audited::CallBackDecided,
        subject: format!("deal #{deal_id}"),
        before,
        after: Some(decided.as_str().into()),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(())
}

/// Deals, newest first, with their payments. Sales reps see their own; marketing, finance and
/// admins see all.
pub async fn list(pool: &AnyPool, user: &UserView) -> Result<Vec<DealRow>, AppError> {
    let all = user.may(Access::Marketing) || user.may(Access::Finance);
    let rows = sqlx::query(
        "SELECT d.id, d.order_no, d.customer_phone, d.customer_name, d.amount_fen, d.cost_fen, d.signed_on, d.due_on, d.source, d.audit, \
         p.display_name AS referrer, s.display_name AS sales_rep, \
         CAST(COALESCE((SELECT SUM(amount_fen) FROM payments WHERE deal_id = d.id), 0) AS BIGINT) AS collected \
         FROM deals d LEFT JOIN users p ON p.id = d.promoter_id LEFT JOIN users s ON s.id = d.sales_rep_id \
         WHERE $1 = 1 OR d.sales_rep_id = $2 OR d.created_by = $2 ORDER BY d.id DESC LIMIT 200",
    )
    .bind(i64::from(all))
    .bind(user.id)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let payments =
            sqlx::query("SELECT id, paid_on, amount_fen FROM payments WHERE deal_id = $1 ORDER BY paid_on, id")
                .bind(id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|p| {
                    Ok(PaymentRow {
                        id: p.try_get("id")?,
                        paid_on: p.try_get("paid_on")?,
                        amount_fen: p.try_get("amount_fen")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let name: String = r.try_get("customer_name")?;
        let phone = Phone::from_e164(r.try_get::<String, _>("customer_phone")?);
        out.push(DealRow {
            id,
            order_no: r.try_get("order_no")?,
            customer: format!("{name} {}", phone.national()).trim().to_string(),
            referrer: r.try_get("referrer")?,
            sales_rep: r.try_get("sales_rep")?,
            amount_fen: r.try_get("amount_fen")?,
            cost_fen: r.try_get("cost_fen")?,
            collected_fen: r.try_get("collected")?,
            signed_on: r.try_get("signed_on")?,
            due_on: r.try_get("due_on")?,
            source: r.set("deals", "source")?,
            audit: r.set("deals", "audit")?,
            payments,
        });
    }
    Ok(out)
}

/// Whether a rep may record money on the deal: their own (as its rep or its author).
pub async fn is_reps(pool: &AnyPool, user_id: i64, deal_id: i64) -> Result<bool, AppError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM deals WHERE id = $1 AND (sales_rep_id = $2 OR created_by = $2)")
            .bind(deal_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

/// Won leads that have no deal yet: the rep's own, or all for marketing and admins.
pub async fn won_leads(pool: &AnyPool, user: &UserView) -> Result<Vec<WonLead>, AppError> {
    let all = user.may(Access::Marketing);
    let rows = sqlx::query(
        "SELECT l.id, l.name, l.phone, c.name AS campaign, COALESCE(u.display_name, '') AS referrer FROM leads l \
         JOIN campaigns c ON c.id = l.campaign_id LEFT JOIN users u ON u.id = l.promoter_id \
         WHERE l.stage = 'won' AND ($1 = 1 OR l.assigned_to = $2) \
         AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.lead_id = l.id) ORDER BY l.id",
    )
    .bind(i64::from(all))
    .bind(user.id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WonLead {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                phone: Phone::from_e164(r.try_get::<String, _>("phone")?).national().to_string(),
                campaign: r.try_get("campaign")?,
                referrer: r.try_get("referrer")?,
            })
        })
        .collect()
}

/// The deals of the promoter's customers, for "my rewards".
pub async fn customers_of(pool: &AnyPool, promoter_id: i64) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT customer_phone FROM deals WHERE promoter_id = $1 OR sales_rep_id = $1 OR service_id = $1 ORDER BY customer_phone",
    )
    .bind(promoter_id)
    .fetch_all(pool)
    .await?)
}
