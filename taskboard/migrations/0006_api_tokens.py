# Placeholder reserved for a change in progress; filled in with its operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("taskboard", "0005_tallies")]
    operations = []
