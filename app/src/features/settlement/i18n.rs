//! The settlement keys: every user-facing string of this feature in zh-CN and en.
crate::messages! {
    pub enum K {
        RunStepLabel => "操作", "Action";
        ScopeLabel => "结算范围", "Scope";
        Adjustment => "调整", "Adjustment";
        Approve => "审批通过", "Approve";
        CarriedIn => "上期结转", "Carried in";
        CarryNegative => "本期净额为负，结转下期抵扣：", "Negative this period, carried forward:";
        CarryBelowMinimum => "未达最低发放金额，结转下期：", "Below the minimum payout, carried forward:";
        CouponWallet => "我的优惠券", "My coupons";
        Notices => "奖励通知", "Reward notices";
        SettlementTitle => "奖励结算", "Reward settlement";
        DraftRun => "生成结算草稿", "Draft a run";
        ScopeEmployee => "员工（月度）", "Employees (monthly)";
        ScopePartner => "合作伙伴（季度）", "Partners (quarterly)";
        RunDraft => "草稿", "Draft";
        RunApproved => "已审批", "Approved";
        RunPaid => "已发放", "Paid";
        Statements => "激励明细", "Statements";
        NoStatements => "暂无结算单", "No statements yet";
        StatementCount => "张结算单", "statements";
        Gross => "税前合计", "Gross";
        Tax => "代扣个税", "Tax withheld";
        Net => "实发", "Net";
        MarkPaid => "标记已发放", "Mark paid";
        ExportBank => "银行批量代发", "Bank file";
        ExportWallet => "微信/支付宝批量", "WeChat/Alipay file";
        ExportPayroll => "工资表", "Payroll file";
        TaxIncidental => "偶然所得 20%", "incidental income 20%";
        TaxWages => "并入工资薪金", "with wages";
        TaxLabour => "劳务报酬", "labour remuneration";
        TaxCompany => "企业开票", "company invoice";
        TaxSoleProprietor => "个体工商户", "sole proprietor";
        MyRewardsTitle => "我的奖励", "My rewards";
        ReferralCodeHint => "把推荐码告诉朋友：新客下单时出示推荐码，首单立减，成交后你获得奖励。", "Give friends your code: new customers show it at checkout for a first-order discount, and you are rewarded for the deal.";
        RewardApproved => "已审批待发放", "Approved";
    }
}
