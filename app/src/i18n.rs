//! The i18n layer: every user-facing string is a key with a zh-CN and an en text, so a key
//! without both translations does not compile. zh-CN is the default; the choice persists in
//! the `lang` cookie, read on the server for SSR and in the browser for hydration, so both
//! render the same language.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

pub const LANG_COOKIE: &str = "lang";

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "zh-CN" | "zh" | "zh-cn" => Some(Locale::ZhCn),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The locale named by a `Cookie:` header value, zh-CN when absent.
    pub fn from_cookie_header(header: &str) -> Self {
        header
            .split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == LANG_COOKIE)
            .and_then(|(_, v)| Locale::from_code(v))
            .unwrap_or_default()
    }

    pub fn other(self) -> Self {
        match self {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        }
    }
}

macro_rules! messages {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// Translation keys.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum K { $($key),* }

        impl K {
            pub fn text(self, locale: Locale) -> &'static str {
                match locale {
                    Locale::ZhCn => match self { $(K::$key => $zh),* },
                    Locale::En => match self { $(K::$key => $en),* },
                }
            }
        }

        #[cfg(test)]
        pub const ALL_KEYS: &[K] = &[$(K::$key),*];
    };
}

messages! {
    AppName => "全员营销", "Allhands";
    LanguageSwitch => "English", "中文";
    DemoBanner => "演示组织：数据仅供体验，可随时重置", "Demo organization: sample data for trying things out";
    NavHome => "首页", "Home";
    NavMyPromotion => "我的推广", "My promotion";
    NavLeads => "线索", "Leads";
    NavAdmin => "管理", "Admin";
    SignIn => "登录", "Sign in";
    SignOut => "退出登录", "Sign out";
    SignInTitle => "登录全员营销", "Sign in to Allhands";
    LoginLabel => "手机号或邮箱", "Phone or email";
    PasswordLabel => "密码", "Password";
    SigningIn => "正在登录…", "Signing in…";
    SignedInAs => "当前用户", "Signed in as";
    HomeWelcome => "人人都是品牌代言人：分享专属链接与海报，带来线索与成交，奖励按时结算。", "Everyone is a brand ambassador: share your personal link and poster, bring leads and deals, and get rewarded on time.";
    HomeSignInPrompt => "请先登录以查看你的推广与工作台。", "Sign in to see your promotion and workspace.";
    DemoAccounts => "演示账号（密码均为 demo1234）", "Demo accounts (password demo1234 for all)";
    MyPromotionTitle => "我的推广", "My promotion";
    MyPromotionEmpty => "暂无你可参与的推广活动。", "There are no campaigns you can promote right now.";
    MyLink => "我的专属链接", "My personal link";
    CopyLink => "复制链接", "Copy link";
    Copied => "已复制", "Copied";
    Product => "产品", "Product";
    SellingPoints => "卖点", "Selling points";
    SubmitOnBehalf => "代客户填写", "Submit for a customer";
    LandingReferredBy => "推荐人", "Referred by";
    FormTitle => "留下联系方式，专属顾问将尽快联系您", "Leave your details and an adviser will contact you soon";
    NameLabel => "姓名", "Name";
    PhoneLabel => "手机号", "Phone";
    DemandTagsLabel => "需求", "What you need";
    NoteLabel => "备注（选填）", "Note (optional)";
    ConsentLabel => "我同意提供以上信息用于本次活动的联系与服务", "I agree that these details are used to contact me about this campaign";
    Submit => "提交", "Submit";
    FormHasErrors => "请检查标红的项目", "Please check the fields marked in red";
    ThanksTitle => "提交成功，感谢参与！", "Thank you, we received your details!";
    ThanksBody => "我们的顾问会尽快与您联系。", "Our adviser will contact you soon.";
    LeadsTitle => "线索列表", "Leads";
    LeadsEmpty => "暂无线索。", "No leads yet.";
    ColTime => "提交时间", "Submitted";
    ColCampaign => "活动", "Campaign";
    ColName => "姓名", "Name";
    ColPhone => "手机号", "Phone";
    ColPromoter => "推荐人", "Referrer";
    ColStatus => "状态", "Status";
    ColDepartment => "部门", "Department";
    ColRoles => "角色", "Roles";
    ColLogin => "登录名", "Sign-in name";
    NoPromoter => "（自然流量）", "(direct)";
    StatusPending => "待审核", "Pending review";
    StatusHeld => "待人工复核", "Held for review";
    StatusValid => "有效", "Valid";
    StatusInvalid => "无效", "Invalid";
    StatusDuplicate => "重复", "Duplicate";
    StatusRejected => "已拒绝", "Rejected";
    AdminTitle => "用户与部门", "Users and departments";
    Users => "用户", "Users";
    Departments => "部门", "Departments";
    NewUser => "新建用户", "New user";
    NewDepartment => "新建部门", "New department";
    DisplayNameLabel => "显示名", "Display name";
    EmailLabel => "邮箱（选填）", "Email (optional)";
    UserPhoneLabel => "手机号（选填）", "Phone (optional)";
    DepartmentLabel => "部门", "Department";
    NoDepartment => "无", "None";
    RolesLabel => "角色", "Roles";
    DepartmentNameLabel => "部门名称", "Department name";
    Create => "创建", "Create";
    Created => "已创建", "Created";
    RoleAdmin => "管理员", "Admin";
    RoleMarketing => "市场运营", "Marketing";
    RoleSales => "销售", "Sales";
    RoleFinance => "财务", "Finance";
    RoleEmployee => "员工", "Employee";
    RoleCustomer => "老客", "Customer";
    RolePartner => "合作伙伴", "Partner";
    NotFoundTitle => "页面不存在", "Page not found";
    NotFoundBody => "链接可能已失效或输入有误。", "The link may have expired or been mistyped.";
    LinkNotFoundTitle => "推广链接无效", "This promotion link is not valid";
    LinkNotFoundBody => "请向分享给你的人确认链接是否完整。", "Please check with the person who shared it that the link is complete.";
    BackHome => "返回首页", "Back to home";
    Loading => "加载中…", "Loading…";
    StageContacted => "已联系", "Contacted";
    StageVisitBooked => "已预约到访", "Visit booked";
    StageVisited => "已到访", "Visited";
    StageWon => "已成交", "Won";
    StageLost => "未成交", "Lost";
    NavReview => "审核", "Review";
    NavFollowUp => "跟进", "Follow-up";
    ReviewTitle => "线索审核", "Lead review";
    ReviewEmpty => "没有待审核的线索。", "No leads waiting for review.";
    ReviewDue => "审核截止", "Review by";
    Overdue => "已超时", "Overdue";
    MarkValid => "有效", "Valid";
    MarkInvalid => "无效", "Invalid";
    MarkDuplicate => "重复", "Duplicate";
    SelectedLeads => "批量处理选中的线索", "Apply to the selected leads";
    ReasonLabel => "原因 / 备注（选填）", "Reason / note (optional)";
    FlagDeviceCap => "同设备当日提交过多", "Many submissions from one device today";
    FollowUpTitle => "我的跟进", "My follow-up";
    FollowUpEmpty => "暂无分配给你的线索。", "No leads assigned to you.";
    AssignedAt => "分配时间", "Assigned";
    FirstContactLeft => "首次联系剩余", "First contact due in";
    FirstContactOverdue => "首次联系已超时", "First contact overdue by";
    Hours => "小时", "h";
    Minutes => "分", "min";
    MyLeadsTitle => "我推荐的线索", "Leads I referred";
    MyLeadsEmpty => "还没有线索，分享你的链接试试吧。", "No leads yet. Share your link!";
    BlacklistTitle => "线索黑名单", "Lead blacklist";
    BlacklistKindPhone => "手机号", "Phone";
    BlacklistKindDevice => "设备", "Device";
    BlacklistKindIp => "IP 地址", "IP address";
    BlacklistValue => "号码 / 设备编号 / IP", "Number / device id / IP";
    Add => "加入", "Add";
    Remove => "移除", "Remove";
    OutboxTitle => "消息发件箱", "Outbox";
    ColStage => "跟进进度", "Progress";
    ErrUnauthenticated => "请先登录", "Please sign in";
    ErrForbidden => "没有权限执行此操作", "You are not allowed to do this";
    ErrNotFound => "找不到该内容", "Not found";
    ErrBadCredentials => "登录名或密码错误", "Wrong sign-in name or password";
    ErrTooManyAttempts => "尝试次数过多，请稍后再试（秒）：", "Too many attempts, try again in seconds: ";
    ErrTooFast => "提交过于频繁，请稍后再试（秒）：", "Too many submissions, please try again in seconds: ";
    ErrCrossOrigin => "请求来源不被允许", "Requests from another site are not allowed";
    ErrInternal => "服务暂时不可用，请稍后再试", "Something went wrong on our side, please try again";
    ErrTransport => "网络异常，请检查网络后重试", "Network problem, please check your connection and retry";
    ErrConflict => "已被占用", "is already taken";
    ProblemRequired => "不能为空", "is required";
    ProblemTooLong => "过长，最多字符数：", "is too long, maximum characters: ";
    ProblemTooShort => "过短，最少字符数：", "is too short, minimum characters: ";
    ProblemControl => "包含不可见的控制字符", "contains invisible control characters";
    ProblemPhoneInvalidChars => "只能包含数字、空格、+、- 和括号", "may only contain digits, spaces, +, - and brackets";
    ProblemPhoneNotMobile => "不是有效的手机号（11 位，以 13–19 开头）", "is not a valid mobile number (11 digits starting 13–19)";
    ProblemPhoneForeign => "暂不支持境外号码", "foreign numbers are not accepted";
    ProblemEmail => "不是有效的邮箱地址", "is not a valid email address";
    ProblemConsent => "请勾选同意后提交", "must be ticked to submit";
    ProblemUnknownChoice => "包含无效选项", "contains an option that does not exist";
    ProblemLoginMissing => "手机号和邮箱至少填写一项", "needs a phone or an email";
    ProblemOutOfRange => "须为整数，范围：", "must be a whole number from ";
    ProblemDate => "请按 YYYY-MM-DD 填写日期，每行一个", "must be dates written YYYY-MM-DD, one per line";
    ProblemNotValidLead => "只有有效线索可以分配", "only valid leads can be assigned";
    NavLeadSettings => "线索规则", "Lead rules";
    LeadSettingsTitle => "线索规则与分配", "Lead rules and assignment";
    PolicyTitle => "防撞单与审核时限", "Duplicates and review deadline";
    ProtectionDaysLabel => "客户保护期（天）", "Protection window (days)";
    ProtectionDaysHelp => "同一手机号在保护期内只接受第一次推荐（同行常用 7–90 天）。", "Within the window only the first referral of a phone counts (peers use 7–90 days).";
    DailyCapLabel => "每设备 / IP 每日提交上限", "Daily submissions per device / IP";
    DailyCapHelp => "超出上限的提交会保留并标记，转人工审核。", "Submissions above the cap are kept, flagged and reviewed by hand.";
    HolidaysLabel => "法定节假日（不计入审核时限）", "Public holidays (not counted in the review deadline)";
    ExtraWorkdaysLabel => "调休上班日", "Make-up working days";
    DatesHelp => "每行一个日期，格式 2026-10-01。", "One date per line, like 2026-10-01.";
    Save => "保存", "Save";
    Saved => "已保存", "Saved";
    AssignmentTitle => "线索分配", "Lead assignment";
    AssignmentHelp => "有效线索先按需求标签规则分配；未命中规则时，在活动的销售团队内轮流分配（未设团队则为全部销售）。", "Valid leads go by demand-tag rule first; otherwise round-robin within the campaign's sales team (all reps when no team is set).";
    SalesTeam => "销售团队", "Sales team";
    SaveTeam => "保存团队", "Save team";
    TagRules => "需求标签规则", "Demand-tag rules";
    NoTagRules => "暂无规则", "No rules";
    RepLabel => "销售顾问", "Sales rep";
    AddRule => "添加规则", "Add rule";
    ColAssignedTo => "跟进销售", "Sales rep";
    Reassign => "改派", "Reassign";
    Unassigned => "未分配", "Unassigned";
    WordLabel => "词语", "Word";
    StatClicks => "本月点击", "Clicks this month";
    SharesLabel => "分享次数", "Shares";
    PrintQr => "打印二维码", "QR code to print";
    MakePoster => "生成推广海报", "Make my share poster";
    PosterLongPress => "长按图片保存，发朋友圈或微信群", "Long-press the image to save it, then post it to Moments or a group";
    DownloadPoster => "下载海报", "Download poster";
    PosterScanHint => "长按识别二维码，了解详情", "Scan the QR code to find out more";
    PosterReferredBy => "推荐人", "Recommended by";
    StatVisitors => "本月访客", "Visitors this month";
    StatShares => "本月分享", "Shares this month";
    WordKindLabel => "词库", "List";
    WordKindExtreme => "广告法极限词", "Advertising-law extreme words";
    WordKindSensitive => "敏感词", "Sensitive words";
    ComplianceTitle => "合规词库", "Compliance word lists";
    ComplianceHelp => "发布活动、海报和素材前自动检查，命中任何一个词都不能发布。", "Checked before any campaign, poster or content item is published; any hit blocks publishing.";
    ImageLabel => "图片", "Image";
    TitleLabel => "标题", "Title";
    BodyLabel => "分享文案", "Text to share";
    PublishOnLabel => "发布日期", "Publish on";
    ProblemFileTooLarge => "过大，最大：", "is too large, at most ";
    ProblemMoney => "不是有效的金额（元，最多两位小数）", "is not a valid amount (yuan, up to two decimals)";
    ProblemMoneyDecimals => "最多两位小数", "takes at most two decimals";
    ProblemNotPositive => "必须大于 0", "must be more than zero";
    ProblemUnknownCode => "推荐码不存在", "is not a known referral code";
    ProblemRefundTooLarge => "不能超过已回款金额", "cannot exceed what was collected";
    ProblemRule => "规则格式不正确", "is not a valid rule";
    ErrFrozen => "结算批次已审批，不能再修改；更正将在下一期以调整行计入", "This settlement run is approved and frozen; corrections go into the next period as adjustment lines";
    OrderNoLabel => "订单号", "Order number";
    AmountLabel => "成交金额（元）", "Amount (yuan)";
    CostLabel => "成本（元）", "Cost (yuan)";
    GrossProfitLabel => "毛利（元）", "Gross profit (yuan)";
    SignedOnLabel => "签约日期", "Signing date";
    DueOnLabel => "回款截止日", "Payment due date";
    ReferralCodeLabel => "推荐码", "Referral code";
    PaidOnLabel => "回款日期", "Payment date";
    PeriodLabel => "结算期间", "Period";
    ScopeLabel => "结算范围", "Scope";
    ImportFileLabel => "导入文件", "Import file";
    RuleLabel => "激励规则", "Reward rule";
    ProblemFileType => "只支持 PNG、JPEG、WebP 图片", "must be a PNG, JPEG or WebP image";
    ArtworkLabel => "海报主图", "Poster artwork";
    Upload => "上传", "Upload";
    ContentTitle => "素材库", "Content library";
    ContentHelp => "按日历排期发布可直接转发的素材（默认每周 3 条），发布前自动合规检查。", "Schedule share-ready items on the calendar (3 a week by default); each is checked before it is published.";
    NewContent => "新建素材", "New item";
    WeekOf => "周", "Week of";
    PerWeekTarget => "本周 / 目标", "This week / target";
    CopyText => "复制文案", "Copy text";
    SaveImage => "保存图片", "Save image";
    NavContent => "素材", "Content";
    ContentEmpty => "暂无素材。", "No items yet.";
    CampaignNameLabel => "活动名称", "Campaign name";
    SlugLabel => "链接标识（小写字母、数字、-）", "Link name (a–z, 0–9, -)";
    SellingPointsLabel => "卖点（每行一个）", "Selling points (one per line)";
    LandingCopyLabel => "落地页文案", "Landing copy";
    StartsOnLabel => "开始日期", "First day";
    EndsOnLabel => "结束日期", "Last day";
    BoostsLabel => "奖励加倍期（每行：开始 结束 倍数）", "Boost windows (per line: start end multiplier)";
    PromoterKindsLabel => "参与的推广人类型（不选为全部）", "Promoter kinds taking part (none: all)";
    DepartmentsScopeLabel => "试点部门（不选为全部）", "Pilot departments (none: all)";
    DemandTagsLinesLabel => "需求标签（每行一个）", "Demand tags (one per line)";
    AcceptsRepurchaseLabel => "老客户复购推荐也计为有效", "Referrals of existing customers count (repurchase)";
    ProblemEndsBeforeStart => "不能早于开始日期", "cannot be before the first day";
    ProblemSlugFormat => "只能使用小写字母、数字和 -，3–40 个字符", "may only use a–z, 0–9 and -, 3 to 40 characters";
    ProblemBoosts => "格式应为：2026-12-01 2026-12-07 1.5（倍数 1–10）", "should look like: 2026-12-01 2026-12-07 1.5 (multiplier 1–10)";
    ErrNoncompliant => "包含违规词，不能发布：", "Cannot publish, listed words found: ";
    NavCampaigns => "活动", "Campaigns";
    NavDeals => "成交", "Deals";
    NavSettlement => "结算", "Settlement";
    NavMyRewards => "我的奖励", "My rewards";
    NavRules => "激励规则", "Reward rules";
    Adjustment => "调整", "Adjustment";
    Approve => "审批通过", "Approve";
    AuditVerify => "核验通过", "Verified";
    AuditReject => "核验不通过", "Rejected";
    CarriedIn => "上期结转", "Carried in";
    CarryNegative => "本期净额为负，结转下期抵扣：", "Negative this period, carried forward:";
    CarryBelowMinimum => "未达最低发放金额，结转下期：", "Below the minimum payout, carried forward:";
    Collected => "已回款", "Collected";
    Coupon => "优惠券", "coupon";
    CouponIssued => "可使用", "available";
    CouponRedeemed => "已使用", "used";
    CouponExpired => "已过期", "expired";
    CouponWallet => "我的优惠券", "My coupons";
    DealsTitle => "成交与回款", "Deals and payments";
    DealsListTitle => "成交订单", "Deals";
    WonLeadsTitle => "已成交线索（待录入订单）", "Won leads without a deal";
    RecordDeal => "录入成交", "Record the deal";
    FromLead => "来自线索", "From lead";
    FromLeadHint => "客户手机号与姓名可留空，自动取自线索", "leave the customer's phone and name empty to take the lead's";
    Notices => "奖励通知", "Reward notices";
    RecordPayment => "登记回款", "Record payment";
    RecordRefund => "登记退款", "Record refund";
    ImportDealsTitle => "批量导入订单（CSV）", "Import deals (CSV)";
    ImportDealsHint => "首行为表头：order_no, customer_phone, amount, signed_on，可选 customer_name, cost, gross_profit, due_on, referral_code, paid_on, paid_amount。同一订单号重复导入不会产生变化。", "First line is the header: order_no, customer_phone, amount, signed_on; optional customer_name, cost, gross_profit, due_on, referral_code, paid_on, paid_amount. Importing an order number again changes nothing.";
    Import => "导入", "Import";
    ImportCreated => "新增", "Created";
    ImportUnchanged => "已存在", "Unchanged";
    ImportErrors => "有误", "With errors";
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
    RewardPending => "待确认", "Pending";
    RewardVested => "已确认待结算", "Vested";
    RewardApproved => "已审批待发放", "Approved";
    RewardPaid => "已发放", "Paid";
    Redeem => "领取优惠", "Redeem";
    RedeemTitle => "使用推荐码", "Redeem a referral code";
    RedeemHint => "输入朋友给你的推荐码和手机号，领取新客首单优惠券。", "Enter the code a friend gave you and your phone number to get your first-order coupon.";
    RedeemDone => "领取成功！下单时出示手机号即可使用。", "Done! Give your phone number at checkout to use it.";
    FreeService => "免费服务", "free service";
    ExpiresOn => "有效期至", "valid until";
    RulesTitle => "激励规则", "Reward rules";
    RulesHint => "规则以数据保存并带版本：修改会从新的生效日期起生成新版本，已计算的奖励不受影响。", "Rules are versioned data: a change becomes a new version from its effective date; rewards already computed never change.";
    SaveNewVersion => "保存为新版本", "Save as a new version";
    CampaignsTitle => "推广活动", "Campaigns";
    NewCampaign => "新建活动", "New campaign";
    EditCampaign => "编辑", "Edit";
    Publish => "发布", "Publish";
    PhaseDraft => "草稿", "Draft";
    PhaseUpcoming => "未开始", "Upcoming";
    PhaseRunning => "进行中", "Running";
    PhaseEnded => "已结束", "Ended";
    CampaignEndedTitle => "活动已结束", "This campaign has ended";
    CampaignEndedBody => "感谢关注！该活动已结束，敬请期待下一期活动。", "Thank you for your interest! This campaign has ended; look out for the next one.";
    CampaignUpcomingTitle => "活动尚未开始", "This campaign has not started yet";
    CampaignUpcomingBody => "活动即将开始，敬请期待。", "It starts soon, please come back then.";
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
    ChannelMoments => "朋友圈", "WeChat Moments";
    ChannelGroup => "微信群", "Group chat";
    ChannelQr => "二维码", "QR code";
    ChannelSms => "短信", "SMS";
    ChannelDirect => "直接访问", "Direct";
    ChannelPoster => "海报", "Poster";
    ChannelOther => "其他", "Other";
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
    All => "全部", "All";
    Apply => "查询", "Apply";
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
    HeroMonthly => "月度 Top 10", "Monthly Top 10";
    HeroQuarterly => "季度 Top 10", "Quarterly Top 10";
    HeroEmpty => "本期还没有成交，快去分享吧！", "No deals yet this period. Go share!";
    NavDashboard => "数据看板", "Dashboard";
    NavHeroes => "英雄榜", "Heroes";
    MyNumbersTitle => "我的本月数据", "My numbers this month";
    MyRank => "本月排名", "Rank this month";
    NoRankYet => "暂无排名", "Not ranked yet";
    SharesBroughtPrefix => "你本月的分享带来了", "Your shares this month brought";
    SharesBroughtSuffix => "条线索", "leads";
    MyTeamTargets => "我所在部门的目标", "My department's targets";
}

/// The current locale, provided by `App`.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Locale>);

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n(RwSignal::new(Locale::default())))
}

impl I18n {
    pub fn locale(&self) -> Locale {
        self.0.get()
    }

    /// A reactive text for views: `{i18n.t(K::SignIn)}`.
    pub fn t(self, key: K) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || key.text(self.0.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_text_in_both_languages() {
        for k in ALL_KEYS {
            assert!(!k.text(Locale::ZhCn).is_empty(), "{k:?} zh");
            assert!(!k.text(Locale::En).is_empty(), "{k:?} en");
        }
    }

    #[test]
    fn cookie_selects_the_locale() {
        assert_eq!(Locale::from_cookie_header(""), Locale::ZhCn);
        assert_eq!(Locale::from_cookie_header("a=b; lang=en"), Locale::En);
        assert_eq!(Locale::from_cookie_header("lang=zh-CN"), Locale::ZhCn);
        assert_eq!(Locale::from_cookie_header("lang=xx"), Locale::ZhCn);
    }
}
