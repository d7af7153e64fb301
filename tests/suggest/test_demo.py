from io import StringIO

import pytest
from django.core.management import call_command

from suggest import services
from suggest.models import SuggestionModel

pytestmark = pytest.mark.django_db


def test_the_demo_trains_a_suggestion_model_on_its_varied_wording(settings):
    settings.DEBUG = True  # the demo loads only with DEBUG on
    out = StringIO()
    call_command("loaddemo", "--orders", "200", stdout=out)
    model = SuggestionModel.objects.get()
    assert "Suggestion model v1" in out.getvalue()
    assert model.training_size >= 50
    suggestions = services.suggest_for("接到冒充客服的电话，被骗转账五千元")
    assert suggestions["topic"]
