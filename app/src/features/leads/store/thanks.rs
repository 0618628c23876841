//! The referral form's thank-you message (感谢参与短信), queued with the lead's batch: only to a
//! lead that was stored and not refused (pending review; not blacklisted, duplicate, invalid
//! or held), once per phone per org-local day, and within its campaign's daily budget. The
//! first one over the budget is not sent and tells marketing, once a day. A public form
//! cannot be used to send messages to any number at the organization's cost.
use crate::features::leads::i18n::K;
use crate::plumbing::db::Tx;
use crate::plumbing::i18n::{fill, MESSAGE_LOCALE};
use crate::plumbing::outbox::{self, MessageKind};

/// A thank-you a stored lead is owed.
pub struct Thanks {
    pub phone: String,
    pub body: String,
    pub campaign_id: i64,
    pub campaign_name: String,
    /// The campaign's messages a day.
    pub budget: i64,
}

/// Queues what may be sent of `thanks` (one batch of leads) on the org-local `day`.
pub async fn queue(tx: &mut Tx, day: &str, thanks: &[&Thanks]) -> Result<(), sqlx::Error> {
    let mut messages: Vec<(&str, &str)> = Vec::new();
    // The phones not yet thanked today, claimed in one statement for the batch (a statement a
    // lead cost each PostgreSQL submission a round trip). A phone twice in the batch is claimed
    // once and thanked once.
    let mut first_today = claim_phones(tx, day, thanks).await?;
    // Campaigns found over their budget in this batch: a day's count only grows, so the rest
    // of the batch is over it too, and marketing has been told.
    let mut over: Vec<i64> = Vec::new();
    for t in thanks {
        if !first_today.remove(t.phone.as_str()) || over.contains(&t.campaign_id) {
            continue;
        }
        // One more message for the campaign today, if the budget allows (no row: it does not).
        let within: Option<i64> = sqlx::query_scalar(
            "INSERT INTO message_budgets (campaign_id, day, sent) SELECT $1, $2, 1 WHERE $3 > 0 \
             ON CONFLICT (campaign_id, day) DO UPDATE SET sent = message_budgets.sent + 1 \
             WHERE message_budgets.sent < $3 RETURNING sent",
        )
        .bind(t.campaign_id)
        .bind(day)
        .bind(t.budget)
        .fetch_optional(&mut **tx)
        .await?;
        if within.is_some() {
            messages.push((&t.phone, &t.body));
            continue;
        }
        over.push(t.campaign_id);
        let first_over = sqlx::query(
            "INSERT INTO message_budgets (campaign_id, day, sent, alerted) VALUES ($1, $2, 0, 1) \
             ON CONFLICT (campaign_id, day) DO UPDATE SET alerted = 1 WHERE message_budgets.alerted = 0",
        )
        .bind(t.campaign_id)
        .bind(day)
        .execute(&mut **tx)
        .await?
        .rows_affected()
            == 1;
        if first_over {
            let alert = fill(
                K::SmsBudgetReached.text(MESSAGE_LOCALE),
                &[("campaign", &t.campaign_name), ("budget", &t.budget.to_string())],
            );
            outbox::enqueue(tx, MessageKind::BudgetReached, "role:marketing", &alert).await?;
        }
    }
    outbox::enqueue_many(tx, MessageKind::ThankYou, &messages).await?;
    // Yesterday's phones are forgotten: the table holds about one day of numbers.
    sqlx::query("DELETE FROM thanked_phones WHERE day < $1").bind(day).execute(&mut **tx).await?;
    Ok(())
}

/// Inserts the batch's phones for `day`; returns those that were not there yet.
async fn claim_phones(
    tx: &mut Tx,
    day: &str,
    thanks: &[&Thanks],
) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    use sqlx::Row;
    if thanks.is_empty() {
        return Ok(Default::default());
    }
    let backend = crate::plumbing::db::backend_of(tx);
    let sql = format!(
        "INSERT INTO thanked_phones (phone, day) VALUES {} ON CONFLICT DO NOTHING RETURNING phone",
        crate::plumbing::db::placeholders(backend, thanks.len(), 2)
    );
    let mut query = sqlx::query(&sql);
    for t in thanks {
        query = query.bind(&t.phone).bind(day);
    }
    query.fetch_all(&mut **tx).await?.iter().map(|r| r.try_get("phone")).collect()
}
