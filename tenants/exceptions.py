from iam_project.errors import ConflictError, ValidationFailedError


class TenantInvalidError(ValidationFailedError):
    pass


class TenantExistsError(ConflictError):
    message = "A tenant with this slug or domain already exists."


class PlatformOwnerExistsError(ConflictError):
    message = "A platform owner already exists."


class TemplateSchemaUnsupportedError(RuntimeError):
    """The template schema holds objects that tenant creation cannot copy.

    A deployment fault, not a client error: the API answers server_error.
    """
