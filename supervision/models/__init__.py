"""Supervision models: notices (督办单, 提醒函), rule firings and notifications live in
`notices.py`; bulletins, rectification campaigns and typical cases in `bulletins.py`."""

from .bulletins import *  # noqa: F403
from .notices import *  # noqa: F403
