"""gunicorn's settings (``gunicorn -c config/gunicorn_conf.py config.wsgi``).

The access log names each request by its path alone: gunicorn's default line carries the
query string (``%(r)s``) and the Referer (``%(f)s``, a whole URL of ours), and a URL must
never carry a resident ID or mobile number into a log (config.middleware refuses such a
query string; the log does not keep even the refused one).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = "-"
# address, time, "method path protocol", status, bytes, seconds taken, user agent
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s "%(a)s"'
