"""Log records without resident ID or mobile numbers.

A URL (runserver's django.server log prints each request's full path and query), an
error's message or a traceback could carry one; every handler of ours passes its records
through ``MaskPersonalNumbers`` first, which replaces them with ``***``.
"""

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
