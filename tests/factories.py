import datetime as dt

import factory
from django.utils import timezone

from stations.models import Role, Unit, UnitKind, User
from tickets import textindex
from tickets.models import Channel, HandlingType, Nature, Topic, WorkOrder


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"第{n}派出所")
    code = factory.Sequence(lambda n: f"unit-{n}")
    kind = UnitKind.STATION


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"民警{n}")
    unit = factory.SubFactory(UnitFactory)
    role = Role.OFFICER
    password = factory.PostGenerationMethodCall("set_password", "pass12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("code",)

    code = "noise"
    name = "噪音扰民"


class WorkOrderFactory(factory.django.DjangoModelFactory):
    """A received order, as intake creates it. Use the services to move it along."""

    class Meta:
        model = WorkOrder

    number = factory.Sequence(lambda n: f"GD20261101{n:04d}")
    channel = Channel.HOTLINE_12345
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=5))
    caller_name = "王女士"
    caller_phone = "13812345678"
    address = "城关街道幸福小区3号楼"
    content = "楼上深夜装修噪音扰民，影响孩子上网课。"
    nature = Nature.COMPLAINT
    handling_type = HandlingType.SERVICE
    topic = factory.SubFactory(TopicFactory)
    # As intake computes it (tickets.textindex); pass search_vector=None for a row not indexed yet.
    search_vector = factory.LazyAttribute(
        lambda o: textindex.document_vector(content=o.content, address=o.address)
    )
