//! The rewards keys: every user-facing string of this feature in zh-CN and en.
crate::messages! {
    pub enum K {
        KindEmployee => "员工", "Employees";
        KindCustomer => "老客", "Customers";
        KindPartner => "合作伙伴", "Partners";
        KindPercentOfDeal => "按回款比例", "Percent of collected";
        KindPercentBand => "按成交额档位", "Percent by deal band";
        KindMarginalTiers => "累进阶梯", "Marginal tiers";
        KindFlatPerEvent => "按事件固定金额", "Flat per event";
        KindActivityTarget => "月度活跃目标", "Monthly activity target";
        KindSplit => "奖池分成", "Shared pool";
        KindCouponLadder => "老客推荐券阶梯", "Customer coupon ladder";
        KindNewCustomerBenefit => "新客首单权益", "New customer benefit";
        ScopeDepartment => "部门", "Department";
        ScopeCampaign => "活动", "Campaign";
        SmsVested => "【全员营销】你推荐的订单已回款，奖励 {amount} 已确认，将在下期结算发放。", "[Allhands] A deal you referred was paid: your reward of {amount} is confirmed and goes out with the next settlement.";
        SmsVestingHeld => "【全员营销】你推荐的订单已回款，奖励 {amount} 待核验/冻结期后确认。", "[Allhands] A deal you referred was paid: your reward of {amount} is confirmed after the audit or holding period.";
        ProblemRule => "规则格式不正确", "is not a valid rule";
        ProblemSettledPeriod => "不能早于已审批的结算期", "cannot start inside a settlement period already approved";
        RuleLabel => "激励规则", "Reward rule";
        Redeem => "领取优惠", "Redeem";
        RedeemTitle => "使用推荐码", "Redeem a referral code";
        RedeemHint => "输入朋友给你的推荐码和手机号，领取新客首单优惠券。", "Enter the code a friend gave you and your phone number to get your first-order coupon.";
        SendCode => "获取验证码", "Text me a code";
        CodeSent => "验证码已发送到你的手机，10分钟内有效。", "We sent a code to your phone; it is valid for 10 minutes.";
        RedeemDone => "领取成功！下单时出示手机号即可使用。", "Done! Give your phone number at checkout to use it.";
        RulesTitle => "激励规则", "Reward rules";
        RulesHint => "规则以数据保存并带版本：修改会从新的生效日期起生成新版本，已计算的奖励不受影响。", "Rules are versioned data: a change becomes a new version from its effective date; rewards already computed never change.";
        WhatIfTitle => "试算：用历史数据回放", "What-if: replay a past period";
        WhatIfHint => "在发布前，用所选期间的真实成交、回款和线索，按编辑中的规则重算奖励，与现行规则实际应付对比。不会写入任何数据。", "Before publishing, the rule being edited is run over the chosen period's real deals, payments and leads, beside what the rules in force paid. Nothing is written.";
        WhatIfRun => "回放", "Replay";
        WhatIfRunning => "回放中…", "Replaying…";
        WhatIfBefore => "现行规则", "Rules in force";
        WhatIfAfter => "按草稿", "With the draft";
        WhatIfDelta => "变化", "Change";
        WhatIfCost => "奖励成本", "Reward cost";
        WhatIfRoi => "ROI（毛利÷奖励）", "ROI (profit ÷ rewards)";
        WhatIfCostRatio => "费效比（奖励÷毛利）", "Cost ratio (rewards ÷ profit)";
        WhatIfChanged => "奖励有变化的推广人", "Promoters whose reward changes";
        WhatIfMovers => "变化最大的推广人", "Largest changes";
        ProblemPastPeriod => "须为已结束的期间", "must be a period that has ended";
        SaveNewVersion => "保存为新版本", "Save as a new version";
    }
}
