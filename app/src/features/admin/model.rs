//! What crosses the wire for administration: people, departments, the outbox; the fields of
//! the admin's forms.
use crate::features::admin::i18n::K;
use crate::plumbing::access::Role;
use crate::plumbing::i18n::C;
use crate::plumbing::message::{MessageKind, MessageStatus};
use serde::{Deserialize, Serialize};

crate::fields! {
    /// The inputs of the people and department forms.
    pub enum Field {
        DisplayName => "display_name", K::DisplayNameLabel;
        Phone => "phone", C::PhoneLabel;
        Email => "email", K::EmailLabel;
        Password => "password", C::PasswordLabel;
        Department => "department_id", C::DepartmentLabel;
        Roles => "roles", K::RolesLabel;
        DepartmentName => "department_name", K::DepartmentNameLabel;
        CurrentPassword => "current_password", K::CurrentPasswordLabel;
        NewPassword => "new_password", K::NewPasswordLabel;
        Action => "action", K::ColAction;
        ImportFile => "file", K::ImportFileLabel;
        EmployeeNo => "employee_no", K::EmployeeNoLabel;
        Status => "status", K::ColStatus;
        SettingValue => "value", K::SettingsTitle;
        EffectiveFrom => "effective_from", K::EffectiveFrom;
        TaxTreatment => "tax_treatment", K::TaxTreatmentLabel;
        From => "from", K::FromLabel;
        Until => "until", K::UntilLabel;
        Search => "search", K::SearchPeople;
        ApiKeyName => "name", K::ApiKeyNameLabel;
        WebhookUrl => "url", K::WebhookUrlLabel;
        WebhookEvents => "events", K::WebhookEventsLabel;
        ApiScopes => "scopes", K::ApiScopesLabel;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub display_name: String,
    pub login: String,
    /// As typed in the edit form: the national number, the email.
    pub phone: String,
    pub email: String,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub roles: Vec<Role>,
    pub active: bool,
    /// Their own tax treatment; `None`: their promoter kind's.
    pub tax_treatment: Option<crate::features::settlement::TaxTreatment>,
}

crate::closed_set! {
    /// What administration does that the audit log keeps.
    pub enum Audited("admin audit action") {
        UserCreated = "user.created",
        UserUpdated = "user.updated",
        UserDeactivated = "user.deactivated",
        UserReactivated = "user.reactivated",
        DepartmentCreated = "department.created",
        PasswordChanged = "user.password_changed",
        SessionRevoked = "session.revoked",
        SetupCompleted = "setup.completed",
        ResetLinkIssued = "user.reset_link_issued",
        FamilyRegistered = "family.registered",
        FamilyRemoved = "family.removed",
        SettingChanged = "setting.changed",
        ApiKeyCreated = "api_key.created",
        ApiKeyRevoked = "api_key.revoked",
        WebhookCreated = "webhook.created",
        WebhookDisabled = "webhook.disabled",
        WebhookEnabled = "webhook.enabled",
        WebhookRedelivered = "webhook.redelivered",
    }
}

impl Audited {
    pub fn label(self) -> K {
        match self {
            Audited::UserCreated => K::AuditUserCreated,
            Audited::UserUpdated => K::AuditUserUpdated,
            Audited::UserDeactivated => K::AuditUserDeactivated,
            Audited::UserReactivated => K::AuditUserReactivated,
            Audited::DepartmentCreated => K::AuditDepartmentCreated,
            Audited::PasswordChanged => K::AuditPasswordChanged,
            Audited::SessionRevoked => K::AuditSessionRevoked,
            Audited::SetupCompleted => K::AuditSetupCompleted,
            Audited::ResetLinkIssued => K::AuditResetLinkIssued,
            Audited::FamilyRegistered => K::AuditFamilyRegistered,
            Audited::FamilyRemoved => K::AuditFamilyRemoved,
            Audited::SettingChanged => K::AuditSettingChanged,
            Audited::ApiKeyCreated => K::AuditApiKeyCreated,
            Audited::ApiKeyRevoked => K::AuditApiKeyRevoked,
            Audited::WebhookCreated => K::AuditWebhookCreated,
            Audited::WebhookDisabled => K::AuditWebhookDisabled,
            Audited::WebhookEnabled => K::AuditWebhookEnabled,
            Audited::WebhookRedelivered => K::AuditWebhookRedelivered,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentRow {
    pub id: i64,
    pub name: String,
    pub members: i64,
}

/// A message kind in words.
pub fn message_kind_label(kind: MessageKind) -> K {
    match kind {
        MessageKind::ThankYou => K::MsgThankYou,
        MessageKind::LeadAssigned => K::MsgLeadAssigned,
        MessageKind::LeadOverdue => K::MsgLeadOverdue,
        MessageKind::RewardVested => K::MsgRewardVested,
        MessageKind::RewardPaid => K::MsgRewardPaid,
        MessageKind::BudgetReached => K::MsgBudgetReached,
        MessageKind::PhoneCode => K::MsgPhoneCode,
        MessageKind::WebhookDisabled => K::MsgWebhookDisabled,
        MessageKind::ScorecardFeedback => K::MsgScorecardFeedback,
        MessageKind::ScorecardReminder => K::MsgScorecardReminder,
        MessageKind::CoachingReminder => K::MsgCoachingReminder,
    }
}

/// A message status in words.
pub fn message_status_label(status: MessageStatus) -> K {
    match status {
        MessageStatus::Queued => K::MsgQueued,
        MessageStatus::Sent => K::MsgSent,
        MessageStatus::Failed => K::MsgFailed,
    }
}

/// An outgoing message as the admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxRow {
    pub created_at: String,
    pub kind: MessageKind,
    pub recipient: String,
    pub body: String,
    pub status: MessageStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// One of a person's own sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub handle: String,
    pub signed_in_at: String,
    pub last_seen_at: Option<String>,
    /// System and browser (`iPhone · WeChat`), empty when unknown.
    pub device: String,
    /// The session this page was opened with.
    pub current: bool,
}

/// Which audit entries to show; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor_id: Option<i64>,
    /// An action's code, e.g. `run.approved`.
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub subject: String,
    /// Org-local dates, YYYY-MM-DD, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
}

/// An audit entry as admins read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub action_label: crate::plumbing::errors::Label,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// What changed, in one line: `name: 张三 → 张三丰; roles: …` for records, `a → b` else.
    pub change: String,
}

/// An audited action offered in the filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditAction {
    pub code: String,
    pub label: crate::plumbing::errors::Label,
}

/// A person a staff import adds, updates or deactivates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportLine {
    pub line: i64,
    pub name: String,
    /// The employee number, else the masked phone, else the email.
    pub key: String,
}

/// What a staff import does (preview) or did (applied).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffImport {
    pub added: Vec<ImportLine>,
    pub updated: Vec<ImportLine>,
    pub deactivated: Vec<ImportLine>,
    pub unchanged: i64,
    /// Rows refused, by line, each problem naming its field.
    pub errors: Vec<(i64, Vec<crate::plumbing::errors::FieldError>)>,
    pub applied: bool,
}

/// A family member a staff member registered, as they see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyRow {
    pub id: i64,
    pub name: String,
    /// Masked.
    pub phone: String,
}

/// An API key as admin sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: i64,
    pub name: String,
    /// The key's first characters.
    pub prefix: String,
    pub scopes: Vec<crate::plumbing::api_keys::ApiScope>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked: bool,
}

/// A webhook endpoint as admin sees it (never its secret), with its latest deliveries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    pub events: Vec<crate::plumbing::webhooks::WebhookEvent>,
    pub created_at: String,
    /// Since when every delivery has failed.
    pub failing_since: Option<String>,
    pub disabled_at: Option<String>,
    pub deliveries: Vec<DeliveryRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub event: crate::plumbing::webhooks::WebhookEvent,
    pub status: crate::plumbing::webhooks::DeliveryStatus,
    pub attempts: i64,
    /// The endpoint's last answer.
    pub response_status: Option<i64>,
    pub last_error: Option<String>,
    pub occurred_at: String,
}

/// An endpoint just registered: its signing secret is shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewWebhook {
    pub id: i64,
    pub secret: String,
}

/// A key just made: its secret is shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub id: i64,
    pub secret: String,
}
