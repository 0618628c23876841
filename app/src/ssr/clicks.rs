//! Clicks on personal links.
use super::now_ms;
use sqlx::AnyPool;

pub const VISITOR_COOKIE: &str = "ah_vid";
pub const REF_COOKIE: &str = "ah_ref";
pub const CHANNELS: [&str; 5] = ["moments", "group", "qr", "sms", "other"];

/// `?ch=` as given when it is a known channel, `other` otherwise, `direct` when absent.
pub fn channel(ch: Option<&str>) -> &'static str {
    match ch {
        None | Some("") => "direct",
        Some(c) => CHANNELS.iter().find(|k| **k == c).copied().unwrap_or("other"),
    }
}

/// A coarse user-agent class; link-preview fetchers and crawlers are `bot`.
pub fn ua_class(ua: &str) -> &'static str {
    let l = ua.to_ascii_lowercase();
    const BOTS: [&str; 12] = [
        "bot",
        "spider",
        "crawl",
        "preview",
        "slurp",
        "facebookexternalhit",
        "curl",
        "wget",
        "python-requests",
        "headlesschrome-preview",
        "whatsapp",
        "telegram",
    ];
    if l.is_empty() || BOTS.iter().any(|b| l.contains(b)) {
        "bot"
    } else if l.contains("micromessenger") {
        "wechat"
    } else if l.contains("mobile") || l.contains("android") || l.contains("iphone") {
        "mobile"
    } else {
        "desktop"
    }
}

pub struct NewClick<'a> {
    pub link_id: i64,
    pub channel: &'a str,
    pub visitor: &'a str,
    pub ip_hash: &'a str,
    pub ua_class: &'a str,
}

pub async fn record(pool: &AnyPool, click: NewClick<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO clicks (link_id, channel, visitor, ip_hash, ua_class, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(click.link_id)
    .bind(click.channel)
    .bind(click.visitor)
    .bind(click.ip_hash)
    .bind(click.ua_class)
    .bind(now_ms())
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_user_agents_and_channels() {
        assert_eq!(ua_class("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) MicroMessenger/8.0"), "wechat");
        assert_eq!(ua_class("Slackbot-LinkExpanding 1.0"), "bot");
        assert_eq!(ua_class("Mozilla/5.0 (Linux; Android 14) Mobile Safari"), "mobile");
        assert_eq!(ua_class("Mozilla/5.0 (X11; Linux x86_64) Chrome/120"), "desktop");
        assert_eq!(channel(Some("qr")), "qr");
        assert_eq!(channel(Some("weibo")), "other");
        assert_eq!(channel(None), "direct");
    }
}
