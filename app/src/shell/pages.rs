//! The staff's pages, each loaded by the browser when first opened (`cargo leptos build
//! --split` puts each in its own chunk of the wasm): a prospect's landing page downloads only
//! the shell and the public pages.
use crate::features::admin;
use crate::features::{campaigns, dashboard, deals, leads, promotion, rewards, scorecards, settlement};
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// A lazily loaded page: the route's type and the component it shows.
macro_rules! lazy_pages {
    ($($route:ident => $page:path,)*) => {$(
        #[derive(Clone, Copy)]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                use $page as Page;
                view! { <Page /> <super::Hydrated /> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    MyPromotion => super::me::MyPromotion,
    Campaigns => campaigns::manage::Campaigns,
    Content => campaigns::content::Content,
    Leads => leads::list::Leads,
    LeadSettings => leads::lead_settings::LeadSettings,
    Review => leads::review::Review,
    FollowUp => leads::follow_up::FollowUp,
    Admin => admin::people::Admin,
    AuditLog => admin::audit::AuditLog,
    Settings => admin::settings_page::SettingsPage,
    Account => admin::account::Account,
    Setup => admin::setup::Setup,
    Reset => admin::reset::Reset,
    Deals => deals::records::Deals,
    Settlement => settlement::runs::Settlement,
    MyRewards => settlement::my_rewards::MyRewardsPage,
    PayoutAccount => settlement::payout_account::PayoutAccountPage,
    Rules => rewards::rules::Rules,
    Dashboard => dashboard::board::DashboardPage,
    Heroes => dashboard::heroes::HeroBoardPage,
    Stories => promotion::stories::StoriesPage,
    MyScorecard => scorecards::card::MyScorecardPage,
    Scorecards => scorecards::team::TeamPage,
}
