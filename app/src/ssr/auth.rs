//! Passwords (argon2), database-backed sessions, sign-in throttling, and the one
//! authorization guard every server function and route goes through.
use super::{cookie, now_ms, AppState};
use crate::error::AppError;
use crate::model::{Role, UserView};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};

pub const SESSION_COOKIE: &str = "ah_session";

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
    .map_err(super::internal)?
    .map_err(super::internal)
}

async fn verify_password(password: String, hash: String) -> bool {
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

/// Normalizes what was typed in the sign-in field: an email (lower-cased) or a phone.
pub fn normalize_login(login: &str) -> String {
    let trimmed = login.trim();
    if trimmed.contains('@') {
        trimmed.to_lowercase()
    } else {
        crate::domain::phone::normalize(trimmed, true)
            .map(|p| p.as_e164().to_string())
            .unwrap_or_else(|_| trimmed.to_string())
    }
}

/// Seconds the caller must still wait before another attempt, if throttled.
async fn throttled_for(pool: &AnyPool, scope: &str, free: i64, now: i64) -> Result<Option<i64>, AppError> {
    let row = sqlx::query("SELECT COUNT(*) AS n, MAX(at) AS last FROM login_failures WHERE scope = $1 AND at > $2")
        .bind(scope)
        .bind(now - THROTTLE_WINDOW_MS)
        .fetch_one(pool)
        .await?;
    let n: i64 = row.try_get("n")?;
    if n < free {
        return Ok(None);
    }
    let last: i64 = row.try_get::<Option<i64>, _>("last")?.unwrap_or(now);
    // Each failure past the free ones doubles the wait: 1 s, 2 s, 4 s … up to 15 minutes.
    let wait_s = (1i64 << (n - free).min(20)).min(MAX_WAIT_S);
    let remaining_ms = last + wait_s * 1000 - now;
    Ok((remaining_ms > 0).then(|| (remaining_ms + 999) / 1000))
}

async fn record_failure(pool: &AnyPool, scope: &str, now: i64) -> Result<(), AppError> {
    sqlx::query("INSERT INTO login_failures (scope, at) VALUES ($1, $2)").bind(scope).bind(now).execute(pool).await?;
    Ok(())
}

/// Checks the credentials and opens a session; returns the cookie token.
pub async fn sign_in(state: &AppState, login: &str, password: &str, ip: &str) -> Result<String, AppError> {
    let pool = &state.pool;
    let now = now_ms();
    let login = normalize_login(login);
    let account_scope = format!("account:{login}");
    let ip_scope = format!("ip:{ip}");
    for (scope, free) in [(&account_scope, FREE_FAILURES_PER_ACCOUNT), (&ip_scope, FREE_FAILURES_PER_IP)] {
        if let Some(retry_after_s) = throttled_for(pool, scope, free, now).await? {
            return Err(AppError::TooManyAttempts { retry_after_s });
        }
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
        record_failure(pool, &account_scope, now).await?;
        record_failure(pool, &ip_scope, now).await?;
        return Err(AppError::BadCredentials);
    };
    sqlx::query("DELETE FROM login_failures WHERE scope = $1").bind(&account_scope).execute(pool).await?;
    let token = random_token(32);
    sqlx::query("INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(sha256_hex(&token))
        .bind(user_id)
        .bind(now)
        .bind(now + state.config.session_ttl_s * 1000)
        .execute(pool)
        .await?;
    Ok(token)
}

/// A real argon2 hash of a random password, so refusing an unknown user takes as long as
/// refusing a wrong password.
async fn dummy_hash() -> Result<String, AppError> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY.get_or_try_init(|| hash_password(random_token(16))).await.cloned()
}

pub async fn sign_out(pool: &AnyPool, token: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(sha256_hex(token)).execute(pool).await?;
    Ok(())
}

pub fn session_cookie(state: &AppState, token: &str, secure: bool) -> String {
    let secure = if secure || state.config.secure_cookies { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", state.config.session_ttl_s)
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// True when the request reached us over TLS (directly or through a proxy).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// The signed-in user of a request, if the session cookie is valid and unexpired.
pub async fn current_user(state: &AppState, headers: &HeaderMap) -> Result<Option<UserView>, AppError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT u.id, u.display_name, d.name AS department, s.expires_at FROM sessions s \
         JOIN users u ON u.id = s.user_id LEFT JOIN departments d ON d.id = u.department_id \
         WHERE s.id = $1 AND u.active = 1",
    )
    .bind(sha256_hex(&token))
    .fetch_optional(&state.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.try_get::<i64, _>("expires_at")? <= now_ms() {
        sign_out(&state.pool, &token).await?;
        return Ok(None);
    }
    let id: i64 = row.try_get("id")?;
    Ok(Some(UserView {
        id,
        display_name: row.try_get("display_name")?,
        department: row.try_get("department")?,
        roles: roles_of(&state.pool, id).await?,
    }))
}

pub async fn roles_of(pool: &AnyPool, user_id: i64) -> Result<Vec<Role>, AppError> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1").bind(user_id).fetch_all(pool).await?;
    let mut roles: Vec<Role> = names.iter().filter_map(|n| Role::parse(n)).collect();
    roles.sort();
    Ok(roles)
}

/// The guard: the signed-in user if they hold one of `roles` (any role when empty).
/// 401 without a valid session, 403 with the wrong roles.
pub async fn require_in(state: &AppState, headers: &HeaderMap, roles: &[Role]) -> Result<UserView, AppError> {
    let user = current_user(state, headers).await?.ok_or(AppError::Unauthenticated)?;
    if roles.is_empty() || user.has_any(roles) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The guard inside a server function or a rendered route.
pub async fn require(roles: &[Role]) -> Result<UserView, AppError> {
    let state = super::state()?;
    let parts = super::request_parts()?;
    require_in(&state, &parts.headers, roles).await
}
