//! The compliance word lists marketing edits, and the check run before anything is published.
use super::{is_unique_violation, now_ms, OrgSettings};
use crate::domain::compliance::{self, Word, WordKind};
use crate::error::{AppError, ComplianceHit, Field, Problem};
use crate::model::WordRow;
use sqlx::{AnyPool, Row};

/// Seeds the lists on first start (any organization, demo or not).
pub async fn seed_if_empty(pool: &AnyPool) -> Result<(), sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM compliance_words").fetch_one(pool).await?;
    if n > 0 {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
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
    rows.iter()
        .map(|r| {
            Ok(Word {
                word: r.try_get("word")?,
                kind: WordKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(WordKind::Sensitive),
            })
        })
        .collect()
}

/// Refuses publishing when any text holds a listed word; the error names every word and
/// the field it is in.
pub async fn require_clean(pool: &AnyPool, texts: &[(Field, &str)]) -> Result<(), AppError> {
    let named: Vec<(&str, &str)> = texts.iter().map(|(f, t)| (f.name(), *t)).collect();
    let hits = compliance::check(&named, &words(pool).await?);
    if hits.is_empty() {
        return Ok(());
    }
    let hits = hits
        .into_iter()
        .filter_map(|h| {
            let field = texts.iter().find(|(f, _)| f.name() == h.place)?.0;
            Some(ComplianceHit { field, word: h.word, kind: h.kind, at: h.at })
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
                kind: r.try_get("kind")?,
                created_at: super::leads::local_time(org, r.try_get("created_at")?),
            })
        })
        .collect()
}

pub async fn add(pool: &AnyPool, word: &str, kind: &str) -> Result<i64, AppError> {
    let word = crate::domain::text::clean(word, 1, 20).map_err(|e| AppError::invalid(Field::Word, e))?;
    let kind = WordKind::parse(kind).ok_or(AppError::invalid(Field::WordKind, Problem::UnknownChoice))?;
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO compliance_words (word, kind, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(&word)
    .bind(kind.as_str())
    .bind(now_ms())
    .fetch_one(pool)
    .await;
    match inserted {
        Ok(id) => Ok(id),
        Err(e) if is_unique_violation(&e) => Err(AppError::invalid(Field::Word, Problem::Taken)),
        Err(e) => Err(e.into()),
    }
}

pub async fn remove(pool: &AnyPool, id: i64) -> Result<(), AppError> {
    let gone = sqlx::query("DELETE FROM compliance_words WHERE id = $1").bind(id).execute(pool).await?.rows_affected();
    if gone == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
