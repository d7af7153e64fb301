"""Carry DRF's clear-text tokens (rest_framework.authtoken) over to hashed ApiTokens.

Each old key becomes an ApiToken with the key's SHA-256 digest and first eight characters, so
clients keep sending the key they have. The old table, which held the keys in clear, is dropped
and the app's migration records removed, as if it had never been installed. The old app is no
longer in INSTALLED_APPS, so its table is read with SQL; a database that never had it is left
alone. There is no way back: the keys are gone once hashed.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

OLD_TABLE = "authtoken_token"


def carry_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if OLD_TABLE not in connection.introspection.table_names(cursor):
            return
        cursor.execute('SELECT "key", "user_id", "created" FROM "authtoken_token"')
        rows = cursor.fetchall()
    ApiToken = apps.get_model("stations", "ApiToken")
    days = getattr(settings, "HOTLINE_API_TOKEN_DAYS", 365)
    # Existing clients get the same term from today as a new token would.
    expires_at = timezone.now() + dt.timedelta(days=days) if days else None
    for key, user_id, created in rows:
        token = ApiToken.objects.create(
            user_id=user_id,
            name="迁移自旧令牌",
            prefix=key[:8],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            expires_at=expires_at,
        )
        # created_at is auto_now_add: keep the old token's date with an update. SQLite's raw
        # cursor gives the stored UTC text.
        if isinstance(created, str):
            created = parse_datetime(created)
        if created is not None:
            if timezone.is_naive(created):
                created = created.replace(tzinfo=dt.UTC)
            ApiToken.objects.filter(pk=token.pk).update(created_at=created)
    schema_editor.execute(schema_editor.sql_delete_table % {"table": schema_editor.quote_name(OLD_TABLE)})
    with connection.cursor() as cursor:
        cursor.execute('DELETE FROM "django_migrations" WHERE "app" = %s', ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("stations", "0003_apitoken")]

    operations = [migrations.RunPython(carry_tokens, migrations.RunPython.noop, elidable=True)]
