from django.db import migrations


class Migration(migrations.Migration):
    """The supervision app's starting point; its models arrive in later migrations."""

    initial = True
    dependencies = [("tickets", "0002_seed_policies_and_topics"), ("stations", "0002_initial")]
    operations = []
