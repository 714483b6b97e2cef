from audit.models import AuditEvent


def list_audit_events(
    *, actor=None, action=None, target=None, outcome=None, since=None, until=None
):
    """Events of the current tenant, newest first, narrowed by the given filters."""
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(actor=actor)
    if action:
        events = events.filter(action=action)
    if target:
        events = events.filter(target=target)
    if outcome:
        events = events.filter(outcome=outcome)
    if since:
        events = events.filter(occurred_at__gte=since)
    if until:
        events = events.filter(occurred_at__lt=until)
    return events.order_by("-occurred_at", "-id")
