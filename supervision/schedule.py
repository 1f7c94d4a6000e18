"""The beat schedule, in one place. `manage.py install_beat_schedule` writes it into
django-celery-beat, where the admin can read and change it. Times are Asia/Shanghai."""

BEAT_SCHEDULE = {
    # The sweep refreshes the lights first, so it replaces the former "refresh-due-states"
    # entry (the taskboard task stays, for one-off use).
    "sweep": {
        "task": "supervision.sweep",
        "crontab": {"minute": "0", "hour": "7"},
        "description": "每天 07:00 督查扫描：重新计算红黄绿灯，按当日生成临期提醒（截止前 3 个、"
        "1 个工作日及当日）、逾期预警、进展反馈缺报提醒和未签收提醒，并通知牵头单位；"
        "停机后自动补扫漏掉的日期，每个事项每类预警每天至多一条。",
    },
    "check-calendar-coverage": {
        "task": "taskboard.check_calendar_coverage",
        "crontab": {"minute": "0", "hour": "8", "day_of_month": "1"},
        "description": "每月 1 日 08:00 检查今年和明年的法定节假日是否已知；"
        "未知年份按周一至周五临时计算工作日，并在日志和管理后台提示录入。",
    },
    "heartbeat": {
        "task": "supervision.heartbeat",
        "crontab": {"minute": "*"},
        "description": "每分钟一次心跳：工作进程在日志中写一行“beat alive”，不写数据库；"
        "日志里看不到它，说明 beat 或 worker 没有在运行。",
    },
    "send-digests": {
        "task": "supervision.send_digests",
        "crontab": {"minute": "30", "hour": "7"},
        "description": "每天 07:30（在 07:00 督查扫描之后）给每人发送每日汇总："
        "前一天的未读通知和当天的预警，邮件、短信各至多一条；没有内容不发；重复运行不重发。"
        "扫描未完成时每 10 分钟等待一次，至多 2 小时。",
    },
    "send-due-deliveries": {
        "task": "supervision.send_due_deliveries",
        "crontab": {"minute": "*/5"},
        "description": "每 5 分钟重发到期的失败邮件和短信（指数退避，超过最大次数标记为失败，"
        "可在管理后台“发送记录”中立即重试），并发送免打扰时段（默认 22:00–07:00）"
        "结束后延后的短信。",
    },
    "prune-audit": {
        "task": "audit.prune",
        "crontab": {"minute": "30", "hour": "3"},
        "description": "每天 03:30 删除早于保留期（AUDIT_RETENTION_DAYS，默认且至少 180 天）"
        "的审计记录；重复运行不会多删。",
    },
    # Periodic reports: each job runs every morning after the sweep and acts only on the day
    # its report falls due (or later that month while it is still missing).
    "monthly-bulletin": {
        "task": "supervision.monthly_bulletin",
        "crontab": {"minute": "0", "hour": "8"},
        "description": "每天 08:00 检查：每月第一个工作日生成上月督查通报（按单位、按来源的办结率、"
        "落实率、逾期率，本月新增逾期和办结事项，点名逾期单位）；当月若因停机漏生成，之后补生成。"
        "同一月份只保留一份，重复运行覆盖为相同数字。",
    },
    "quarterly-review": {
        "task": "supervision.quarterly_review",
        "crontab": {"minute": "10", "hour": "8"},
        "description": "每天 08:10 检查：每季度结束后的第一个工作日（1、4、7、10 月）生成上季度"
        "督查点评，按管理后台“评分办法”给各单位打分并评定优秀、良好、合格、不合格等次，"
        "列出扣分明细。同一季度只保留一份。",
    },
    "half-year-summary": {
        "task": "supervision.half_year_summary",
        "crontab": {"minute": "20", "hour": "8"},
        "description": "每天 08:20 检查：7 月第一个工作日生成当年政府工作报告目标任务半年小结"
        "（全面完成或达到时序进度的比例，未达进度的目标）。同一年只保留一份。",
    },
    "year-end-account": {
        "task": "supervision.year_end_account",
        "crontab": {"minute": "30", "hour": "8"},
        "description": "每天 08:30 检查：1 月第一个工作日生成上一年政府工作报告目标任务年终总账。"
        "同一年只保留一份。",
    },
    "executive-meeting-report": {
        "task": "supervision.executive_meeting_report",
        "crontab": {"minute": "0", "hour": "16"},
        "description": "每个工作日 16:00 检查：下一个工作日（含其间的休息日）有常务会议的，"
        "生成上一次常务会议议定事项落实情况的报告（会议第一项议程）。同一次会议只保留一份，"
        "重复运行以最新数字覆盖。",
    },
}

# Entries an earlier version installed and this one no longer does: `install_beat_schedule`
# deletes them, so a retired job stops firing. Entries added by hand in the admin, under
# other names, are never touched.
RETIRED_ENTRIES = [
    # Replaced by "sweep", which refreshes the lights first.
    "refresh-due-states",
]
