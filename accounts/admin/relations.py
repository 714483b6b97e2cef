"""Writing a many-to-many relation one service call per added or dropped item."""


def sync_related(*, current, wanted, add, remove) -> None:
    """Call add() for each new item and remove() for each dropped one."""
    current_ids = {item.pk for item in current}
    wanted_ids = {item.pk for item in wanted}
    for item in wanted:
        if item.pk not in current_ids:
            add(item)
    for item in current:
        if item.pk not in wanted_ids:
            remove(item)
