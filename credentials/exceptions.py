from iam_project.errors import ConflictError


class AccessKeyLimitError(ConflictError):
    code = "access_key_limit"
    message = "This user already holds the maximum number of access keys."
