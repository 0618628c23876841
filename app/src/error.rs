//! One error type for every server function and handler: a status code and a message in the
//! user's language. Internal causes are logged on the server and never sent to the client.
use crate::domain::money::MoneyError;
use crate::domain::phone::PhoneError;
use crate::domain::text::TextError;
use crate::i18n::{Locale, K};
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// The input field a validation error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Name,
    Phone,
    DemandTags,
    Note,
    Consent,
    Login,
    Password,
    DisplayName,
    Email,
    Department,
    Roles,
    DepartmentName,
    /// The leads a review decision applies to, or the decision itself.
    Selection,
    /// A follow-up stage.
    Stage,
    /// A blacklist entry (its kind and value).
    BlacklistEntry,
    Campaign,
    /// The sales rep a lead or rule goes to, or a team member.
    Rep,
    /// The demand tag of an assignment rule.
    DemandTag,
    ProtectionDays,
    DailyCap,
    Holidays,
    ExtraWorkdays,
    /// A compliance word and its list.
    Word,
    WordKind,
    CampaignName,
    /// An uploaded picture.
    Image,
    /// A content item's title, text and date.
    Title,
    Body,
    PublishOn,
    Slug,
    Product,
    SellingPoints,
    LandingCopy,
    StartsOn,
    EndsOn,
    Boosts,
    PromoterKinds,
    OrderNo,
    Amount,
    Cost,
    GrossProfit,
    SignedOn,
    DueOn,
    ReferralCode,
    PaidOn,
    Period,
    Scope,
    ImportFile,
    Rule,
    /// A dashboard's period and filters.
    From,
    To,
    Channel,
    Dimension,
    /// A department target's metric and figure.
    Metric,
    Target,
}

impl Field {
    pub fn label(self) -> K {
        match self {
            Field::Name => K::NameLabel,
            Field::Phone | Field::Login => K::PhoneLabel,
            Field::DemandTags => K::DemandTagsLabel,
            Field::Note => K::NoteLabel,
            Field::Consent => K::ConsentLabel,
            Field::Password => K::PasswordLabel,
            Field::DisplayName => K::DisplayNameLabel,
            Field::Email => K::EmailLabel,
            Field::Department => K::DepartmentLabel,
            Field::Roles => K::RolesLabel,
            Field::DepartmentName => K::DepartmentNameLabel,
            Field::Selection => K::SelectedLeads,
            Field::Stage => K::ColStage,
            Field::BlacklistEntry => K::BlacklistValue,
            Field::Campaign => K::ColCampaign,
            Field::Rep => K::RepLabel,
            Field::DemandTag => K::DemandTagsLabel,
            Field::ProtectionDays => K::ProtectionDaysLabel,
            Field::DailyCap => K::DailyCapLabel,
            Field::Holidays => K::HolidaysLabel,
            Field::ExtraWorkdays => K::ExtraWorkdaysLabel,
            Field::Word => K::WordLabel,
            Field::WordKind => K::WordKindLabel,
            Field::CampaignName => K::CampaignNameLabel,
            Field::Image => K::ImageLabel,
            Field::Title => K::TitleLabel,
            Field::Body => K::BodyLabel,
            Field::PublishOn => K::PublishOnLabel,
            Field::Slug => K::SlugLabel,
            Field::Product => K::Product,
            Field::SellingPoints => K::SellingPointsLabel,
            Field::LandingCopy => K::LandingCopyLabel,
            Field::StartsOn => K::StartsOnLabel,
            Field::EndsOn => K::EndsOnLabel,
            Field::Boosts => K::BoostsLabel,
            Field::PromoterKinds => K::PromoterKindsLabel,
            Field::OrderNo => K::OrderNoLabel,
            Field::Amount => K::AmountLabel,
            Field::Cost => K::CostLabel,
            Field::GrossProfit => K::GrossProfitLabel,
            Field::SignedOn => K::SignedOnLabel,
            Field::DueOn => K::DueOnLabel,
            Field::ReferralCode => K::ReferralCodeLabel,
            Field::PaidOn => K::PaidOnLabel,
            Field::Period => K::PeriodLabel,
            Field::Scope => K::ScopeLabel,
            Field::ImportFile => K::ImportFileLabel,
            Field::Rule => K::RuleLabel,
            Field::From => K::FromLabel,
            Field::To => K::ToLabel,
            Field::Channel => K::ChannelLabel,
            Field::Dimension => K::DimensionLabel,
            Field::Metric => K::MetricLabel,
            Field::Target => K::TargetLabel,
        }
    }

    /// The form control name, as used in HTML forms and tests.
    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Phone => "phone",
            Field::DemandTags => "demand_tags",
            Field::Note => "note",
            Field::Consent => "consent",
            Field::Login => "login",
            Field::Password => "password",
            Field::DisplayName => "display_name",
            Field::Email => "email",
            Field::Department => "department_id",
            Field::Roles => "roles",
            Field::DepartmentName => "department_name",
            Field::Selection => "ids",
            Field::Stage => "stage",
            Field::BlacklistEntry => "value",
            Field::Campaign => "campaign_id",
            Field::Rep => "rep_id",
            Field::DemandTag => "demand_tag",
            Field::ProtectionDays => "protection_days",
            Field::DailyCap => "daily_cap",
            Field::Holidays => "holidays",
            Field::ExtraWorkdays => "extra_workdays",
            Field::Word => "word",
            Field::WordKind => "kind",
            Field::CampaignName => "campaign_name",
            Field::Image => "file",
            Field::Title => "title",
            Field::Body => "body",
            Field::PublishOn => "publish_on",
            Field::Slug => "slug",
            Field::Product => "product",
            Field::SellingPoints => "selling_points",
            Field::LandingCopy => "landing_copy",
            Field::StartsOn => "starts_on",
            Field::EndsOn => "ends_on",
            Field::Boosts => "boosts",
            Field::PromoterKinds => "promoter_roles",
            Field::OrderNo => "order_no",
            Field::Amount => "amount",
            Field::Cost => "cost",
            Field::GrossProfit => "gross_profit",
            Field::SignedOn => "signed_on",
            Field::DueOn => "due_on",
            Field::ReferralCode => "referral_code",
            Field::PaidOn => "paid_on",
            Field::Period => "period",
            Field::Scope => "scope",
            Field::ImportFile => "file",
            Field::Rule => "spec",
            Field::From => "from",
            Field::To => "to",
            Field::Channel => "channel",
            Field::Dimension => "table",
            Field::Metric => "metric",
            Field::Target => "target",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Text(TextError),
    Phone(PhoneError),
    TooShort {
        min: i64,
    },
    Email,
    ConsentMissing,
    UnknownChoice,
    LoginMissing,
    Taken,
    /// A whole number from `min` to `max` was expected.
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// Dates must be written YYYY-MM-DD.
    Date,
    /// Only valid leads can be (re)assigned.
    NotValidLead,
    /// The last day comes before the first.
    EndsBeforeStart,
    /// Lower-case letters, digits and hyphens only.
    SlugFormat,
    /// One window per line: start, end, multiplier (1–10).
    Boosts,
    FileTooLarge {
        max_kb: i64,
    },
    /// Only PNG, JPEG and WebP images.
    FileType,
    Money(MoneyError),
    /// Must be more than zero.
    NotPositive,
    /// No promoter has this referral code.
    UnknownCode,
    /// More than was collected on the deal.
    RefundTooLarge,
    /// A reward rule that does not parse or does not make sense.
    Rule,
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
    pub fn message(self, locale: Locale) -> String {
        let t = |k: K| k.text(locale).to_string();
        match self {
            Problem::Text(TextError::Required) | Problem::Phone(PhoneError::Empty) => t(K::ProblemRequired),
            Problem::Text(TextError::TooLong { max }) => format!("{}{max}", t(K::ProblemTooLong)),
            Problem::Text(TextError::ControlCharacters) => t(K::ProblemControl),
            Problem::Phone(PhoneError::InvalidCharacters) => t(K::ProblemPhoneInvalidChars),
            Problem::Phone(PhoneError::NotMobile) => t(K::ProblemPhoneNotMobile),
            Problem::Phone(PhoneError::ForeignNotAllowed) => t(K::ProblemPhoneForeign),
            Problem::TooShort { min } => format!("{}{min}", t(K::ProblemTooShort)),
            Problem::Email => t(K::ProblemEmail),
            Problem::ConsentMissing => t(K::ProblemConsent),
            Problem::UnknownChoice => t(K::ProblemUnknownChoice),
            Problem::LoginMissing => t(K::ProblemLoginMissing),
            Problem::Taken => t(K::ErrConflict),
            Problem::OutOfRange { min, max } => format!("{}{min}–{max}", t(K::ProblemOutOfRange)),
            Problem::Date => t(K::ProblemDate),
            Problem::NotValidLead => t(K::ProblemNotValidLead),
            Problem::EndsBeforeStart => t(K::ProblemEndsBeforeStart),
            Problem::SlugFormat => t(K::ProblemSlugFormat),
            Problem::Boosts => t(K::ProblemBoosts),
            Problem::FileTooLarge { max_kb } => format!("{}{max_kb} KB", t(K::ProblemFileTooLarge)),
            Problem::FileType => t(K::ProblemFileType),
            Problem::Money(MoneyError::Empty) => t(K::ProblemRequired),
            Problem::Money(MoneyError::NotANumber | MoneyError::OutOfRange) => t(K::ProblemMoney),
            Problem::Money(MoneyError::TooManyDecimals) => t(K::ProblemMoneyDecimals),
            Problem::NotPositive => t(K::ProblemNotPositive),
            Problem::UnknownCode => t(K::ProblemUnknownCode),
            Problem::RefundTooLarge => t(K::ProblemRefundTooLarge),
            Problem::Rule => t(K::ProblemRule),
        }
    }
}

/// A field and what is wrong with it: "手机号 不是有效的手机号…".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: Field, problem: impl Into<Problem>) -> Self {
        FieldError { field, problem: problem.into() }
    }

    pub fn message(&self, locale: Locale) -> String {
        let sep = if locale == Locale::En { " " } else { "" };
        format!("{}{sep}{}", self.field.label().text(locale), self.problem.message(locale))
    }
}

/// A listed word found in something being published, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceHit {
    pub field: Field,
    pub word: String,
    pub kind: crate::domain::compliance::WordKind,
    /// Characters from the start of the field's text.
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("sign-in required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// Publishing refused: listed words (广告法极限词 / 敏感词) in the text.
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
    #[error("cross-origin request refused")]
    CrossOrigin,
    #[error("internal error")]
    Internal,
    /// Raised on the client when the request itself failed (network, decoding).
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: Field, problem: impl Into<Problem>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, problem)])
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden | AppError::CrossOrigin => 403,
            AppError::NotFound => 404,
            AppError::Frozen => 409,
            AppError::Invalid(_) | AppError::Noncompliant(_) => 422,
            AppError::TooManyAttempts { .. } | AppError::TooFast { .. } => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(errors) => errors,
            _ => &[],
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        let t = |k: K| k.text(locale).to_string();
        match self {
            AppError::Unauthenticated => t(K::ErrUnauthenticated),
            AppError::Forbidden => t(K::ErrForbidden),
            AppError::NotFound => t(K::ErrNotFound),
            AppError::Invalid(errors) => errors.iter().map(|e| e.message(locale)).collect::<Vec<_>>().join("；"),
            AppError::Noncompliant(hits) => {
                let (open, close, sep) =
                    if locale == Locale::En { (" “", "”", "; ") } else { ("「", "」", "；") };
                let named: Vec<String> =
                    hits.iter().map(|h| format!("{}{open}{}{close}", h.field.label().text(locale), h.word)).collect();
                format!("{}{}", t(K::ErrNoncompliant), named.join(sep))
            }
            AppError::BadCredentials => t(K::ErrBadCredentials),
            AppError::TooManyAttempts { retry_after_s } => format!("{}{retry_after_s}", t(K::ErrTooManyAttempts)),
            AppError::TooFast { retry_after_s } => format!("{}{retry_after_s}", t(K::ErrTooFast)),
            AppError::CrossOrigin => t(K::ErrCrossOrigin),
            AppError::Frozen => t(K::ErrFrozen),
            AppError::Internal => t(K::ErrInternal),
            AppError::Transport(_) => t(K::ErrTransport),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(e) | ServerFnErrorErr::Response(e) => AppError::Transport(e),
            ServerFnErrorErr::Deserialization(e) | ServerFnErrorErr::Args(e) | ServerFnErrorErr::MissingArg(e) => {
                AppError::Transport(e)
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_name_the_field_in_both_languages() {
        let e = FieldError::new(Field::Phone, PhoneError::NotMobile);
        assert!(e.message(Locale::ZhCn).starts_with("手机号"));
        assert!(e.message(Locale::En).starts_with("Phone "));
        let hits = AppError::Noncompliant(vec![ComplianceHit {
            field: Field::LandingCopy,
            word: "最".into(),
            kind: crate::domain::compliance::WordKind::Extreme,
            at: 3,
        }]);
        assert!(hits.message(Locale::ZhCn).ends_with("落地页文案「最」"), "{}", hits.message(Locale::ZhCn));
        let long = FieldError::new(Field::Name, TextError::TooLong { max: 50 });
        assert!(long.message(Locale::En).ends_with("50"));
    }

    #[test]
    fn statuses() {
        assert_eq!(AppError::Unauthenticated.status(), 401);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::invalid(Field::Name, TextError::Required).status(), 422);
        assert_eq!(AppError::TooManyAttempts { retry_after_s: 3 }.status(), 429);
    }
}
