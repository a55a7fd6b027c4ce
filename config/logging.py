"""Log records without resident ID or mobile numbers.

A URL (runserver's django.server log prints each request's full path and query), an
error's message or a traceback could carry one; every handler of ours passes its records
through ``MaskPersonalNumbers`` first, which replaces them with ``***``.
"""

import datetime
import json
import logging

from common.personal import mask_personal_numbers


class MaskPersonalNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_numbers(message)
        if masked != message:
            # The message as it will be printed, its arguments spent: a formatter that
            # looks at them (Django's ServerFormatter reads status_code, not args) still works.
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_numbers(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line (LOG_FORMAT=json): level, logger, time, message, and the
    traceback when there is one.

    Only these fields: a record's extras are left out, since they are objects we do not
    mask (django.request's ``request`` prints its full path and query). The message and
    traceback are the ones MaskPersonalNumbers already masked, and each field is masked
    again here, before it is encoded: a handler given this formatter without the filter
    must not leak, and in the encoded line a number after a line break follows "\\n",
    a letter, which the mask takes for part of a code. Our own rather than
    python-json-logger, whose point is carrying the extras over.
    """

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        line = {
            "time": at.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        masked = {key: mask_personal_numbers(value) for key, value in line.items()}
        return json.dumps(masked, ensure_ascii=False)
