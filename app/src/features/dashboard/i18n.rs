//! The dashboard keys: every user-facing string of this feature in zh-CN and en.
crate::messages! {
    pub enum K {
        FromLabel => "开始日期", "From";
        DashPeriod => "统计期间", "Period";
        Clicks => "点击", "Clicks";
        Visitors => "独立访客", "Unique visitors";
        Shares => "分享", "Shares";
        NoData => "本期暂无数据", "Nothing in this period";
        ToLabel => "结束日期", "To";
        ChannelLabel => "渠道", "Channel";
        DimensionLabel => "报表", "Table";
        MetricLabel => "目标指标", "Target metric";
        TargetLabel => "目标值", "Target";
        KindEmployee => "员工", "Employees";
        KindCustomer => "老客户", "Customers";
        KindPartner => "合作伙伴", "Partners";
        PromoterKindLabel => "推广者类型", "Promoter kind";
        TargetSharesPerEmployee => "人均分享次数", "Shares per employee";
        TargetValidLeads => "有效线索数", "Valid leads";
        TargetDeals => "成交数", "Deals";
        DashboardTitle => "数据看板", "Dashboard";
        LiveOn => "● 实时", "● Live";
        LiveOff => "○ 连接中…", "○ Connecting…";
        Funnel => "转化漏斗", "Funnel";
        Trend => "每日趋势", "Daily trend";
        RangeToday => "今天", "Today";
        RangeMonth => "本月", "This month";
        RangeCustom => "自定义", "Custom";
        StatLeads => "线索", "Leads";
        StatDeals => "成交", "Deals";
        ResponseRate => "线索响应率", "Response rate";
        DealAmount => "成交金额", "Deal amount";
        ClickToLead => "点击→线索", "Click → lead";
        LeadToDeal => "线索→成交", "Lead → deal";
        RewardCost => "奖励成本", "Reward cost";
        Roi => "ROI（毛利÷奖励）", "ROI (profit ÷ rewards)";
        OutputPerPromoter => "人均产出", "Output per promoter";
        TargetsTitle => "部门目标完成情况", "Department targets";
        SetTarget => "设置部门月度目标", "Set a monthly department target";
        ByCampaign => "按活动", "By campaign";
        ByChannel => "按渠道", "By channel";
        ByDepartment => "按部门", "By department";
        ByPromoterKind => "按推广者类型", "By promoter kind";
        ExportCsv => "导出 CSV", "Export CSV";
        HeroBoardTitle => "英雄榜", "Hero board";
        HeroMonthly => "月度 Top {n}", "Monthly Top {n}";
        HeroQuarterly => "季度 Top {n}", "Quarterly Top {n}";
        HeroEmpty => "本期还没有成交，快去分享吧！", "No deals yet this period. Go share!";
        MyNumbersTitle => "我的本月数据", "My numbers this month";
        MyRank => "本月排名", "Rank this month";
        NoRankYet => "暂无排名", "Not ranked yet";
        SharesBroughtPrefix => "你本月的分享带来了", "Your shares this month brought";
        SharesBroughtSuffix => "条线索", "leads";
        MyTeamTargets => "我所在部门的目标", "My department's targets";
        MonthLabel => "月份", "Month";
    }
}
