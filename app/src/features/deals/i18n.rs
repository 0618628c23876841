//! The deals keys: every user-facing string of this feature in zh-CN and en.
crate::messages! {
    pub enum K {
        ProblemRefundTooLarge => "不能超过已回款金额", "cannot exceed what was collected";
        PaymentIdLabel => "付款编号", "Payment id";
        ProblemPaymentRecordedDifferently => "此付款编号已登记，内容不同", "this payment id is recorded with other details";
        ProblemRecordedDifferently => "此订单号已录入，内容不同；后续回款请在订单上登记", "this order number is recorded with other details; record further payments on the deal";
        AuditNotSampled => "未抽检", "Not sampled";
        AuditPending => "待回访核验", "Awaiting call-back";
        AuditVerified => "已核验", "Verified";
        AuditRejected => "核验未通过", "Rejected";
        AuditDealRecorded => "录入成交", "Recorded a deal";
        AuditPaymentRecorded => "录入回款", "Recorded a payment";
        AuditRefundRecorded => "录入退款", "Recorded a refund";
        AuditCallBackDecided => "回访抽检结论", "Decided a call-back audit";
        OrderNoLabel => "订单号", "Order number";
        AmountLabel => "成交金额（元）", "Amount (yuan)";
        ServiceLabel => "服务人员（手机号或邮箱，可选）", "Service contact (phone or email, optional)";
        ProblemNotStaff => "不是本公司员工", "is not a member of staff";
        CostLabel => "成本（元）", "Cost (yuan)";
        GrossProfitLabel => "毛利（元）", "Gross profit (yuan)";
        SignedOnLabel => "签约日期", "Signing date";
        DueOnLabel => "回款截止日", "Payment due date";
        PaidOnLabel => "回款日期", "Payment date";
        ImportFileLabel => "导入文件", "Import file";
        AuditVerify => "核验通过", "Verified";
        AuditReject => "核验不通过", "Rejected";
        Collected => "已回款", "Collected";
        Coupon => "优惠券", "coupon";
        CouponShare => "首单立减，最多", "off the first order, at most";
        CouponTookOff => "已抵扣", "took off";
        CouponIssued => "可使用", "available";
        CouponRedeemed => "已使用", "used";
        CouponExpired => "已过期", "expired";
        DealsTitle => "成交与回款", "Deals and payments";
        DealsListTitle => "成交订单", "Deals";
        WonLeadsTitle => "已成交线索（待录入订单）", "Won leads without a deal";
        RecordDeal => "录入成交", "Record the deal";
        FromLead => "来自线索", "From lead";
        FromLeadHint => "客户手机号与姓名可留空，自动取自线索", "leave the customer's phone and name empty to take the lead's";
        RecordPayment => "登记回款", "Record payment";
        RecordRefund => "登记退款", "Record refund";
        ImportDealsTitle => "批量导入订单（CSV）", "Import deals (CSV)";
        ImportDealsHint => "首行为表头：order_no, customer_phone, amount, signed_on，可选 customer_name, cost, gross_profit, due_on, referral_code, service（服务人员）, paid_on, paid_amount。同一订单号重复导入不会产生变化；内容不同的行会被拒绝。", "First line is the header: order_no, customer_phone, amount, signed_on; optional customer_name, cost, gross_profit, due_on, referral_code, service (the service contact), paid_on, paid_amount. Importing an order number again changes nothing; a row that differs from it is refused.";
        ImportCreated => "新增", "Created";
        ImportUnchanged => "已存在", "Unchanged";
        ImportErrors => "有误", "With errors";
        FreeService => "免费服务", "free service";
        ExpiresOn => "有效期至", "valid until";
    }
}
