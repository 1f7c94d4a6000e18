# Placeholder reserved for a change in progress; filled in with its operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("taskboard", "0004_edit_and_reopen_events")]
    operations = []
