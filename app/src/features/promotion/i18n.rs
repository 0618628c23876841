//! The promotion keys: every user-facing string of this feature in zh-CN and en.
crate::messages! {
    pub enum K {
        StoriesTitle => "客户故事", "Customer stories";
        StoriesHint => "写下客户的真实体验（须经客户同意），市场部审核通过后计入活动目标，并可发布到素材库。", "Write a customer's real experience (with their consent); once marketing approves it, it counts toward activity targets and may be published to the content library.";
        StoryCustomer => "客户称呼", "Customer's name";
        StoryText => "故事内容（10–500 字）", "The story (10–500 characters)";
        StoryConsent => "客户已同意公开此故事", "The customer agreed to have this story published";
        StoryCampaign => "相关活动", "Campaign";
        StoryNoCampaign => "不限活动", "No campaign";
        StoryPhoto => "照片", "Photo";
        StoryNote => "审核意见", "Review note";
        StorySubmit => "提交故事", "Submit the story";
        StorySubmitted => "已提交，等待市场部审核", "Submitted: marketing will review it";
        StoryUpload => "上传照片", "Upload a photo";
        StoryMine => "我提交的故事", "My stories";
        StoryQueue => "待审核的故事", "Stories to review";
        StoryApprove => "通过", "Approve";
        StoryReject => "退回", "Return";
        StoryPublish => "发布到素材库", "Publish to the content library";
        StoryPublished => "已发布到素材库", "Published to the content library";
        StoryPending => "待审核", "Waiting for review";
        StoryApproved => "已通过", "Approved";
        StoryRejected => "已退回", "Returned";
        StoryNone => "还没有故事。", "No stories yet.";
        ProblemConsent => "须经客户同意才能提交", "needs the customer's consent";
        ProblemStoryDecided => "这个故事已审核过", "this story was already reviewed";
        ProblemTooManyPhotos => "最多 3 张照片", "three photos at most";
        ProblemStoryCampaign => "发布前须选择相关活动", "choose its campaign before publishing";
        MyPromotionEmpty => "暂无你可参与的推广活动。", "There are no campaigns you can promote right now.";
        MyLink => "我的专属链接", "My personal link";
        CopyLink => "复制链接", "Copy link";
        Copied => "已复制", "Copied";
        SubmitOnBehalf => "代客户填写", "Submit for a customer";
        PrintQr => "打印二维码", "QR code to print";
        MakePoster => "生成推广海报", "Make my share poster";
        PosterLongPress => "长按图片保存，发朋友圈或微信群", "Long-press the image to save it, then post it to Moments or a group";
        DownloadPoster => "下载海报", "Download poster";
        PosterScanHint => "长按识别二维码，了解详情", "Scan the QR code to find out more";
        PosterReferredBy => "推荐人", "Recommended by";
        StatVisitors => "本月访客", "Visitors this month";
        CopyText => "复制文案", "Copy text";
        SaveImage => "保存图片", "Save image";
        ShareKindLabel => "分享方式", "How it was shared";
        ChannelMoments => "朋友圈", "WeChat Moments";
        ChannelGroup => "微信群", "Group chat";
        ChannelQr => "二维码", "QR code";
        ChannelSms => "短信", "SMS";
        ChannelDirect => "直接访问", "Direct";
        ChannelPoster => "海报", "Poster";
        ChannelOther => "其他", "Other";
    }
}
