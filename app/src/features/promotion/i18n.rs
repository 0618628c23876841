//! The promotion keys: every user-facing string of this feature in zh-CN and en.
crate::messages! {
    pub enum K {
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
