"""Bulletins, campaigns and typical cases now belong to the analysis app (analysis 0001): state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0001_initial'),
        ('supervision', '0003_merge_0002_bulletins_0002_notices'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are; only Django's idea of which app owns them changes.
            state_operations=[
                migrations.RemoveField(
                    model_name='bulletincommitment',
                    name='bulletin',
                ),
                migrations.RemoveField(
                    model_name='bulletincommitment',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='bulletincommitment',
                    name='unit',
                ),
                migrations.RemoveField(
                    model_name='campaign',
                    name='area_unit',
                ),
                migrations.RemoveField(
                    model_name='campaign',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='campaign',
                    name='lead_unit',
                ),
                migrations.RemoveField(
                    model_name='campaign',
                    name='orders',
                ),
                migrations.RemoveField(
                    model_name='campaign',
                    name='topic',
                ),
                migrations.RemoveField(
                    model_name='campaign',
                    name='units',
                ),
                migrations.RemoveField(
                    model_name='typicalcase',
                    name='marked_by',
                ),
                migrations.RemoveField(
                    model_name='typicalcase',
                    name='order',
                ),
                migrations.DeleteModel(
                    name='Bulletin',
                ),
                migrations.DeleteModel(
                    name='BulletinCommitment',
                ),
                migrations.DeleteModel(
                    name='Campaign',
                ),
                migrations.DeleteModel(
                    name='TypicalCase',
                ),
            ],
            database_operations=[],
        ),
    ]
