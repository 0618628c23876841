//! The admin keys: every user-facing string of this feature in zh-CN and en.
crate::messages! {
    pub enum K {
        ColDepartment => "部门", "Department";
        ColRoles => "角色", "Roles";
        ColLogin => "登录名", "Sign-in name";
        AdminTitle => "用户与部门", "Users and departments";
        Users => "用户", "Users";
        Departments => "部门", "Departments";
        NewUser => "新建用户", "New user";
        DisplayNameLabel => "显示名", "Display name";
        EmailLabel => "邮箱（选填）", "Email (optional)";
        UserPhoneLabel => "手机号（选填）", "Phone (optional)";
        NoDepartment => "无", "None";
        RolesLabel => "角色", "Roles";
        DepartmentNameLabel => "部门名称", "Department name";
        OutboxTitle => "消息发件箱", "Outbox";
        ProblemLoginMissing => "手机号和邮箱至少填写一项", "needs a phone or an email";
    }
}
