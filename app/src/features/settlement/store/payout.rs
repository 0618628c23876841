//! The payout files of an approved (or paid) run.
use crate::features::settlement::model::{Audited, Field, PayoutLayout, PayoutMethod, RunStatus};
use crate::features::settlement::tax::TaxTreatment;
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::db::SetColumn;
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::state::AppState;
use sqlx::{AnyPool, Row};

/// The payout file of an approved (or paid) run: `bank` (batch transfer to the promoters' bank
/// cards), `wallet` (WeChat Pay / Alipay batch to their accounts; the phone when they gave no
/// wallet account) or `payroll` (promoters taxed as wages). A promoter without the account a
/// file needs has an empty account cell: finance sees who before approving.
pub async fn export(pool: &AnyPool, run_id: i64, layout: PayoutLayout) -> Result<String, AppError> {
    let run = sqlx::query("SELECT period, status FROM settlement_runs WHERE id = $1")
        .bind(run_id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let (period, status): (String, RunStatus) = (run.try_get("period")?, run.set("settlement_runs", "status")?);
    if matches!(status, RunStatus::Draft | RunStatus::Drafting) {
        return Err(AppError::invalid(Field::Period, Problem::UnknownChoice));
    }
    let rows = sqlx::query(
        "SELECT s.id, s.treatment, s.gross_fen, s.tax_fen, s.net_fen, u.display_name, COALESCE(u.phone, '') AS phone, \
         u.payout_account, u.payout_method, u.payout_holder, u.payout_bank, u.id AS user_id FROM statements s JOIN users u ON u.id = s.promoter_id WHERE s.run_id = $1 ORDER BY s.promoter_id",
    )
    .bind(run_id)
    .fetch_all(pool)
    .await?;
    let yuan = |fen: i64| format!("{}.{:02}", fen / 100, (fen % 100).abs());
    let header: &[&str] = match layout {
        PayoutLayout::Bank => &["promoter", "account_holder", "account", "bank", "gross", "tax", "net", "reference"],
        PayoutLayout::Wallet => &["promoter", "account_holder", "channel", "account", "net", "reference", "remark"],
        PayoutLayout::Payroll => &["promoter", "employee_id", "gross", "period"],
    };
    let mut w = crate::plumbing::sheet::Sheet::new(header)?;
    for r in &rows {
        let treatment: TaxTreatment = r.set("statements", "treatment")?;
        let (gross, tax, net): (i64, i64, i64) =
            (r.try_get("gross_fen")?, r.try_get("tax_fen")?, r.try_get("net_fen")?);
        let name: String = r.try_get("display_name")?;
        let reference = format!("ALLHANDS-{period}-{}", r.try_get::<i64, _>("id")?);
        let wages = treatment == TaxTreatment::Wages;
        let method: Option<PayoutMethod> = r.set_opt("users", "payout_method")?;
        let (account, holder, bank): (String, String, String) =
            (r.try_get("payout_account")?, r.try_get("payout_holder")?, r.try_get("payout_bank")?);
        let record: Vec<String> = match layout {
            PayoutLayout::Bank if !wages && net > 0 => {
                let (account, bank) =
                    if method == Some(PayoutMethod::Bank) { (account, bank) } else { (String::new(), String::new()) };
                vec![name, holder, account, bank, yuan(gross), yuan(tax), yuan(net), reference]
            }
            PayoutLayout::Wallet if !wages && net > 0 => {
                let (channel, account) = match method {
                    Some(m @ (PayoutMethod::Wechat | PayoutMethod::Alipay)) => (m.as_str().to_string(), account),
                    _ => {
                        let phone = crate::shared::phone::Phone::from_e164(r.try_get::<String, _>("phone")?);
                        ("phone".to_string(), phone.national().to_string())
                    }
                };
                vec![name, holder, channel, account, yuan(net), reference, format!("{period} 推广奖励")]
            }
            PayoutLayout::Payroll if wages && net > 0 => {
                vec![name, r.try_get::<i64, _>("user_id")?.to_string(), yuan(gross), period.clone()]
            }
            _ => continue,
        };
        w.row(&record)?;
    }
    w.finish()
}

/// Who downloaded which payout file, for the audit log.
pub async fn record_export(state: &AppState, actor: &Actor, run_id: i64, layout: PayoutLayout) -> Result<(), AppError> {
    let (_turn, mut tx) = state.db.begin_write().await?;
    let change = Change {
        action: Audited::PayoutExported,
        subject: format!("run #{run_id}"),
        before: None,
        after: Some(format!("{layout}.csv")),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(())
}
