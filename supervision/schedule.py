"""The beat schedule, in one place. `manage.py install_beat_schedule` writes it into
django-celery-beat, where the admin can read and change it. Times are Asia/Shanghai."""

BEAT_SCHEDULE = {
    "refresh-due-states": {
        "task": "taskboard.refresh_due_states",
        "crontab": {"minute": "30", "hour": "6"},
        "description": "每天 06:30 按当日重新计算所有督办事项的红黄绿灯（逾期为红，"
        "临近截止或落后于时序进度为黄）。",
    },
    "check-calendar-coverage": {
        "task": "taskboard.check_calendar_coverage",
        "crontab": {"minute": "0", "hour": "8", "day_of_month": "1"},
        "description": "每月 1 日 08:00 检查今年和明年的法定节假日是否已知；"
        "未知年份按周一至周五临时计算工作日，并在日志和管理后台提示录入。",
    },
}
