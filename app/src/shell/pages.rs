//! The staff's pages, loaded by the browser when first opened (`cargo leptos build --split`):
//! a prospect's landing page downloads only the shell and the public pages.
//!
//! Pages are split in four groups, each group one chunk of the wasm: the pages one audience
//! opens (a promoter's, marketing's, the rules and scorecards, the back office's). The splitter
//! gives every set of chunks that shares code a chunk of its own: one chunk per page made 339
//! files, and `/me` fetched about 80 of them, most under 1 KB, whose round trips on a phone's
//! connection held the page back (Lighthouse: largest paint 4 s); eight groups still made 115.
//! Four groups share code in at most 11 chunks.
use leptos::prelude::*;
use leptos_router::LazyRoute;

/// A lazily loaded page: the route's type, the function holding its view (named for the page,
/// so that the functions of one chunk stay distinct), and the component it shows.
macro_rules! lazy_pages {
    ($($group:ident { $($route:ident($view:ident) => $page:path,)* })*) => {$($(
        #[derive(Clone, Copy)]
        pub struct $route;

        #[allow(non_snake_case)]
        mod $view {
            use leptos::prelude::*;

            #[leptos::lazy($group)]
            pub fn $view(_this: super::$route) -> AnyView {
                use $page as Page;
                view! { <Page /> <crate::shell::Hydrated /> }.into_any()
            }
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(this: Self) -> AnyView {
                $view::$view(this).await
            }

            // The router loads the chunk before the page hydrates, so the page's view is ready
            // when hydration reaches it.
            async fn preload() {
                #[cfg(target_arch = "wasm32")]
                paste::paste! { $view::[<__preload_ $view>]().await; }
            }
        }
    )*)*};
}

lazy_pages! {
    promoter {
        MyPromotion(my_promotion) => crate::shell::me::MyPromotion,
        MyRewards(my_rewards) => crate::features::settlement::my_rewards::MyRewardsPage,
        PayoutAccount(payout_account) => crate::features::settlement::payout_account::PayoutAccountPage,
        Stories(stories) => crate::features::promotion::stories::StoriesPage,
        Heroes(heroes) => crate::features::dashboard::heroes::HeroBoardPage,
        MyScorecard(my_scorecard) => crate::features::scorecards::card::MyScorecardPage,
        Account(account) => crate::features::admin::account::Account,
        Setup(setup) => crate::features::admin::setup::Setup,
        Reset(reset) => crate::features::admin::reset::Reset,
    }
    marketing {
        Dashboard(dashboard) => crate::features::dashboard::board::DashboardPage,
        Campaigns(campaigns) => crate::features::campaigns::manage::Campaigns,
        Content(content) => crate::features::campaigns::content::Content,
        Review(review) => crate::features::leads::review::Review,
        Leads(leads) => crate::features::leads::list::Leads,
        LeadSettings(lead_settings) => crate::features::leads::lead_settings::LeadSettings,
    }
    planning {
        Rules(rules) => crate::features::rewards::rules::Rules,
        Scorecards(scorecards) => crate::features::scorecards::team::TeamPage,
    }
    office {
        FollowUp(follow_up) => crate::features::leads::follow_up::FollowUp,
        Deals(deals) => crate::features::deals::records::Deals,
        Settlement(settlement) => crate::features::settlement::runs::Settlement,
        Admin(admin) => crate::features::admin::people::Admin,
        AuditLog(audit_log) => crate::features::admin::audit::AuditLog,
        Settings(settings) => crate::features::admin::settings_page::SettingsPage,
    }
}
