//! The compliance word lists marketing edits, and the check run before anything is published.
use crate::features::campaigns::compliance::{self, Word, WordKind};
use crate::features::campaigns::i18n::K;
use crate::features::campaigns::model::{Field, WordRow};
use crate::plumbing::db::{commit_unless_taken, delete_by_id, Db, SetColumn};
use crate::plumbing::errors::{AppError, ComplianceHit, FormField, Label};
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::now_ms;
use crate::shared::period::local_time;
use sqlx::{AnyPool, Row};

/// Seeds the lists on first start (any organization, demo or not).
pub async fn seed_if_empty(db: &Db) -> Result<(), sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM compliance_words").fetch_one(&db.pool).await?;
    if n > 0 {
        return Ok(());
    }
    let (_turn, mut tx) = db.begin_write().await?;
    let now = now_ms();
    for w in compliance::seed_words() {
        sqlx::query(
            "INSERT INTO compliance_words (word, kind, created_at) VALUES ($1, $2, $3) ON CONFLICT (word) DO NOTHING",
        )
        .bind(&w.word)
        .bind(w.kind.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

async fn words(pool: &AnyPool) -> Result<Vec<Word>, sqlx::Error> {
    let rows = sqlx::query("SELECT word, kind FROM compliance_words").fetch_all(pool).await?;
    rows.iter().map(|r| Ok(Word { word: r.try_get("word")?, kind: r.set("compliance_words", "kind")? })).collect()
}

/// Refuses publishing when any text holds a listed word; the error names every word and
/// the field it is in.
pub async fn require_clean<F: FormField>(pool: &AnyPool, texts: &[(F, &str)]) -> Result<(), AppError> {
    let named: Vec<(&str, &str)> = texts.iter().map(|(f, t)| (f.name(), *t)).collect();
    let hits = compliance::check(&named, &words(pool).await?);
    if hits.is_empty() {
        return Ok(());
    }
    let hits = hits
        .into_iter()
        .filter_map(|h| {
            let field = texts.iter().find(|(f, _)| f.name() == h.place)?.0;
            Some(ComplianceHit::new(field, h.word, Label::of(list_label(h.kind)), h.at))
        })
        .collect();
    Err(AppError::Noncompliant(hits))
}

pub async fn list(pool: &AnyPool, org: &OrgSettings) -> Result<Vec<WordRow>, AppError> {
    let rows = sqlx::query("SELECT id, word, kind, created_at FROM compliance_words ORDER BY kind, id")
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(WordRow {
                id: r.try_get("id")?,
                word: r.try_get("word")?,
                kind: r.set("compliance_words", "kind")?,
                created_at: local_time(r.try_get("created_at")?, org.tz),
            })
        })
        .collect()
}

pub async fn add(db: &Db, word: &str, kind: WordKind) -> Result<i64, AppError> {
    let word = crate::shared::text::clean(word, 1, 20).map_err(|e| AppError::invalid(Field::Word, e))?;
    let (_turn, mut tx) = db.begin_write().await?;
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO compliance_words (word, kind, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(&word)
    .bind(kind.as_str())
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await;
    commit_unless_taken(tx, inserted, Field::Word).await
}

pub async fn remove(db: &Db, id: i64) -> Result<(), AppError> {
    delete_by_id(db, "compliance_words", id).await
}

/// The name of a word list, as errors show it.
fn list_label(kind: WordKind) -> K {
    match kind {
        WordKind::Extreme => K::WordKindExtreme,
        WordKind::Sensitive => K::WordKindSensitive,
        WordKind::Allowed => K::WordKindAllowed,
    }
}
