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
}
