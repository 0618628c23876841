//! One error type for every server function, route and API: [`AppError`]. On the wire it is an
//! RFC 9457 problem details object (`application/problem+json`) with the field errors; pages
//! show its message in the user's language. Internal causes are logged on the server (see
//! `internal`) and never sent.
use super::i18n::{Locale, Text, C};
use crate::shared::money::MoneyError;
use crate::shared::phone::PhoneError;
use crate::shared::text::TextError;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use std::borrow::Cow;

/// A text in both languages, carried by errors so that any page can show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    #[serde(rename = "zh-CN")]
    pub zh: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Label {
    pub fn of(key: impl Text) -> Label {
        Label { zh: key.text(Locale::ZhCn).into(), en: key.text(Locale::En).into() }
    }

    pub fn text(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn => &self.zh,
            Locale::En => &self.en,
        }
    }
}

/// An input field of a feature's forms: its form-control name and its label.
pub trait FormField: Copy {
    fn name(self) -> &'static str;
    fn label(self) -> Label;
}

/// Declares a feature's form fields: `Variant => "form_name", K::LabelKey;`.
#[macro_export]
macro_rules! fields {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $field:ident => $form:literal, $label:expr;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name { $($(#[$vmeta])* $field),* }

        impl $crate::plumbing::errors::FormField for $name {
            fn name(self) -> &'static str {
                match self { $($name::$field => $form),* }
            }
            fn label(self) -> $crate::plumbing::errors::Label {
                match self { $($name::$field => $crate::plumbing::errors::Label::of($label)),* }
            }
        }
    };
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Text(TextError),
    Phone(PhoneError),
    Money(MoneyError),
    TooShort {
        min: i64,
    },
    Email,
    UnknownChoice,
    Taken,
    /// A whole number from `min` to `max` was expected.
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// Dates must be written YYYY-MM-DD.
    Date,
    /// The last day comes before the first.
    EndsBeforeStart,
    /// Must be more than zero.
    NotPositive,
    FileTooLarge {
        max_kb: i64,
    },
    /// Only PNG, JPEG and WebP images.
    FileType,
    /// A rule of one feature, in its own words.
    Said(Label),
}

impl From<MoneyError> for Problem {
    fn from(e: MoneyError) -> Self {
        Problem::Money(e)
    }
}

impl From<TextError> for Problem {
    fn from(e: TextError) -> Self {
        Problem::Text(e)
    }
}

impl From<PhoneError> for Problem {
    fn from(e: PhoneError) -> Self {
        Problem::Phone(e)
    }
}

impl Problem {
    /// A feature's own problem, from one of its keys.
    pub fn said(key: impl Text) -> Problem {
        Problem::Said(Label::of(key))
    }

    pub fn message(&self, locale: Locale) -> String {
        let t = |k: C| k.text(locale).to_string();
        match self {
            Problem::Text(TextError::Required) | Problem::Phone(PhoneError::Empty) => t(C::ProblemRequired),
            Problem::Text(TextError::TooLong { max }) => format!("{}{max}", t(C::ProblemTooLong)),
            Problem::Text(TextError::ControlCharacters) => t(C::ProblemControl),
            Problem::Phone(PhoneError::InvalidCharacters) => t(C::ProblemPhoneInvalidChars),
            Problem::Phone(PhoneError::NotMobile) => t(C::ProblemPhoneNotMobile),
            Problem::Phone(PhoneError::ForeignNotAllowed) => t(C::ProblemPhoneForeign),
            Problem::Money(MoneyError::Empty) => t(C::ProblemRequired),
            Problem::Money(MoneyError::NotANumber | MoneyError::OutOfRange) => t(C::ProblemMoney),
            Problem::Money(MoneyError::TooManyDecimals) => t(C::ProblemMoneyDecimals),
            Problem::TooShort { min } => format!("{}{min}", t(C::ProblemTooShort)),
            Problem::Email => t(C::ProblemEmail),
            Problem::UnknownChoice => t(C::ProblemUnknownChoice),
            Problem::Taken => t(C::ErrConflict),
            Problem::OutOfRange { min, max } => format!("{}{min}–{max}", t(C::ProblemOutOfRange)),
            Problem::Date => t(C::ProblemDate),
            Problem::EndsBeforeStart => t(C::ProblemEndsBeforeStart),
            Problem::NotPositive => t(C::ProblemNotPositive),
            Problem::FileTooLarge { max_kb } => format!("{}{max_kb} KB", t(C::ProblemFileTooLarge)),
            Problem::FileType => t(C::ProblemFileType),
            Problem::Said(label) => label.text(locale).to_string(),
        }
    }
}

/// A field and what is wrong with it: "手机号不是有效的手机号…".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form-control name.
    pub field: Cow<'static, str>,
    pub label: Label,
    pub problem: Problem,
    /// The message in English, for API clients; pages build theirs from the fields above.
    #[serde(default)]
    pub detail: String,
}

impl FieldError {
    pub fn new(field: impl FormField, problem: impl Into<Problem>) -> Self {
        let (label, problem) = (field.label(), problem.into());
        let mut e = FieldError { field: field.name().into(), label, problem, detail: String::new() };
        e.detail = e.message(Locale::En);
        e
    }

    /// Whether the error is about `field`.
    pub fn is(&self, field: impl FormField) -> bool {
        self.field == field.name()
    }

    pub fn message(&self, locale: Locale) -> String {
        let sep = if locale == Locale::En { " " } else { "" };
        format!("{}{sep}{}", self.label.text(locale), self.problem.message(locale))
    }
}

/// A listed word (广告法极限词 / 敏感词) found in something being published, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceHit {
    pub field: Cow<'static, str>,
    pub label: Label,
    pub word: String,
    /// The list the word is on.
    pub list: Label,
    /// Characters from the start of the field's text.
    pub at: i64,
}

impl ComplianceHit {
    pub fn new(field: impl FormField, word: String, list: Label, at: i64) -> Self {
        ComplianceHit { field: field.name().into(), label: field.label(), word, list, at }
    }

    pub fn is(&self, field: impl FormField) -> bool {
        self.field == field.name()
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    #[error("sign-in required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The request says something else than what is recorded under the same identity (an
    /// order number, a payment id, an `Idempotency-Key`); the field errors say where.
    #[error("conflict: {0:?}")]
    Conflict(Vec<FieldError>),
    /// Publishing refused: listed words in the text.
    #[error("listed words found: {0:?}")]
    Noncompliant(Vec<ComplianceHit>),
    #[error("wrong sign-in name or password")]
    BadCredentials,
    #[error("too many attempts, retry after {retry_after_s}s")]
    TooManyAttempts { retry_after_s: i64 },
    /// A burst far above human speed from one address.
    #[error("too many submissions, retry after {retry_after_s}s")]
    TooFast { retry_after_s: i64 },
    /// The settlement run is approved (frozen) or already paid.
    #[error("frozen")]
    Frozen,
    /// A rule of the organization refuses this action (four eyes, an expired link); the
    /// label says which.
    #[error("refused: {}", .0.en)]
    Refused(Label),
    #[error("cross-origin request refused")]
    CrossOrigin,
    /// The request itself could not be read (a server function's arguments).
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("internal error")]
    Internal,
    /// The server cannot take it now (too busy, too slow, its database unreachable or its disk
    /// full): nothing was done; try again.
    #[error("unavailable, retry after {retry_after_s}s")]
    Unavailable { retry_after_s: i64 },
    /// Raised on the client when the request itself failed (network, decoding).
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: impl FormField, problem: impl Into<Problem>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, problem)])
    }

    /// "Not one of the choices", for `field`.
    pub fn unknown(field: impl FormField) -> Self {
        AppError::invalid(field, Problem::UnknownChoice)
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden | AppError::CrossOrigin => 403,
            AppError::NotFound => 404,
            AppError::Frozen | AppError::Refused(_) | AppError::Conflict(_) => 409,
            AppError::BadRequest(_) => 400,
            AppError::Invalid(_) | AppError::Noncompliant(_) => 422,
            AppError::TooManyAttempts { .. } | AppError::TooFast { .. } => 429,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::Unavailable { .. } => 503,
        }
    }

    /// The problem type's last part, and its title.
    fn code(&self) -> (&'static str, &'static str) {
        match self {
            AppError::Unauthenticated => ("unauthenticated", "Sign-in required"),
            AppError::Forbidden => ("forbidden", "Forbidden"),
            AppError::NotFound => ("not-found", "Not found"),
            AppError::Invalid(_) => ("invalid", "Invalid input"),
            AppError::Conflict(_) => ("conflict", "Conflict"),
            AppError::Noncompliant(_) => ("noncompliant", "Listed words found"),
            AppError::BadCredentials => ("bad-credentials", "Wrong sign-in name or password"),
            AppError::TooManyAttempts { .. } => ("too-many-attempts", "Too many attempts"),
            AppError::TooFast { .. } => ("too-fast", "Too many submissions"),
            AppError::Frozen => ("frozen", "Frozen"),
            AppError::Refused(_) => ("refused", "Refused"),
            AppError::CrossOrigin => ("cross-origin", "Cross-origin request refused"),
            AppError::BadRequest(_) => ("bad-request", "Malformed request"),
            AppError::Internal => ("internal", "Internal error"),
            AppError::Unavailable { .. } => ("unavailable", "Try again shortly"),
            AppError::Transport(_) => ("transport", "Request failed"),
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(errors) | AppError::Conflict(errors) => errors,
            _ => &[],
        }
    }

    pub fn retry_after_s(&self) -> Option<i64> {
        match self {
            AppError::TooManyAttempts { retry_after_s }
            | AppError::TooFast { retry_after_s }
            | AppError::Unavailable { retry_after_s } => Some(*retry_after_s),
            _ => None,
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        let t = |k: C| k.text(locale).to_string();
        match self {
            AppError::Unauthenticated => t(C::ErrUnauthenticated),
            AppError::Forbidden => t(C::ErrForbidden),
            AppError::NotFound => t(C::ErrNotFound),
            AppError::Invalid(errors) => errors.iter().map(|e| e.message(locale)).collect::<Vec<_>>().join("；"),
            AppError::Conflict(errors) => {
                let sep = if locale == Locale::En { ": " } else { "：" };
                let said: Vec<String> = errors.iter().map(|e| e.message(locale)).collect();
                format!("{}{sep}{}", t(C::ErrRecordedDifferently), said.join("；"))
            }
            AppError::Noncompliant(hits) => {
                let (open, close, sep) =
                    if locale == Locale::En { (" “", "”", "; ") } else { ("「", "」", "；") };
                let named: Vec<String> =
                    hits.iter().map(|h| format!("{}{open}{}{close}", h.label.text(locale), h.word)).collect();
                format!("{}{}", t(C::ErrNoncompliant), named.join(sep))
            }
            AppError::BadCredentials => t(C::ErrBadCredentials),
            AppError::TooManyAttempts { retry_after_s } => format!("{}{retry_after_s}", t(C::ErrTooManyAttempts)),
            AppError::TooFast { retry_after_s } => format!("{}{retry_after_s}", t(C::ErrTooFast)),
            AppError::CrossOrigin => t(C::ErrCrossOrigin),
            AppError::Frozen => t(C::ErrFrozen),
            AppError::Refused(why) => why.text(locale).to_string(),
            AppError::BadRequest(_) => t(C::ErrBadRequest),
            AppError::Internal => t(C::ErrInternal),
            AppError::Unavailable { .. } => t(C::ErrUnavailable),
            AppError::Transport(_) => t(C::ErrTransport),
        }
    }
}

/// Where every problem type lives: `urn:allhands:problem:{code}`.
pub const PROBLEM_TYPE_PREFIX: &str = "urn:allhands:problem:";

/// [`AppError`] as RFC 9457 problem details, with our extension members.
#[derive(Serialize, Deserialize)]
struct ProblemDetails {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    #[serde(default)]
    detail: String,
    /// Field errors of a refused input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
    /// Listed words of a refused publication.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    listed_words: Vec<ComplianceHit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after_s: Option<i64>,
    /// Why a rule refused, in both languages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<Label>,
}

impl Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (code, title) = self.code();
        ProblemDetails {
            kind: format!("{PROBLEM_TYPE_PREFIX}{code}"),
            title: title.into(),
            status: self.status(),
            detail: match self {
                // What failed on the client is the client's to know; the server says nothing more.
                AppError::BadRequest(d) | AppError::Transport(d) => d.clone(),
                _ => self.message(Locale::En),
            },
            errors: self.field_errors().to_vec(),
            listed_words: match self {
                AppError::Noncompliant(hits) => hits.clone(),
                _ => Vec::new(),
            },
            retry_after_s: self.retry_after_s(),
            reason: match self {
                AppError::Refused(why) => Some(why.clone()),
                _ => None,
            },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = ProblemDetails::deserialize(d)?;
        let code = p.kind.strip_prefix(PROBLEM_TYPE_PREFIX).unwrap_or(&p.kind);
        let retry_after_s = p.retry_after_s.unwrap_or(1);
        Ok(match code {
            "unauthenticated" => AppError::Unauthenticated,
            "forbidden" => AppError::Forbidden,
            "not-found" => AppError::NotFound,
            "invalid" => AppError::Invalid(p.errors),
            "conflict" => AppError::Conflict(p.errors),
            "noncompliant" => AppError::Noncompliant(p.listed_words),
            "bad-credentials" => AppError::BadCredentials,
            "too-many-attempts" => AppError::TooManyAttempts { retry_after_s },
            "too-fast" => AppError::TooFast { retry_after_s },
            "frozen" => AppError::Frozen,
            "refused" => match p.reason {
                Some(why) => AppError::Refused(why),
                None => AppError::Transport(p.detail),
            },
            "cross-origin" => AppError::CrossOrigin,
            "bad-request" => AppError::BadRequest(p.detail),
            "internal" => AppError::Internal,
            "unavailable" => AppError::Unavailable { retry_after_s },
            _ => AppError::Transport(p.detail),
        })
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that do not decode: only the server reads them.
            ServerFnErrorErr::Args(e) | ServerFnErrorErr::MissingArg(e) => AppError::BadRequest(e),
            ServerFnErrorErr::Request(e) | ServerFnErrorErr::Response(e) | ServerFnErrorErr::Deserialization(e) => {
                AppError::Transport(e)
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::messages! {
        enum T {
            PhoneLabel => "手机号", "Phone";
            NameLabel => "姓名", "Name";
            LandingLabel => "落地页文案", "Landing copy";
            Rule => "不合规则", "breaks the rule";
        }
    }

    crate::fields! {
        enum F {
            Phone => "phone", T::PhoneLabel;
            Name => "name", T::NameLabel;
            Landing => "landing_copy", T::LandingLabel;
        }
    }

    #[test]
    fn field_errors_name_the_field_in_both_languages() {
        let e = FieldError::new(F::Phone, PhoneError::NotMobile);
        assert!(e.message(Locale::ZhCn).starts_with("手机号"));
        assert!(e.message(Locale::En).starts_with("Phone "));
        assert!(e.is(F::Phone) && !e.is(F::Name));
        let hits = AppError::Noncompliant(vec![ComplianceHit::new(F::Landing, "最".into(), Label::of(T::Rule), 3)]);
        assert!(hits.message(Locale::ZhCn).ends_with("落地页文案「最」"), "{}", hits.message(Locale::ZhCn));
        let long = FieldError::new(F::Name, TextError::TooLong { max: 50 });
        assert!(long.message(Locale::En).ends_with("50"));
        assert_eq!(FieldError::new(F::Name, Problem::said(T::Rule)).message(Locale::En), "Name breaks the rule");
    }

    #[test]
    fn statuses() {
        assert_eq!(AppError::Unauthenticated.status(), 401);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::invalid(F::Name, TextError::Required).status(), 422);
        assert_eq!(AppError::TooManyAttempts { retry_after_s: 3 }.status(), 429);
        assert_eq!(AppError::BadRequest("x".into()).status(), 400);
    }

    #[test]
    fn problem_details_on_the_wire_and_back() {
        let e = AppError::Invalid(vec![FieldError::new(F::Phone, PhoneError::NotMobile)]);
        let json: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], "urn:allhands:problem:invalid");
        assert_eq!(json["status"], 422);
        assert_eq!(json["title"], "Invalid input");
        assert_eq!(json["errors"][0]["field"], "phone");
        assert_eq!(json["errors"][0]["label"]["zh-CN"], "手机号");
        assert!(json["detail"].as_str().unwrap().starts_with("Phone "));
        let back: AppError = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
        let every = [
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::BadCredentials,
            AppError::TooManyAttempts { retry_after_s: 7 },
            AppError::TooFast { retry_after_s: 9 },
            AppError::Frozen,
            AppError::CrossOrigin,
            AppError::Internal,
            AppError::Unavailable { retry_after_s: 5 },
        ];
        for e in every {
            let back: AppError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
            assert_eq!(back, e);
        }
    }
}
