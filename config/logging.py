import logging
import re

_TOKEN_PATTERN = re.compile(r"(token=)[^&\s\"']+", re.IGNORECASE)
_BEARER_PATTERN = re.compile(r"(Bearer\s+)[A-Za-z0-9._-]+")


class RedactTokensFilter(logging.Filter):
    """Keeps access tokens out of every log line, whatever logged them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _BEARER_PATTERN.sub(r"\1[redacted]", _TOKEN_PATTERN.sub(r"\1[redacted]", message))
        if redacted != message:
            record.msg = redacted
            record.args = ()
        return True
