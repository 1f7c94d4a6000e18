# Placeholder reserved for a change in progress; filled in with its operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_delivery")]
    operations = []
