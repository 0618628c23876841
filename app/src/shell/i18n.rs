//! The shell keys: every user-facing string of this shell in zh-CN and en.
crate::messages! {
    pub enum K {
        AppName => "全员营销", "Allhands";
        LanguageSwitch => "English", "中文";
        DemoBanner => "演示组织：数据仅供体验，可随时重置", "Demo organization: sample data for trying things out";
        NavMyPromotion => "我的推广", "My promotion";
        NavLeads => "线索", "Leads";
        NavPayoutAccount => "收款账户", "Payout account";
        NavSettings => "组织设置", "Settings";
        NavAudit => "审计日志", "Audit log";
        NavAccount => "我的账号", "My account";
        NavAdmin => "管理", "Admin";
        SignOut => "退出登录", "Sign out";
        SignInTitle => "登录全员营销", "Sign in to Allhands";
        LoginLabel => "手机号或邮箱", "Phone or email";
        SigningIn => "正在登录…", "Signing in…";
        HomeWelcome => "人人都是品牌代言人：分享专属链接与海报，带来线索与成交，奖励按时结算。", "Everyone is a brand ambassador: share your personal link and poster, bring leads and deals, and get rewarded on time.";
        DemoAccounts => "演示账号（密码均为 demo1234）", "Demo accounts (password demo1234 for all)";
        MyPromotionTitle => "我的推广", "My promotion";
        NavReview => "审核", "Review";
        NavFollowUp => "跟进", "Follow-up";
        NavLeadSettings => "线索规则", "Lead rules";
        NavContent => "素材", "Content";
        NavCampaigns => "活动", "Campaigns";
        NavDeals => "成交", "Deals";
        NavSettlement => "结算", "Settlement";
        NavMyRewards => "我的奖励", "My rewards";
        NavRules => "激励规则", "Reward rules";
        NavDashboard => "数据看板", "Dashboard";
        NavHeroes => "英雄榜", "Heroes";
        NavStories => "客户故事", "Customer stories";
        NavMyScorecard => "我的考核", "My scorecard";
        NavScorecards => "团队考核", "Team scorecards";
    }
}
