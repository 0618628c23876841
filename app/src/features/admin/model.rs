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
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub display_name: String,
    pub login: String,
    pub department: Option<String>,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentRow {
    pub id: i64,
    pub name: String,
    pub members: i64,
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
