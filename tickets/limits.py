"""How long a free text may be: one table for the browser forms, the API and the services.

The browser puts the limit on the field (`maxlength`) and the server checks it again with the same
number and the same plain message, so a person pasting a long text learns the limit before the
API would refuse it.
"""

from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

# The citizen's words, a leader's instruction, a report of what was done.
LONG_TEXT = 5000
# Notes, reasons, remarks that go with an action.
NOTE = 2000
CALLER_NAME = 50
CALLER_PHONE = 30
ADDRESS = 200
PLATFORM_NUMBER = 50

MSG_TOO_LONG = _("最多 %(limit_value)d 个字，现有 %(show_value)d 个字，请删减。")


def max_length_validator(limit: int) -> MaxLengthValidator:
    return MaxLengthValidator(limit, message=MSG_TOO_LONG)
