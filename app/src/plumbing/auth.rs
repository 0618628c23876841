//! Passwords (argon2), database-backed sessions, sign-in throttling, and the one
//! authorization guard every server function and route goes through (against the role table,
//! `access::Access`).
use super::access::{Access, Role, UserView};
use super::errors::AppError;
use super::http::{cookie, set_cookie};
use super::state::{internal, now_ms, AppState};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};

pub const SESSION_COOKIE: &str = "ah_session";

/// How finely a session's last use is kept.
const SEEN_GRANULARITY_MS: i64 = 60_000;

/// Failures counted per account / per IP within this window.
const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
const FREE_FAILURES_PER_ACCOUNT: i64 = 5;
const FREE_FAILURES_PER_IP: i64 = 20;
const MAX_WAIT_S: i64 = 15 * 60;

pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(internal)?
    .map_err(internal)
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// What is stored of a secret token (a session, a setup link): its SHA-256, never the token.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token)
}

/// Keyed hash for identifiers we must compare but should not keep (IP addresses).
pub fn keyed_hash(secret: &str, value: &str) -> String {
    sha256_hex(&format!("{secret}:{value}"))[..32].to_string()
}

pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Unambiguous characters for short codes people may read aloud or type.
const CODE_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// A short, unguessable code (10 characters, about 50 bits): personal links, referral codes,
/// coupons.
pub fn short_code() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..10).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()
}

/// Normalizes what was typed in the sign-in field: an email (lower-cased) or a phone.
pub fn normalize_login(login: &str) -> String {
    let trimmed = login.trim();
    if trimmed.contains('@') {
        trimmed.to_lowercase()
    } else {
        crate::shared::phone::normalize(trimmed, true)
            .map(|p| p.as_e164().to_string())
            .unwrap_or_else(|_| trimmed.to_string())
    }
}

/// What "my sessions" shows of a browser: its system and browser, from the User-Agent.
pub fn device_of(agent: &str) -> String {
    let a = agent.to_ascii_lowercase();
    let system = [
        ("iphone", "iPhone"),
        ("ipad", "iPad"),
        ("harmonyos", "HarmonyOS"),
        ("android", "Android"),
        ("windows", "Windows"),
        ("mac os", "macOS"),
        ("cros", "ChromeOS"),
        ("linux", "Linux"),
    ]
    .into_iter()
    .find(|(k, _)| a.contains(k))
    .map(|(_, v)| v);
    // Order matters: in-app browsers and Edge also say "chrome" and "safari".
    let browser = [
        ("micromessenger", "WeChat"),
        ("wxwork", "WeCom"),
        ("dingtalk", "DingTalk"),
        ("edg/", "Edge"),
        ("firefox", "Firefox"),
        ("chrome", "Chrome"),
        ("safari", "Safari"),
    ]
    .into_iter()
    .find(|(k, _)| a.contains(k))
    .map(|(_, v)| v);
    match (system, browser) {
        (Some(s), Some(b)) => format!("{s} · {b}"),
        (Some(s), None) => s.to_string(),
        (None, Some(b)) => b.to_string(),
        (None, None) => String::new(),
    }
}

/// Counts an attempt against `scope` before its password is checked, atomically (one upsert
/// on the scope's row: concurrent attempts each get their own number), and answers how many
/// seconds the caller must still wait, if throttled. Past the free attempts each one doubles
/// the wait since the attempt before it: 1 s, 2 s, 4 s … up to 15 minutes.
async fn claim_attempt(tx: &mut super::db::Tx, scope: &str, free: i64, now: i64) -> Result<Option<i64>, AppError> {
    let row = sqlx::query(
        "INSERT INTO login_throttle (scope, failures, window_start, prev_at, last_at) VALUES ($1, 1, $2, $2, $2) \
         ON CONFLICT (scope) DO UPDATE SET \
           failures = CASE WHEN login_throttle.window_start < $3 THEN 1 ELSE login_throttle.failures + 1 END, \
           window_start = CASE WHEN login_throttle.window_start < $3 THEN $2 ELSE login_throttle.window_start END, \
           prev_at = login_throttle.last_at, last_at = $2 \
         RETURNING failures, prev_at",
    )
    .bind(scope)
    .bind(now)
    .bind(now - THROTTLE_WINDOW_MS)
    .fetch_one(&mut **tx)
    .await?;
    let (n, prev_at): (i64, i64) = (row.try_get("failures")?, row.try_get("prev_at")?);
    if n <= free {
        return Ok(None);
    }
    let wait_s = (1i64 << (n - free - 1).min(20)).min(MAX_WAIT_S);
    let remaining_ms = prev_at + wait_s * 1000 - now;
    if remaining_ms <= 0 {
        return Ok(None);
    }
    // Refused without a look at the password: not an attempt, so it does not lengthen the wait.
    sqlx::query("UPDATE login_throttle SET failures = failures - 1, last_at = prev_at WHERE scope = $1")
        .bind(scope)
        .execute(&mut **tx)
        .await?;
    Ok(Some((remaining_ms + 999) / 1000))
}

/// Checks the credentials and opens a session; returns the cookie token. `agent` is the
/// browser's User-Agent, kept (cut to 200 characters) for "my sessions". Every attempt is
/// counted against the account and the client's address before the password is checked
/// (keyed hashes of both, never the login or the address); a success takes its count back.
pub async fn sign_in(state: &AppState, login: &str, password: &str, ip: &str, agent: &str) -> Result<String, AppError> {
    let pool = &state.db.pool;
    let now = now_ms();
    let login = normalize_login(login);
    let account_scope = format!("account:{}", keyed_hash(&state.org.secret, &login));
    let ip_scope = format!("ip:{}", keyed_hash(&state.org.secret, ip));
    let (_turn, mut tx) = state.db.begin_write().await?;
    // Old scopes go: nothing of a sign-in attempt is kept past the window.
    sqlx::query("DELETE FROM login_throttle WHERE last_at < $1")
        .bind(now - THROTTLE_WINDOW_MS)
        .execute(&mut *tx)
        .await?;
    let mut wait = claim_attempt(&mut tx, &account_scope, FREE_FAILURES_PER_ACCOUNT, now).await?;
    if wait.is_none() {
        wait = claim_attempt(&mut tx, &ip_scope, FREE_FAILURES_PER_IP, now).await?;
        if wait.is_some() {
            // Refused for the address: the account's count is given back too.
            sqlx::query("UPDATE login_throttle SET failures = failures - 1, last_at = prev_at WHERE scope = $1")
                .bind(&account_scope)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    drop(_turn);
    if let Some(retry_after_s) = wait {
        return Err(AppError::TooManyAttempts { retry_after_s });
    }
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE (email = $1 OR phone = $1) AND active = 1")
        .bind(&login)
        .fetch_optional(pool)
        .await?;
    // An unknown user costs the same hashing time as a known one.
    let (user_id, hash) = match row {
        Some(r) => (Some(r.try_get::<i64, _>("id")?), r.try_get::<String, _>("password_hash")?),
        None => (None, dummy_hash().await?),
    };
    let ok = verify_password(password.to_string(), hash).await;
    let Some(user_id) = user_id.filter(|_| ok) else {
        return Err(AppError::BadCredentials);
    };
    let token = random_token(32);
    let (_turn, mut tx) = state.db.begin_write().await?;
    sqlx::query("DELETE FROM login_throttle WHERE scope = $1").bind(&account_scope).execute(&mut *tx).await?;
    // An office behind one address signs in all day: successes do not count against it.
    sqlx::query("UPDATE login_throttle SET failures = failures - 1 WHERE scope = $1 AND failures > 0")
        .bind(&ip_scope)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO sessions (id, user_id, created_at, expires_at, agent) VALUES ($1, $2, $3, $4, $5)")
        .bind(sha256_hex(&token))
        .bind(user_id)
        .bind(now)
        .bind(now + state.config.session_ttl_s * 1000)
        .bind(agent.chars().take(200).collect::<String>())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(token)
}

/// A real argon2 hash of a random password, so refusing an unknown user takes as long as
/// refusing a wrong password.
async fn dummy_hash() -> Result<String, AppError> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY.get_or_try_init(|| hash_password(random_token(16))).await.cloned()
}

pub async fn sign_out(state: &AppState, token: &str) -> Result<(), AppError> {
    let (_turn, mut tx) = state.db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(sha256_hex(token)).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

pub fn session_cookie(state: &AppState, token: &str, secure: bool) -> String {
    set_cookie(SESSION_COOKIE, token, "/", state.config.session_ttl_s, true, secure || state.config.secure_cookies)
}

pub fn clear_session_cookie() -> String {
    set_cookie(SESSION_COOKIE, "", "/", 0, true, false)
}

/// Who a session token belongs to, if it is live: one indexed read, for paths that only need
/// to know whether the visitor is a particular person (a promoter on their own link).
pub async fn session_user(state: &AppState, token: &str) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar("SELECT user_id FROM sessions WHERE id = $1 AND expires_at > $2")
        .bind(sha256_hex(token))
        .bind(now_ms())
        .fetch_optional(&state.db.pool)
        .await?)
}

/// The signed-in user of a request, if the session cookie is valid and unexpired.
pub async fn current_user(state: &AppState, headers: &HeaderMap) -> Result<Option<UserView>, AppError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT u.id, u.display_name, d.name AS department, s.expires_at, COALESCE(s.last_seen_at, s.created_at) AS seen \
         FROM sessions s \
         JOIN users u ON u.id = s.user_id LEFT JOIN departments d ON d.id = u.department_id \
         WHERE s.id = $1 AND u.active = 1",
    )
    .bind(sha256_hex(&token))
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let (now, seen): (i64, i64) = (now_ms(), row.try_get("seen")?);
    if row.try_get::<i64, _>("expires_at")? <= now || now - seen > state.config.session_idle_s * 1000 {
        sign_out(state, &token).await?;
        return Ok(None);
    }
    // When it was last used, to the minute: one write a minute per session, not one a request.
    if now - seen > SEEN_GRANULARITY_MS {
        let (_turn, mut tx) = state.db.begin_write().await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(sha256_hex(&token))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let id: i64 = row.try_get("id")?;
    Ok(Some(UserView {
        id,
        display_name: row.try_get("display_name")?,
        department: row.try_get("department")?,
        roles: roles_of(&state.db.pool, id).await?,
    }))
}

pub async fn roles_of(pool: &AnyPool, user_id: i64) -> Result<Vec<Role>, AppError> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1").bind(user_id).fetch_all(pool).await?;
    let mut roles = names.iter().map(|n| super::db::stored("user_roles", n)).collect::<Result<Vec<Role>, _>>()?;
    roles.sort();
    Ok(roles)
}

/// The guard: the signed-in user if the role table lets them use `access`.
/// 401 without a valid session, 403 with the wrong roles.
pub async fn require_in(state: &AppState, headers: &HeaderMap, access: Access) -> Result<UserView, AppError> {
    let user = current_user(state, headers).await?.ok_or(AppError::Unauthenticated)?;
    if access.allows(Some(&user)) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_named_by_system_and_browser() {
        let wechat = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40";
        assert_eq!(device_of(wechat), "iPhone · WeChat");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0";
        assert_eq!(device_of(edge), "Windows · Edge");
        assert_eq!(
            device_of("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"),
            "Android · Chrome"
        );
        assert_eq!(device_of("curl/8.0"), "");
    }

    /// Stored IP hashes and blacklist entries were made with this function: it must not change.
    #[test]
    fn keyed_hashes_stay_what_they_were() {
        assert_eq!(keyed_hash("secret", "203.0.113.7"), sha256_hex("secret:203.0.113.7")[..32]);
        assert_eq!(keyed_hash("s", "1.2.3.4"), "89bcb9aeee4ee53f05e56ac67013740f");
    }
}
