//! Deals in bulk: a CSV import, and the same rows as JSON from an order system.
use super::deals::NewDeal;
use super::deals::{audit_percent, insert, validate, Recorder};
use crate::features::deals::i18n::K;
use crate::features::deals::model::{DealInput, DealSource, Field, ImportReport};
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::events;
use crate::plumbing::live::LiveKind;
use crate::plumbing::state::AppState;

/// Imports deals from CSV (header: order_no, customer_phone, amount, signed_on, and optionally
/// customer_name, cost, gross_profit, due_on, referral_code, paid_on, paid_amount). Rows
/// with problems are reported by line and skipped; a known order number changes nothing, and a
/// row that says something else about it (amount, customer, date, payment) is refused.
pub async fn import_csv(state: &AppState, recorder: &Recorder<'_>, text: &str) -> Result<ImportReport, AppError> {
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
        return Err(AppError::invalid(Field::ImportFile, crate::shared::text::TextError::Required));
    }
    import(state, recorder, inputs, DealSource::Import, report).await
}

/// The JSON flavour of the import (`POST /api/v1/deals`), same rules.
pub async fn import(
    state: &AppState,
    recorder: &Recorder<'_>,
    inputs: Vec<(i64, DealInput)>,
    source: DealSource,
    mut report: ImportReport,
) -> Result<ImportReport, AppError> {
    let percent = audit_percent(&state.db.pool).await?;
    let mut valid = Vec::new();
    for (line, input) in inputs {
        match validate(&state.org, &input) {
            Ok(d) => valid.push((line, d)),
            Err(e) => report.errors.push((line, e.field_errors().to_vec())),
        }
    }
    let mut paid = Vec::new();
    for chunk in valid.chunks(500) {
        let (_turn, mut tx) = state.db.begin_write().await?;
        for (line, d) in chunk {
            match insert(&mut tx, &state.org, recorder, d, source, percent).await {
                Ok(Some(id)) => {
                    report.created += 1;
                    if d.payment.is_some() {
                        report.payments += 1;
                        paid.push(id);
                    }
                }
                Ok(None) => match differs(&mut tx, d).await? {
                    None => report.unchanged += 1,
                    Some(field) => report
                        .errors
                        .push((*line, vec![FieldError::new(field, Problem::said(K::ProblemRecordedDifferently))])),
                },
                Err(AppError::Invalid(e)) => report.errors.push((*line, e)),
                Err(e) => return Err(e),
            }
        }
        tx.commit().await?;
    }
    if report.created > 0 {
        events::publish(state, LiveKind::Deal, None, None, report.created).await;
    }
    for id in paid {
        crate::features::deals::paid(state, id).await?;
    }
    Ok(report)
}

/// The first field in which a row differs from the deal recorded under its order number: an
/// order system re-sending an order with another amount or payment is told, not ignored (a
/// further payment is recorded on the deal itself).
/// Nothing when no deal has its order number.
pub async fn differs(conn: &mut sqlx::AnyConnection, deal: &NewDeal) -> Result<Option<Field>, sqlx::Error> {
    use sqlx::Row;
    let Some(row) = sqlx::query("SELECT id, customer_phone, amount_fen, signed_on FROM deals WHERE order_no = $1")
        .bind(&deal.order_no)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    if row.try_get::<String, _>("customer_phone")? != deal.customer_phone {
        return Ok(Some(Field::Phone));
    }
    if row.try_get::<i64, _>("amount_fen")? != deal.amount_fen {
        return Ok(Some(Field::Amount));
    }
    if row.try_get::<String, _>("signed_on")? != deal.signed_on.to_string() {
        return Ok(Some(Field::SignedOn));
    }
    if let Some((paid_on, amount)) = deal.payment {
        let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE deal_id = $1 AND reference = $2")
            .bind(row.try_get::<i64, _>("id")?)
            .bind(super::deals::import_reference(paid_on, amount))
            .fetch_one(&mut *conn)
            .await?;
        if known == 0 {
            return Ok(Some(Field::PaidOn));
        }
    }
    Ok(None)
}
