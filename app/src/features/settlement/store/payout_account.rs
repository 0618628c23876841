//! Payout accounts as stored: on the promoter's user row.
use crate::features::settlement::i18n::K;
use crate::features::settlement::model::{Audited, Field, PayoutAccountView, PayoutMethod};
use crate::features::settlement::payout_account::{masked, Checked};
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::auth;
use crate::plumbing::db::{Db, SetColumn};
use crate::plumbing::errors::{AppError, Problem};
use sqlx::{AnyPool, Row};

pub async fn view(pool: &AnyPool, user_id: i64) -> Result<PayoutAccountView, AppError> {
    let r = sqlx::query("SELECT payout_method, payout_holder, payout_account, payout_bank FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await?;
    let method: Option<PayoutMethod> = r.set_opt("users", "payout_method")?;
    let account: String = r.try_get("payout_account")?;
    Ok(PayoutAccountView {
        method,
        holder: r.try_get("payout_holder")?,
        account_masked: method.map(|m| masked(m, &account)).unwrap_or_default(),
        bank: r.try_get("payout_bank")?,
    })
}

/// Sets the account once the password is right; the audit log keeps both, masked.
pub async fn save(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    password: &str,
    method: PayoutMethod,
    account: &Checked,
) -> Result<PayoutAccountView, AppError> {
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1").bind(user_id).fetch_one(&db.pool).await?;
    if !auth::verify_password(password.to_string(), hash).await {
        return Err(AppError::invalid(Field::Password, Problem::said(K::ProblemWrongPassword)));
    }
    let before = view(&db.pool, user_id).await?;
    let (_turn, mut tx) = db.begin_write().await?;
    sqlx::query(
        "UPDATE users SET payout_method = $1, payout_holder = $2, payout_account = $3, payout_bank = $4 WHERE id = $5",
    )
    .bind(method.as_str())
    .bind(&account.holder)
    .bind(&account.account)
    .bind(&account.bank)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    let described = |m: Option<PayoutMethod>, masked: &str| m.map(|m| format!("{} {masked}", m.as_str()));
    let change = Change {
        action: Audited::PayoutAccountChanged,
        subject: format!("user #{user_id}"),
        before: described(before.method, &before.account_masked),
        after: described(Some(method), &masked(method, &account.account)),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    view(&db.pool, user_id).await
}
