//! The frame of every server function: the request's state and signed-in user, authorized
//! against the role table. Bodies start with `let cx = authorize(Access::…).await?;`. A
//! failure's HTTP status is set from the error by `http::problem_status`, so bodies just
//! return `Err`.
pub use super::access::{Access, Role, UserView};
pub use super::errors::{AppError, FieldError, Problem};
pub use super::state::{internal, now_ms, AppState};
use axum::http::request::Parts;

/// A server function's context once authorized.
pub struct Cx {
    pub state: AppState,
    pub user: UserView,
    pub parts: Parts,
}

impl Cx {
    /// `scheme://host` of the request, for absolute links people share.
    pub fn base_url(&self) -> String {
        super::http::base_url(&self.parts.headers)
    }

    /// Who is making a change, for the audit log.
    pub fn actor(&self) -> super::audit::Actor {
        super::audit::Actor::person(self.user.id, &self.state.org.secret, &self.parts.extensions)
    }
}

/// The signed-in user, if they may use `access`: 401 without a valid session, 403 with the
/// wrong roles. `Access::Anyone` needs [`anyone`] instead.
pub async fn authorize(access: Access) -> Result<Cx, AppError> {
    let state = super::state::state()?;
    let parts = super::state::request_parts()?;
    let user = super::auth::require_in(&state, &parts.headers, access).await?;
    Ok(Cx { state, user, parts })
}

/// A server function anyone may call; the user when signed in.
pub struct AnyoneCx {
    pub state: AppState,
    pub user: Option<UserView>,
    pub parts: Parts,
}

pub async fn anyone() -> Result<AnyoneCx, AppError> {
    let state = super::state::state()?;
    let parts = super::state::request_parts()?;
    let user = super::auth::current_user(&state, &parts.headers).await?;
    Ok(AnyoneCx { state, user, parts })
}

/// Adds a `Set-Cookie` to the server function's response.
pub fn set_cookie(cookie: &str) {
    if let (Some(res), Ok(v)) =
        (leptos::prelude::use_context::<leptos_axum::ResponseOptions>(), axum::http::HeaderValue::from_str(cookie))
    {
        res.append_header(axum::http::header::SET_COOKIE, v);
    }
}
