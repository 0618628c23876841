//! Deals' part of the JSON API: an order system pushes deals (idempotent by order number) and
//! payments and refunds (idempotent by the payment's own id), with an API key.
use super::i18n::K;
use super::model::{DealInput, Field};
use super::store::deals::validate;
use crate::plumbing::api::{answer, ApiJson, ApiResult, FieldErrorDoc};
use crate::plumbing::api_keys::{require_key, ApiKey, ApiScope};
use crate::plumbing::audit::Actor;
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::state::AppState;
use crate::shared::money::fen_text;
use axum::extract::State;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

crate::closed_set! {
    /// The currency of an amount: the organization settles in CNY.
    pub enum Currency("currency") {
        Cny = "CNY",
    }
}

/// A deal as an order system sends it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ApiDeal {
    /// The order number: the deal's identity. The same order again changes nothing.
    pub order_no: String,
    /// The customer's mobile number (`13912345678`, `+86 139 1234 5678`).
    #[schema(pattern = r"^\+?[0-9][0-9 ()-]{6,22}$")]
    pub customer_phone: String,
    #[serde(default)]
    pub customer_name: String,
    /// The deal's amount, in fen (1 yuan = 100 fen).
    pub amount_fen: i64,
    pub currency: Currency,
    /// Its cost, in fen; or give `gross_profit_fen`.
    #[serde(default)]
    pub cost_fen: Option<i64>,
    #[serde(default)]
    pub gross_profit_fen: Option<i64>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub signed_on: String,
    #[serde(default)]
    #[schema(format = Date)]
    pub due_on: Option<String>,
    /// A referral code; else the lead's promoter, or the code the customer redeemed.
    #[serde(default)]
    pub referral_code: Option<String>,
    /// Who serves the customer (a staff member's phone or email).
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub lead_id: Option<i64>,
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// The first payment, received with the deal.
    #[serde(default)]
    pub payment: Option<ApiFirstPayment>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ApiFirstPayment {
    #[schema(format = Date)]
    pub paid_on: String,
    pub amount_fen: i64,
}

/// What a push did. Pushing the same deals again answers `unchanged` for each.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DealsPushed {
    /// Deals recorded by this push.
    pub created: i64,
    /// Deals already recorded exactly so.
    pub unchanged: i64,
    /// First payments recorded with their deals.
    pub payments: i64,
    /// Deals refused while being recorded (an unknown referral code or lead), each problem
    /// named by `[row].field` (rows counted from 0); the others are recorded.
    #[schema(value_type = Vec<FieldErrorDoc>)]
    pub errors: Vec<FieldError>,
}

fn row_input(d: ApiDeal) -> DealInput {
    let text = |v: Option<i64>| v.map(fen_text).unwrap_or_default();
    DealInput {
        order_no: d.order_no,
        customer_phone: d.customer_phone,
        customer_name: d.customer_name,
        amount: fen_text(d.amount_fen),
        cost: text(d.cost_fen),
        gross_profit: text(d.gross_profit_fen),
        signed_on: d.signed_on,
        due_on: d.due_on.unwrap_or_default(),
        referral_code: d.referral_code.unwrap_or_default(),
        service: d.service.unwrap_or_default(),
        lead_id: d.lead_id,
        campaign_id: d.campaign_id,
        paid_on: d.payment.as_ref().map(|p| p.paid_on.clone()).unwrap_or_default(),
        paid_amount: text(d.payment.map(|p| p.amount_fen)),
    }
}

/// A field error as the API names it: the body's field, in row `row`.
fn at_row(row: i64, mut e: FieldError) -> FieldError {
    let name = match e.field.as_ref() {
        "phone" => "customer_phone",
        "name" => "customer_name",
        "amount" => "amount_fen",
        "cost" => "cost_fen",
        "gross_profit" => "gross_profit_fen",
        "paid_on" => "payment.paid_on",
        other => other,
    };
    e.field = format!("[{row}].{name}").into();
    e
}

/// Push deals
///
/// Records deals from an order system: the same rules as the CSV import. A deal whose order
/// number is recorded with the same details changes nothing; with other details (customer,
/// amount, date, first payment) the whole push is refused with 409. A deal with an invalid
/// field refuses the whole push with 422, each problem named by `[row].field`.
#[utoipa::path(post, path = "/api/v1/deals", tag = "deals", request_body = Vec<ApiDeal>,
    responses((status = 200, description = "What the push did", body = DealsPushed)),
    security(("api_key" = ["deals:write"])))]
async fn push_deals(
    State(state): State<AppState>,
    parts: Parts,
    ApiJson(deals): ApiJson<Vec<ApiDeal>>,
) -> ApiResult<DealsPushed> {
    let mut needs = vec![ApiScope::DealsWrite];
    if deals.iter().any(|d| d.payment.is_some()) {
        needs.push(ApiScope::PaymentsWrite);
    }
    let key = require_key(&state, &parts.headers, &needs).await?;
    let inputs: Vec<(i64, DealInput)> =
        deals.into_iter().map(row_input).enumerate().map(|(i, d)| (i as i64, d)).collect();
    // A push is refused whole when a deal is invalid, or recorded otherwise under its order
    // number (an order system's bug): never half recorded.
    let (mut invalid, mut valid) = (Vec::new(), Vec::new());
    for (row, input) in &inputs {
        match validate(&state.org, input) {
            Ok(deal) => valid.push((*row, deal)),
            Err(e) => invalid.extend(e.field_errors().iter().cloned().map(|e| at_row(*row, e))),
        }
    }
    if !invalid.is_empty() {
        return Err(AppError::Invalid(invalid));
    }
    let mut conflicts = Vec::new();
    let mut conn = state.db.pool.acquire().await?;
    for (row, deal) in &valid {
        if let Some(field) = super::store::import::differs(&mut conn, deal).await? {
            conflicts.push(at_row(*row, FieldError::new(field, Problem::said(K::ProblemRecordedDifferently))));
        }
    }
    drop(conn);
    if !conflicts.is_empty() {
        return Err(AppError::Conflict(conflicts));
    }
    let report = super::store::import::push(&state, actor(&state, &key, &parts), valid).await?;
    let errors: Vec<FieldError> =
        report.errors.into_iter().flat_map(|(row, es)| es.into_iter().map(move |e| at_row(row, e))).collect();
    answer(DealsPushed { created: report.created, unchanged: report.unchanged, payments: report.payments, errors })
}

fn actor(state: &AppState, key: &ApiKey, parts: &Parts) -> Actor {
    Actor::person(key.created_by, &state.org.secret, &parts.extensions)
}

crate::closed_set! {
    /// Money received, or given back.
    pub enum PaymentKind("payment kind") {
        Payment = "payment",
        Refund = "refund",
    }
}

/// A payment or refund on a deal, as the order system knows it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ApiPayment {
    /// The payment's own id in the order system: the same id twice is one payment.
    pub payment_id: String,
    /// The deal's order number.
    pub order_no: String,
    pub kind: PaymentKind,
    /// In fen, positive (a refund gives this much back).
    pub amount_fen: i64,
    pub currency: Currency,
    #[schema(format = Date)]
    pub paid_on: String,
}

/// A payment as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PaymentRecorded {
    pub id: i64,
    pub payment_id: String,
    pub deal_id: i64,
    pub order_no: String,
    pub kind: PaymentKind,
    pub amount_fen: i64,
    pub currency: Currency,
    pub paid_on: String,
}

/// Record a payment or refund
///
/// Idempotent by `payment_id`: the same payment again answers the same; the same id with
/// other details answers 409. A refund cannot exceed what the deal has collected (422).
#[utoipa::path(post, path = "/api/v1/payments", tag = "deals", request_body = ApiPayment,
    responses((status = 200, description = "The payment as recorded", body = PaymentRecorded)),
    security(("api_key" = ["payments:write"])))]
async fn push_payment(
    State(state): State<AppState>,
    parts: Parts,
    ApiJson(p): ApiJson<ApiPayment>,
) -> ApiResult<PaymentRecorded> {
    let key = require_key(&state, &parts.headers, &[ApiScope::PaymentsWrite]).await?;
    let payment_id =
        crate::shared::text::clean(&p.payment_id, 1, 64).map_err(|e| AppError::invalid(Field::PaymentId, e))?;
    let refund = p.kind == PaymentKind::Refund;
    let deal_id: Option<i64> = sqlx::query_scalar("SELECT id FROM deals WHERE order_no = $1")
        .bind(p.order_no.trim())
        .fetch_optional(&state.db.pool)
        .await?;
    let deal_id = deal_id.ok_or_else(|| AppError::invalid(Field::OrderNo, Problem::UnknownChoice))?;
    let recorded = super::store::payments::record_payment(
        &state,
        &actor(&state, &key, &parts),
        deal_id,
        &p.paid_on,
        &fen_text(p.amount_fen),
        refund,
        Some(&payment_id),
    )
    .await?;
    let signed = if refund { -p.amount_fen } else { p.amount_fen };
    if recorded.amount_fen != signed || recorded.deal_id != deal_id || recorded.paid_on != p.paid_on.trim() {
        let field = if recorded.deal_id != deal_id {
            Field::OrderNo
        } else if recorded.paid_on != p.paid_on.trim() {
            Field::PaidOn
        } else {
            Field::Amount
        };
        return Err(AppError::Conflict(vec![FieldError::new(
            field,
            Problem::said(K::ProblemPaymentRecordedDifferently),
        )]));
    }
    answer(PaymentRecorded {
        id: recorded.id,
        payment_id,
        deal_id,
        order_no: p.order_no.trim().to_string(),
        kind: p.kind,
        amount_fen: p.amount_fen,
        currency: Currency::Cny,
        paid_on: recorded.paid_on,
    })
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(push_deals)).routes(routes!(push_payment))
}
