"""RQ worker processes of the scale-out tier: ``python -m workers`` or ``docservice worker``."""
