from iam_project.errors import ConflictError, ValidationFailedError


class AccessKeyLimitError(ConflictError):
    code = "access_key_limit"
    message = "This user already holds the maximum number of access keys."


class SSHPublicKeyInvalidError(ValidationFailedError):
    def __init__(self, message: str):
        super().__init__(details={"public_key": [message]})


class SSHPublicKeyDuplicateError(ConflictError):
    message = "This SSH public key is already registered in this account."


class SSHPublicKeyLimitError(ConflictError):
    message = "This user already holds the maximum number of SSH public keys."
