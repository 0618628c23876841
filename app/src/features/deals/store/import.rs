//! Deals in bulk: a CSV import, and the same rows as JSON from an order system.
use super::deals::NewDeal;
use super::deals::{audit_percent, insert, validate, Recorder};
use crate::features::deals::i18n::K;
use crate::features::deals::model::{DealInput, DealSource, Field, ImportReport};
use crate::plumbing::audit::Actor;
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::events;
use crate::plumbing::group_commit::{Job, JobFuture};
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
        let outcomes = record_rows(&mut tx, &state.org, recorder, chunk, source, percent).await?;
        tx.commit().await?;
        tally(&mut report, outcomes, &mut paid);
    }
    announce(state, &report, paid).await?;
    Ok(report)
}

/// What recording one valid row came to.
#[derive(Debug, Clone)]
pub enum Recorded {
    Created { id: i64, paid: bool },
    Unchanged,
    Refused(Vec<FieldError>),
}

/// Records valid rows in `tx`, the import's and the API's rule: a known order number changes
/// nothing, unless the row says something else about it.
pub async fn record_rows(
    tx: &mut crate::plumbing::db::Tx,
    org: &crate::plumbing::settings::OrgSettings,
    recorder: &Recorder<'_>,
    rows: &[(i64, NewDeal)],
    source: DealSource,
    percent: i64,
) -> Result<Vec<(i64, Recorded)>, AppError> {
    let mut out = Vec::with_capacity(rows.len());
    for (line, d) in rows {
        let recorded = match insert(tx, org, recorder, d, source, percent).await {
            Ok(Some(id)) => Recorded::Created { id, paid: d.payment.is_some() },
            Ok(None) => match differs(tx, d).await? {
                None => Recorded::Unchanged,
                Some(field) => {
                    Recorded::Refused(vec![FieldError::new(field, Problem::said(K::ProblemRecordedDifferently))])
                }
            },
            Err(AppError::Invalid(e)) => Recorded::Refused(e),
            Err(e) => return Err(e),
        };
        out.push((*line, recorded));
    }
    Ok(out)
}

fn tally(report: &mut ImportReport, outcomes: Vec<(i64, Recorded)>, paid: &mut Vec<i64>) {
    for (line, r) in outcomes {
        match r {
            Recorded::Created { id, paid: with_payment } => {
                report.created += 1;
                if with_payment {
                    report.payments += 1;
                    paid.push(id);
                }
            }
            Recorded::Unchanged => report.unchanged += 1,
            Recorded::Refused(e) => report.errors.push((line, e)),
        }
    }
}

/// After the commit: the live dashboards hear of the deals, and money received runs its hooks.
async fn announce(state: &AppState, report: &ImportReport, paid: Vec<i64>) -> Result<(), AppError> {
    if report.created > 0 {
        events::publish(state, LiveKind::Deal, None, None, report.created).await;
    }
    for id in paid {
        crate::features::deals::paid(state, id).await?;
    }
    Ok(())
}

/// An order system's push, written with the pushes that arrive with it in one transaction
/// (group commit: on SQLite one fsync for all of them).
pub struct Push {
    pub rows: Vec<(i64, NewDeal)>,
    pub actor: Actor,
    pub percent: i64,
}

impl Job for Push {
    type Output = Vec<(i64, Recorded)>;

    fn run_batch<'a>(
        state: &'a AppState,
        tx: &'a mut crate::plumbing::db::Tx,
        jobs: &'a [&'a Self],
    ) -> JobFuture<'a, Vec<Self::Output>> {
        Box::pin(async move {
            let mut outputs = Vec::with_capacity(jobs.len());
            for job in jobs {
                let recorder = Recorder::trusted(&job.actor);
                let recorded = record_rows(tx, &state.org, &recorder, &job.rows, DealSource::Api, job.percent)
                    .await
                    .map_err(|e| match e {
                        AppError::Unavailable { .. } => sqlx::Error::PoolTimedOut,
                        other => sqlx::Error::Protocol(format!("deal push: {other}")),
                    })?;
                outputs.push(recorded);
            }
            Ok(outputs)
        })
    }
}

/// Records an order system's valid deals (`rows`, by their place in the push) as `actor`.
pub async fn push(state: &AppState, actor: Actor, rows: Vec<(i64, NewDeal)>) -> Result<ImportReport, AppError> {
    let percent = audit_percent(&state.db.pool).await?;
    let job = Push { rows, actor, percent };
    let outcomes = match state.part::<crate::features::deals::Part>()?.pushes.as_ref() {
        Some(writer) => writer.submit(job).await?,
        None => {
            let (_turn, mut tx) = state.db.begin_write().await?;
            let recorder = Recorder::trusted(&job.actor);
            let outcomes = record_rows(&mut tx, &state.org, &recorder, &job.rows, DealSource::Api, percent).await?;
            tx.commit().await?;
            outcomes
        }
    };
    let mut report = ImportReport { created: 0, unchanged: 0, payments: 0, errors: Vec::new() };
    let mut paid = Vec::new();
    tally(&mut report, outcomes, &mut paid);
    announce(state, &report, paid).await?;
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
