"""签收: who signed for an order and when.

Orders contacted before signing existed were signed, implicitly, by their contact: each gets the
contact time of its current round as `signed_at` and the officer of that contact as `signed_by`
(the order's officer when no contact record names one). Orders not yet contacted stay unsigned.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def sign_contacted_orders(apps, schema_editor):
    WorkOrder = apps.get_model("tickets", "WorkOrder")
    ContactRecord = apps.get_model("tickets", "ContactRecord")
    first_contact = ContactRecord.objects.filter(order=OuterRef("pk"), cycle=OuterRef("cycle")).order_by(
        "contacted_at", "pk"
    )
    contacted = WorkOrder.objects.filter(contacted_at__isnull=False, signed_at__isnull=True)
    contacted.update(signed_at=models.F("contacted_at"), signed_by=Subquery(first_contact.values("officer")[:1]))
    WorkOrder.objects.filter(signed_at__isnull=False, signed_by__isnull=True).update(signed_by=models.F("officer"))


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0006_merge_0005_order_indexes_0005_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='workorder',
            name='signed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='签收时间'),
        ),
        migrations.AddField(
            model_name='workorder',
            name='signed_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='signed_orders', to=settings.AUTH_USER_MODEL, verbose_name='签收人'),
        ),
        migrations.RunPython(sign_contacted_orders, migrations.RunPython.noop, elidable=True),
    ]
