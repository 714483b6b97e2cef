from iam_project.errors import ConflictError, ValidationFailedError


class UserEmailTakenError(ValidationFailedError):
    def __init__(self, field: str = "email"):
        super().__init__(details={field: ["A user with this email already exists."]})


class RootUserProtectedError(ConflictError):
    message = "The root user cannot be deleted or deactivated."


class PasswordInvalidError(ValidationFailedError):
    def __init__(self, messages: list[str], field: str = "password"):
        super().__init__(details={field: messages})
