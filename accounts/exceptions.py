from iam_project.errors import (
    ConflictError,
    PermissionDeniedError,
    ValidationFailedError,
)


class UserEmailTakenError(ValidationFailedError):
    def __init__(self, field: str = "email"):
        super().__init__(details={field: ["A user with this email already exists."]})


class RootUserProtectedError(ConflictError):
    message = "The root user cannot be deleted or deactivated."


class PasswordInvalidError(ValidationFailedError):
    def __init__(self, messages: list[str], field: str = "password"):
        super().__init__(details={field: messages})


class RootUserChangeDeniedError(PermissionDeniedError):
    message = "Only the root user may change the root user."


class PolicyDocumentInvalidError(ValidationFailedError):
    """Each detail key is the path of the bad part, e.g. `document.Statement[0]`."""

    def __init__(self, errors: dict[str, list[str]]):
        details = {
            path if path == "document" else f"document.{path}": messages
            for path, messages in errors.items()
        }
        super().__init__(details=details)


class PolicyNameTakenError(ValidationFailedError):
    def __init__(self):
        super().__init__(details={"name": ["A policy with this name already exists."]})


class GroupNameTakenError(ValidationFailedError):
    def __init__(self):
        super().__init__(details={"name": ["A group with this name already exists."]})


class ManagedPolicyProtectedError(ConflictError):
    message = "Managed policies cannot be changed or deleted."


class PolicyInUseError(ConflictError):
    message = "Detach this policy from every user and group before deleting it."
