//! Deals (成交), payments (回款) and refunds, referral codes, redemptions and coupons, and the
//! audit sample. A deal's order number is unique in the database, so importing the same order
//! twice changes nothing.
use super::db::{self, Tx};
use super::rewards::{self, DEAL_COLUMNS};
use super::{auth, is_unique_violation, now_ms, outbox, AppState, OrgSettings};
use crate::domain::money::{format_yuan, parse_yuan};
use crate::domain::period::local_date;
use crate::domain::phone::{normalize, Phone};
use crate::domain::reward::{compute, LineKind, PromoterKind};
use crate::domain::text::clean;
use crate::error::{AppError, Field, FieldError, Problem};
use crate::model::{CouponRow, DealInput, DealRow, ImportReport, LiveKind, PaymentRow, UserView, WonLead};
use chrono::NaiveDate;
use sqlx::{AnyPool, Row};

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
    pub lead_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub payment: Option<(NaiveDate, i64)>,
}

fn parse_date(s: &str) -> Option<NaiveDate> {
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
        lead_id: input.lead_id,
        campaign_id: input.campaign_id,
        payment,
    })
}

/// Whether a deal is in the audit sample: a keyed hash of its id with the org secret, so the
/// sample is unpredictable to promoters and reproducible by auditors.
pub fn sampled(org: &OrgSettings, deal_id: i64, percent: i64) -> bool {
    let h = auth::keyed_hash(&org.secret, &format!("audit:{deal_id}"));
    u64::from_str_radix(&h[..12], 16).unwrap_or(0) % 100 < percent.clamp(0, 100) as u64
}

async fn audit_percent(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    Ok(super::settings::get(pool, "audit_percent").await?.and_then(|s| s.parse().ok()).unwrap_or(10))
}

/// Records a deal; `Ok(None)` when its order number exists already (nothing changes).
pub async fn record(
    state: &AppState,
    actor: Option<i64>,
    deal: &NewDeal,
    source: &str,
) -> Result<Option<i64>, AppError> {
    let percent = audit_percent(&state.pool).await?;
    let (turn, mut tx) = db::begin_write(state).await?;
    let id = insert(&mut tx, &state.org, actor, deal, source, percent).await?;
    tx.commit().await?;
    drop(turn);
    if id.is_some() {
        super::events::publish(state, LiveKind::Deal, deal.campaign_id, None, 1).await;
    }
    if let Some(id) = id {
        if deal.payment.is_some() {
            notify_vested(state, id).await?;
        }
    }
    Ok(id)
}

async fn insert(
    tx: &mut Tx,
    org: &OrgSettings,
    actor: Option<i64>,
    deal: &NewDeal,
    source: &str,
    audit_percent: i64,
) -> Result<Option<i64>, AppError> {
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
                .ok_or(AppError::invalid(Field::ReferralCode, Problem::UnknownCode))?,
        );
    }
    if let Some(lead_id) = deal.lead_id {
        let lead =
            sqlx::query("SELECT promoter_id, assigned_to, campaign_id FROM leads WHERE id = $1 AND stage = 'won'")
                .bind(lead_id)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or(AppError::invalid(Field::Selection, Problem::NotValidLead))?;
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
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO deals (order_no, lead_id, customer_phone, customer_name, promoter_id, sales_rep_id, campaign_id, \
         amount_fen, cost_fen, signed_on, due_on, source, referral_code, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
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
    .bind(source)
    .bind(&deal.referral_code)
    .bind(actor)
    .bind(now_ms())
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
    if sampled(org, id, audit_percent) {
        sqlx::query("UPDATE deals SET audit = 'pending' WHERE id = $1").bind(id).execute(&mut **tx).await?;
    }
    if let Some((paid_on, amount)) = deal.payment {
        sqlx::query(
            "INSERT INTO payments (deal_id, paid_on, amount_fen, reference, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(paid_on.to_string())
        .bind(amount)
        .bind(format!("import:{paid_on}:{amount}"))
        .bind(actor)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    }
    if let Some(lead_id) = deal.lead_id {
        super::review::event(tx, lead_id, actor, "deal", &deal.order_no).await?;
    }
    Ok(Some(id))
}

/// Imports deals from CSV (header: order_no, customer_phone, amount, signed_on, and optionally
/// customer_name, cost, gross_profit, due_on, referral_code, paid_on, paid_amount). Rows
/// with problems are reported by line and skipped; known order numbers change nothing.
pub async fn import_csv(state: &AppState, actor: i64, text: &str) -> Result<ImportReport, AppError> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let mut inputs = Vec::new();
    let mut report = ImportReport { created: 0, unchanged: 0, payments: 0, errors: Vec::new() };
    for (i, row) in reader.deserialize::<DealInput>().enumerate() {
        let line = i as i64 + 2;
        match row {
            Ok(input) => inputs.push((line, input)),
            Err(_) => report.errors.push((line, vec![FieldError::new(Field::ImportFile, Problem::UnknownChoice)])),
        }
    }
    if inputs.is_empty() && report.errors.is_empty() {
        return Err(AppError::invalid(Field::ImportFile, crate::domain::text::TextError::Required));
    }
    import(state, actor, inputs, "import", report).await
}

/// The JSON flavour of the import (`POST /api/v1/deals`), same rules.
pub async fn import(
    state: &AppState,
    actor: i64,
    inputs: Vec<(i64, DealInput)>,
    source: &str,
    mut report: ImportReport,
) -> Result<ImportReport, AppError> {
    let percent = audit_percent(&state.pool).await?;
    let mut valid = Vec::new();
    for (line, input) in inputs {
        match validate(&state.org, &input) {
            Ok(d) => valid.push((line, d)),
            Err(e) => report.errors.push((line, e.field_errors().to_vec())),
        }
    }
    let mut paid = Vec::new();
    for chunk in valid.chunks(500) {
        let (_turn, mut tx) = db::begin_write(state).await?;
        for (line, d) in chunk {
            match insert(&mut tx, &state.org, Some(actor), d, source, percent).await {
                Ok(Some(id)) => {
                    report.created += 1;
                    if d.payment.is_some() {
                        report.payments += 1;
                        paid.push(id);
                    }
                }
                Ok(None) => report.unchanged += 1,
                Err(AppError::Invalid(e)) => report.errors.push((*line, e)),
                Err(e) => return Err(e),
            }
        }
        tx.commit().await?;
    }
    if report.created > 0 {
        super::events::publish(state, LiveKind::Deal, None, None, report.created).await;
    }
    for id in paid {
        notify_vested(state, id).await?;
    }
    Ok(report)
}

/// Records a payment, or a refund (`refund`: the amount is taken back).
pub async fn record_payment(
    state: &AppState,
    actor: i64,
    deal_id: i64,
    paid_on: &str,
    amount: &str,
    refund: bool,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    let on = parse_date(paid_on);
    if on.is_none() {
        errors.push(FieldError::new(Field::PaidOn, Problem::Date));
    }
    let amount = match parse_yuan(amount) {
        Ok(a) if a > 0 => a,
        Ok(_) => {
            errors.push(FieldError::new(Field::Amount, Problem::NotPositive));
            0
        }
        Err(e) => {
            errors.push(FieldError::new(Field::Amount, e));
            0
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (turn, mut tx) = db::begin_write(state).await?;
    let collected: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(COALESCE((SELECT SUM(amount_fen) FROM payments WHERE deal_id = d.id), 0) AS BIGINT) FROM deals d WHERE d.id = $1",
    )
    .bind(deal_id)
    .fetch_optional(&mut *tx)
    .await?;
    let collected = collected.ok_or(AppError::NotFound)?;
    if refund && amount > collected {
        return Err(AppError::invalid(Field::Amount, Problem::RefundTooLarge));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO payments (deal_id, paid_on, amount_fen, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(deal_id)
    .bind(on.unwrap_or_default().to_string())
    .bind(if refund { -amount } else { amount })
    .bind(actor)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    drop(turn);
    super::events::publish(state, LiveKind::Payment, None, None, 1).await;
    if !refund {
        notify_vested(state, deal_id).await?;
    }
    Ok(id)
}

/// "Reward vested" (奖励已确认) to everyone whose reward on this deal vested with its payments.
async fn notify_vested(state: &AppState, deal_id: i64) -> Result<(), AppError> {
    let row = sqlx::query("SELECT customer_phone, promoter_id FROM deals WHERE id = $1")
        .bind(deal_id)
        .fetch_optional(&state.pool)
        .await?;
    let Some(row) = row else { return Ok(()) };
    // The referrer's other customers too: a ladder counts every referral of the year.
    let mut customers = vec![row.try_get::<String, _>("customer_phone")?];
    if let Some(promoter) = row.try_get::<Option<i64>, _>("promoter_id")? {
        customers.extend(customers_of(&state.pool, promoter).await?);
        customers.sort();
        customers.dedup();
    }
    let rules = rewards::rules(&state.pool).await?;
    let everyone = rewards::promoters(&state.pool).await?;
    let facts = rewards::facts(&state.pool, &state.org, &everyone, rewards::FactScope::Customers(&customers)).await?;
    let terms = rewards::terms(&state.pool).await?;
    let today = local_date(chrono::Utc::now(), state.org.tz);
    let latest: Option<i64> = facts.payments.iter().filter(|p| p.deal_id == deal_id).map(|p| p.id).max();
    let lines = compute(&rules, &facts, terms);
    let mut messages = Vec::new();
    for line in &lines {
        let is_latest = latest.is_some_and(|p| line.key.contains(&format!(":{p}:")));
        if line.deal_id == Some(deal_id) && line.amount_fen > 0 && line.kind == LineKind::Cash && is_latest {
            let when = line.vests_on.filter(|v| *v <= today);
            let body = match when {
                Some(_) => format!(
                    "【全员营销】你推荐的订单已回款，奖励 {} 已确认，将在下期结算发放。",
                    format_yuan(line.amount_fen)
                ),
                None => format!(
                    "【全员营销】你推荐的订单已回款，奖励 {} 待核验/冻结期后确认。",
                    format_yuan(line.amount_fen)
                ),
            };
            messages.push((format!("user:{}", line.promoter_id), body));
        }
    }
    // Customers' ladder coupons are issued as they are earned.
    let coupons = lines.iter().filter(|l| matches!(l.kind, LineKind::Coupon { .. }));
    let (_turn, mut tx) = db::begin_write(state).await?;
    for c in coupons {
        issue_coupon(
            &mut tx,
            &c.key,
            Some(c.promoter_id),
            None,
            c.amount_fen,
            matches!(c.kind, LineKind::Coupon { perk: true }),
            today,
        )
        .await?;
    }
    let refs: Vec<(&str, &str)> = messages.iter().map(|(r, b)| (r.as_str(), b.as_str())).collect();
    outbox::enqueue_many(&mut tx, "reward_vested", &refs).await?;
    tx.commit().await?;
    if !messages.is_empty() {
        super::events::publish(state, LiveKind::Reward, None, None, messages.len() as i64).await;
    }
    Ok(())
}

/// Issues a coupon once per `source` (a reward line key, or the new customer's benefit).
async fn issue_coupon(
    tx: &mut Tx,
    source: &str,
    owner_user: Option<i64>,
    owner_phone: Option<&str>,
    amount_fen: i64,
    perk: bool,
    today: NaiveDate,
) -> Result<(), sqlx::Error> {
    let code = super::campaigns::new_code().to_ascii_uppercase();
    let expires = today.checked_add_months(chrono::Months::new(12)).unwrap_or(today);
    sqlx::query(
        "INSERT INTO coupons (code, source, owner_user_id, owner_phone, amount_fen, perk, issued_at, expires_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (source) DO NOTHING",
    )
    .bind(code)
    .bind(source)
    .bind(owner_user)
    .bind(owner_phone)
    .bind(amount_fen)
    .bind(i64::from(perk))
    .bind(now_ms())
    .bind(expires.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The promoter's referral code, made on first use.
pub async fn referral_code(state: &AppState, user_id: i64) -> Result<String, AppError> {
    let existing: Option<String> = sqlx::query_scalar("SELECT code FROM referral_codes WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&state.pool)
        .await?;
    if let Some(code) = existing {
        return Ok(code);
    }
    for _ in 0..5 {
        let code = super::campaigns::new_code()[..8].to_ascii_uppercase();
        let (_turn, mut tx) = db::begin_write(state).await?;
        let done = sqlx::query(
            "INSERT INTO referral_codes (code, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(&code)
        .bind(user_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await;
        match done {
            Ok(_) => {
                tx.commit().await?;
                let code: String = sqlx::query_scalar("SELECT code FROM referral_codes WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_one(&state.pool)
                    .await?;
                return Ok(code);
            }
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(super::internal("no free referral code"))
}

/// A new customer redeems a code: the code ties their deals to the referrer and they get the
/// first-order benefit as a coupon. A phone keeps the first code it redeemed.
pub async fn redeem(state: &AppState, code: &str, name: &str, phone: &str) -> Result<CouponRow, AppError> {
    let mut errors = Vec::new();
    let name = clean(name, 0, 50).map_err(|e| errors.push(FieldError::new(Field::Name, e))).unwrap_or_default();
    let phone: Option<Phone> = normalize(phone, state.org.allow_foreign_phones)
        .map_err(|e| errors.push(FieldError::new(Field::Phone, e)))
        .ok();
    let code = code.trim().to_ascii_uppercase();
    let owner = sqlx::query("SELECT r.user_id FROM referral_codes r WHERE r.code = $1")
        .bind(&code)
        .fetch_optional(&state.pool)
        .await?;
    if owner.is_none() {
        errors.push(FieldError::new(
            Field::ReferralCode,
            if code.is_empty() {
                Problem::Text(crate::domain::text::TextError::Required)
            } else {
                Problem::UnknownCode
            },
        ));
    }
    let (Some(phone), Some(owner), true) = (phone, owner, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let promoter: i64 = owner.try_get("user_id")?;
    let kind = rewards::promoters(&state.pool)
        .await?
        .get(&promoter)
        .map(|p| p.promoter.kind)
        .unwrap_or(PromoterKind::Employee);
    let today = local_date(chrono::Utc::now(), state.org.tz);
    let benefit =
        crate::domain::reward::new_customer_benefit(&rewards::rules(&state.pool).await?, kind, today).unwrap_or(0);
    let (_turn, mut tx) = db::begin_write(state).await?;
    sqlx::query("INSERT INTO redemptions (phone, code, promoter_id, name, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (phone) DO NOTHING")
        .bind(phone.as_e164())
        .bind(&code)
        .bind(promoter)
        .bind(&name)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    if benefit > 0 {
        issue_coupon(
            &mut tx,
            &format!("benefit:{}", phone.as_e164()),
            None,
            Some(phone.as_e164()),
            benefit,
            false,
            today,
        )
        .await?;
    }
    tx.commit().await?;
    let row = sqlx::query("SELECT code, amount_fen, perk, status, expires_on FROM coupons WHERE source = $1")
        .bind(format!("benefit:{}", phone.as_e164()))
        .fetch_optional(&state.pool)
        .await?;
    match row {
        Some(r) => coupon_row(&r).map_err(Into::into),
        None => Ok(CouponRow {
            code: String::new(),
            amount_fen: 0,
            perk: false,
            status: "none".into(),
            expires_on: String::new(),
        }),
    }
}

fn coupon_row(r: &sqlx::any::AnyRow) -> Result<CouponRow, sqlx::Error> {
    Ok(CouponRow {
        code: r.try_get("code")?,
        amount_fen: r.try_get("amount_fen")?,
        perk: r.try_get::<i64, _>("perk")? != 0,
        status: r.try_get("status")?,
        expires_on: r.try_get("expires_on")?,
    })
}

/// A customer's coupon wallet: ladder coupons they earned and benefits issued to their phone;
/// expired ones shown as such.
pub async fn coupons(pool: &AnyPool, org: &OrgSettings, user: &UserView) -> Result<Vec<CouponRow>, AppError> {
    let phone: Option<String> =
        sqlx::query_scalar("SELECT phone FROM users WHERE id = $1").bind(user.id).fetch_one(pool).await?;
    let rows = sqlx::query(
        "SELECT code, amount_fen, perk, status, expires_on FROM coupons WHERE owner_user_id = $1 OR owner_phone = $2 ORDER BY issued_at, id",
    )
    .bind(user.id)
    .bind(phone.unwrap_or_default())
    .fetch_all(pool)
    .await?;
    let today = local_date(chrono::Utc::now(), org.tz).to_string();
    rows.iter()
        .map(|r| {
            let mut c = coupon_row(r)?;
            if c.status == "issued" && c.expires_on < today {
                c.status = "expired".into();
            }
            Ok(c)
        })
        .collect()
}

/// Marks a sampled deal's call-back: verified (its rewards vest) or rejected (reversed).
pub async fn decide_audit(state: &AppState, actor: i64, deal_id: i64, verified: bool) -> Result<(), AppError> {
    let (_turn, mut tx) = db::begin_write(state).await?;
    let n = sqlx::query(
        "UPDATE deals SET audit = $1, audited_by = $2, audited_at = $3 WHERE id = $4 AND audit <> 'not_sampled'",
    )
    .bind(if verified { "verified" } else { "rejected" })
    .bind(actor)
    .bind(now_ms())
    .bind(deal_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Deals, newest first, with their payments. Sales reps see their own; marketing, finance and
/// admins see all.
pub async fn list(pool: &AnyPool, user: &UserView) -> Result<Vec<DealRow>, AppError> {
    use crate::model::Role;
    let all = user.has_any(&[Role::Marketing, Role::Finance, Role::Admin]);
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
            source: r.try_get("source")?,
            audit: r.try_get("audit")?,
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
    use crate::model::Role;
    let all = user.has_any(&[Role::Marketing, Role::Admin]);
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
        "SELECT DISTINCT customer_phone FROM deals WHERE promoter_id = $1 OR sales_rep_id = $1 ORDER BY customer_phone",
    )
    .bind(promoter_id)
    .fetch_all(pool)
    .await?)
}

/// For tests and the JSON API: a deal's row as the engine sees it.
pub async fn deal(pool: &AnyPool, id: i64) -> Result<crate::domain::reward::Deal, AppError> {
    let r = sqlx::query(&format!("SELECT {DEAL_COLUMNS} FROM deals WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(rewards::deal_of(&r)?)
}
