//! Staff's registered family members as stored.
use crate::features::admin::model::{Audited, FamilyRow, Field};
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::db::{commit_unless_taken, Db};
use crate::plumbing::errors::{AppError, FieldError};
use crate::plumbing::state::now_ms;
use crate::shared::phone::{self, Phone};
use crate::shared::text;
use sqlx::{AnyPool, Row};

pub async fn list(pool: &AnyPool, user_id: i64) -> Result<Vec<FamilyRow>, AppError> {
    let rows = sqlx::query("SELECT id, name, phone FROM family_members WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(FamilyRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                phone: Phone::from_e164(r.try_get::<String, _>("phone")?).masked(),
            })
        })
        .collect()
}

pub async fn add(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    name: &str,
    number: &str,
    allow_foreign: bool,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    let name = text::person_name(name).map_err(|e| errors.push(FieldError::new(Field::DisplayName, e))).ok();
    let number =
        phone::normalize(number, allow_foreign).map_err(|e| errors.push(FieldError::new(Field::Phone, e))).ok();
    let (Some(name), Some(number)) = (name, number) else { return Err(AppError::Invalid(errors)) };
    let (_turn, mut tx) = db.begin_write().await?;
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO family_members (user_id, name, phone, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(&name)
    .bind(number.as_e164())
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await;
    if inserted.is_ok() {
        let after = format!("{name} {}", number.masked());
        let change = Change {
            action: Audited::FamilyRegistered,
            subject: format!("user #{user_id}"),
            before: None,
            after: Some(after),
            actor,
        };
        audit::record(&mut tx, change).await?;
    }
    commit_unless_taken(tx, inserted, Field::Phone).await
}

pub async fn remove(db: &Db, actor: &Actor, user_id: i64, id: i64) -> Result<(), AppError> {
    let (_turn, mut tx) = db.begin_write().await?;
    let gone = sqlx::query("DELETE FROM family_members WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(AppError::NotFound);
    }
    let change = Change {
        action: Audited::FamilyRemoved,
        subject: format!("user #{user_id}"),
        before: Some(format!("#{id}")),
        after: None,
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(())
}
