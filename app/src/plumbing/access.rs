//! Who may do what: roles, the signed-in user, and the role table. Every server function
//! and route is guarded by an [`Access`]; the header's navigation and the authorization
//! matrix test read the same table, so a page's link shows exactly when its functions answer.
use super::i18n::C;
use serde::{Deserialize, Serialize};

crate::closed_set! {
    /// A user's role; a user may hold several.
    pub enum Role("role") {
        Admin = "admin",
        Marketing = "marketing",
        Sales = "sales",
        Finance = "finance",
        Employee = "employee",
        Customer = "customer",
        Partner = "partner",
    }
}

impl Role {
    /// The roles that promote: they own links, codes and posters.
    pub const PROMOTERS: [Role; 3] = [Role::Employee, Role::Customer, Role::Partner];
    /// The company's own people (not customers or partners).
    pub const STAFF: [Role; 5] = [Role::Employee, Role::Sales, Role::Marketing, Role::Finance, Role::Admin];

    pub fn label(self) -> C {
        match self {
            Role::Admin => C::RoleAdmin,
            Role::Marketing => C::RoleMarketing,
            Role::Sales => C::RoleSales,
            Role::Finance => C::RoleFinance,
            Role::Employee => C::RoleEmployee,
            Role::Customer => C::RoleCustomer,
            Role::Partner => C::RolePartner,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub department: Option<String>,
}

impl UserView {
    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }

    pub fn may(&self, access: Access) -> bool {
        access.allows(Some(self))
    }
}

/// What every page needs to draw the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<UserView>,
    pub demo: bool,
}

/// The role table: who may use a group of pages and server functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (the prospect's pages).
    Anyone,
    /// Any signed-in user.
    SignedIn,
    /// People who promote: employees, customers, partners.
    Promoters,
    /// The company's own people.
    Staff,
    /// Marketing's workspace: campaigns, content, leads, review, rules, dashboards.
    Marketing,
    /// The sales rep's follow-up of their own leads.
    Sales,
    /// Reading deals.
    Deals,
    /// Recording deals (from won leads).
    DealEntry,
    /// Recording payments and importing deals.
    Payments,
    /// Reading reward rules.
    RulesRead,
    /// Settlement runs and payout files.
    Finance,
    /// Marking money paid: finance alone.
    Payout,
    /// People, departments, the outbox.
    Admin,
}

impl Access {
    /// Every entry, for the tests that check the table.
    pub const ALL: [Access; 13] = [
        Access::Anyone,
        Access::SignedIn,
        Access::Promoters,
        Access::Staff,
        Access::Marketing,
        Access::Sales,
        Access::Deals,
        Access::DealEntry,
        Access::Payments,
        Access::RulesRead,
        Access::Finance,
        Access::Payout,
        Access::Admin,
    ];

    /// The roles allowed; empty means any signed-in user (or anyone, for `Anyone`).
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Access::Anyone | Access::SignedIn => &[],
            Access::Promoters => &Role::PROMOTERS,
            Access::Staff => &Role::STAFF,
            Access::Marketing => &[Marketing, Admin],
            Access::Sales => &[Sales],
            Access::Deals => &[Sales, Marketing, Finance, Admin],
            Access::DealEntry => &[Sales, Marketing, Admin],
            Access::Payments => &[Sales, Finance, Admin],
            Access::RulesRead => &[Marketing, Finance, Admin],
            Access::Finance => &[Finance, Admin],
            Access::Payout => &[Finance],
            Access::Admin => &[Admin],
        }
    }

    /// Whether `user` (or nobody signed in) may.
    pub fn allows(self, user: Option<&UserView>) -> bool {
        match (self, user) {
            (Access::Anyone, _) => true,
            (_, None) => false,
            (_, Some(u)) => self.roles().is_empty() || u.has_any(self.roles()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role]) -> UserView {
        UserView { id: 1, display_name: "x".into(), roles: roles.to_vec(), department: None }
    }

    /// The table as PRODUCT.md's roles describe it. The authorization matrix test and the
    /// header read `Access`; this pins what it says.
    #[test]
    fn the_table_is_what_the_roles_say() {
        use Role::*;
        let expected: [(Access, &[Role]); 13] = [
            (Access::Anyone, &[]),
            (Access::SignedIn, &[]),
            (Access::Promoters, &[Employee, Customer, Partner]),
            (Access::Staff, &[Employee, Sales, Marketing, Finance, Admin]),
            (Access::Marketing, &[Marketing, Admin]),
            (Access::Sales, &[Sales]),
            (Access::Deals, &[Sales, Marketing, Finance, Admin]),
            (Access::DealEntry, &[Sales, Marketing, Admin]),
            (Access::Payments, &[Sales, Finance, Admin]),
            (Access::RulesRead, &[Marketing, Finance, Admin]),
            (Access::Finance, &[Finance, Admin]),
            (Access::Payout, &[Finance]),
            (Access::Admin, &[Admin]),
        ];
        assert_eq!(expected.map(|e| e.0), Access::ALL);
        for (access, roles) in expected {
            assert_eq!(access.roles(), roles, "{access:?}");
        }
    }

    #[test]
    fn the_table_decides() {
        assert!(Access::Anyone.allows(None));
        assert!(!Access::SignedIn.allows(None));
        assert!(Access::SignedIn.allows(Some(&user(&[Role::Customer]))));
        assert!(Access::Marketing.allows(Some(&user(&[Role::Admin]))));
        assert!(!Access::Marketing.allows(Some(&user(&[Role::Sales, Role::Employee]))));
        assert!(Access::Promoters.allows(Some(&user(&[Role::Sales, Role::Employee]))));
        assert!(!Access::Sales.allows(Some(&user(&[Role::Admin]))), "follow-up is the reps' own");
        assert_eq!(serde_json::to_string(&Role::Marketing).unwrap(), "\"marketing\"");
    }
}
