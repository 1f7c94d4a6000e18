"""The deadline rules of DOMAIN.md (seed 003 unless the basis says convention)."""

from django.db import migrations

# source, issue within (amount, unit), feedback within (amount, unit), feedback to,
# extensions decided by the portfolio leader, basis
RULES = [
    (
        "work_report",
        1,
        "week",
        1,
        "month",
        "",
        False,
        "seed 003: decomposition within 1 week after the session; monthly dispatch (seed 000)",
    ),
    ("plenary_meeting", 3, "workday", 1, "month", "", False, "seed 003"),
    (
        "executive_meeting",
        3,
        "workday",
        15,
        "day",
        "",
        False,
        "seed 003: feedback within half a month",
    ),
    ("office_meeting", 2, "workday", 1, "week", "", False, "seed 003"),
    ("topic_meeting", 2, "workday", 1, "week", "督查室", True, "seed 003"),
    (
        "weekly_meeting",
        2,
        "workday",
        1,
        "week",
        "",
        False,
        "seed 003 for feedback; issuance by convention",
    ),
    (
        "party_meeting",
        3,
        "workday",
        1,
        "month",
        "",
        False,
        "convention: as major comprehensive meetings",
    ),
    ("special_body", 3, "workday", 1, "week", "专项机构办公室", False, "seed 003"),
    ("principal_instruction", 1, "workday", 1, "week", "", False, "seed 003"),
    (
        "portfolio_instruction",
        1,
        "workday",
        1,
        "week",
        "督查室",
        True,
        "seed 003 for feedback; issuance by convention",
    ),
    ("superior", 1, "workday", 1, "week", "", False, "seed 003: assignments, feedback 1 week"),
    (
        "proposal",
        3,
        "workday",
        3,
        "month",
        "",
        False,
        "convention: replies to suggestions and proposals within three months",
    ),
    (
        "key_project",
        2,
        "workday",
        1,
        "week",
        "",
        False,
        "seed 002: weekly dispatch of publicly listed items",
    ),
]


def add_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("taskboard", "DeadlineRule")
    for source, i_amount, i_unit, f_amount, f_unit, to, portfolio, basis in RULES:
        DeadlineRule.objects.update_or_create(
            source=source,
            defaults={
                "issuance_amount": i_amount,
                "issuance_unit": i_unit,
                "feedback_amount": f_amount,
                "feedback_unit": f_unit,
                "feedback_to": to,
                "extension_decided_by_portfolio_leader": portfolio,
                "basis": basis,
            },
        )


def remove_rules(apps, schema_editor):
    apps.get_model("taskboard", "DeadlineRule").objects.filter(
        source__in=[rule[0] for rule in RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("taskboard", "0001_initial")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
