//! The campaigns keys: every user-facing string of this feature in zh-CN and en.
crate::messages! {
    pub enum K {
        WordLabel => "词语", "Word";
        SharesLabel => "分享次数", "Shares";
        WordKindLabel => "词库", "List";
        WordKindExtreme => "广告法极限词", "Advertising-law extreme words";
        WordKindSensitive => "敏感词", "Sensitive words";
        WordKindAllowed => "允许短语（不算违规）", "Allowed phrases (mask a hit)";
        ComplianceTitle => "合规词库", "Compliance word lists";
        ComplianceHelp => "发布活动、海报和素材前自动检查，命中任何一个词都不能发布。", "Checked before any campaign, poster or content item is published; any hit blocks publishing.";
        ImageLabel => "图片", "Image";
        TitleLabel => "标题", "Title";
        BodyLabel => "分享文案", "Text to share";
        PublishOnLabel => "发布日期", "Publish on";
        ArtworkLabel => "海报主图", "Poster artwork";
        ContentHelp => "按日历排期发布可直接转发的素材（默认每周 3 条），发布前自动合规检查。", "Schedule share-ready items on the calendar (3 a week by default); each is checked before it is published.";
        NewContent => "新建素材", "New item";
        WeekOf => "周", "Week of";
        CampaignNameLabel => "活动名称", "Campaign name";
        SlugLabel => "链接标识（小写字母、数字、-）", "Link name (a–z, 0–9, -)";
        SellingPointsLabel => "卖点（每行一个）", "Selling points (one per line)";
        LandingCopyLabel => "落地页文案", "Landing copy";
        EndsOnLabel => "结束日期", "Last day";
        SmsBudgetLabel => "每日感谢短信上限（条，达到时提醒市场部）", "Thank-you messages a day (marketing is told when reached)";
        BoostsLabel => "奖励加倍期（每行：开始 结束 倍数）", "Boost windows (per line: start end multiplier)";
        PromoterKindsLabel => "参与的推广人类型（不选为全部）", "Promoter kinds taking part (none: all)";
        DepartmentsScopeLabel => "试点部门（不选为全部）", "Pilot departments (none: all)";
        DemandTagsLinesLabel => "需求标签（每行一个）", "Demand tags (one per line)";
        AcceptsRepurchaseLabel => "老客户复购推荐也计为有效", "Referrals of existing customers count (repurchase)";
        ProblemSlugFormat => "只能使用小写字母、数字和 -，3–40 个字符", "may only use a–z, 0–9 and -, 3 to 40 characters";
        ProblemBoosts => "格式应为：2026-12-01 2026-12-07 1.5（倍数 1–10）", "should look like: 2026-12-01 2026-12-07 1.5 (multiplier 1–10)";
        CampaignsTitle => "推广活动", "Campaigns";
        NewCampaign => "新建活动", "New campaign";
        Publish => "发布", "Publish";
        PhaseDraft => "草稿", "Draft";
        PhaseUpcoming => "未开始", "Upcoming";
        PhaseRunning => "进行中", "Running";
        PhaseEnded => "已结束", "Ended";
    }
}
