import uuid

from accounts.models import User
from iam_project.errors import NotFoundError


def get_user(user_id: object) -> User:
    """Return the user with this id in the current tenant, or raise NotFoundError."""
    try:
        parsed = uuid.UUID(str(user_id))
    except ValueError as exc:
        raise NotFoundError() from exc
    user = User.objects.filter(id=parsed).first()
    if user is None:
        raise NotFoundError()
    return user


def list_users(*, email: str | None = None):
    users = User.objects.order_by("created_at", "id")
    if email:
        users = users.filter(email__iexact=email)
    return users
