"""Case-insensitive uniqueness: a friendly check first, the index decides."""

from django.db import IntegrityError, models, transaction


def is_taken(
    model: type[models.Model], field: str, value: str, *, exclude_id=None
) -> bool:
    """Whether another row already holds this value, ignoring case."""
    query = model.objects.filter(**{f"{field}__iexact": value})
    if exclude_id:
        query = query.exclude(id=exclude_id)
    return query.exists()


def save_unique(
    instance: models.Model, *, error: type[Exception], **save_kwargs
) -> None:
    """Save, turning a unique-index violation into the caller's error.

    The check above races with a concurrent write of the same value; the
    case-insensitive unique index settles it, and this says so politely.
    """
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError as exc:
        raise error() from exc
