"""Who may read and do what in bulletins, dashboards, hotspots, campaigns and typical cases.

The browser views and the API ask these same functions.
"""

from __future__ import annotations

from stations.models import Role

BUREAU_ROLES = (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR)
MANAGER_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def sees_bureau(user) -> bool:
    """Supervisors, dispatchers and administrators see every unit's figures."""
    return _active(user) and (user.is_superuser or user.role in BUREAU_ROLES)


def manages_analysis(user) -> bool:
    """Supervisors (and administrators) generate bulletins, start campaigns and mark typical cases."""
    return _active(user) and (user.is_superuser or user.role in MANAGER_ROLES)


def reads_bulletins(user) -> bool:
    """The bulletin is circulated to the bureau's leaders, the command center and unit heads."""
    return sees_bureau(user) or (_active(user) and user.role == Role.UNIT_HEAD and user.unit_id is not None)


def may_see_unit(user, unit_id: int) -> bool:
    """A unit's dashboard: the bureau, or the unit's own officers and head."""
    if sees_bureau(user):
        return True
    return _active(user) and user.works_in_unit and user.unit_id is not None and user.unit_id == unit_id


def home_unit_id(user) -> int | None:
    """The unit whose dashboard an officer or unit head lands on."""
    if _active(user) and user.works_in_unit:
        return user.unit_id
    return None


def reads_cases(user) -> bool:
    """Typical cases are for training: every member of staff may read them."""
    return _active(user)


def may_commit(user, unit_id: int) -> bool:
    """Record a unit's remedy: the unit's head, or a supervisor at the meeting."""
    if manages_analysis(user):
        return True
    return _active(user) and user.role == Role.UNIT_HEAD and user.unit_id == unit_id


def may_see_campaign(user, campaign) -> bool:
    if sees_bureau(user):
        return True
    if not _active(user) or user.unit_id is None:
        return False
    if campaign.lead_unit_id == user.unit_id:
        return True
    return campaign.units.filter(pk=user.unit_id).exists()
