"""The one request-body parser: JSON, strictly."""

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class _DuplicateKey(ValueError):
    pass


def _object_without_duplicates(pairs: list) -> dict:
    # {"Effect": "Deny", "Effect": "Allow"} must not quietly mean Allow.
    result = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class StrictJSONParser(JSONParser):
    """JSON without duplicate keys, NaN or Infinity, and not nested without end."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
            return json.loads(
                text,
                object_pairs_hook=_object_without_duplicates,
                parse_constant=_refuse_constant,
            )
        except _DuplicateKey as exc:
            raise ParseError(f"The key {str(exc)[:64]!r} appears twice.") from exc
        except RecursionError as exc:
            raise ParseError("The JSON is nested too deeply.") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError("The request body is not valid JSON.") from exc
