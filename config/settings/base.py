"""Settings shared by every environment.

Values that differ between machines come from the environment (see ``config.env``);
the embedded default is an SQLite file in the project and no Redis, so that the demo
runs on a machine that has only Python.
"""

import ipaddress
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from common.crypto import default_cipher, default_hash
from common.sealed import parse_key
from config.env import env_bool, env_int, env_list, env_str, redis_database

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: runserver leaves static files to WhiteNoise, which serves them
    # compressed, as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "treebeard",
    "simple_history",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "audit",
    "accounts",
    "grids",
    "messaging",
    "webhooks",
    "households",
    "monitoring",
    "employment",
    "services",
    "reports",
    # The monthly review (月研判), above employment and services: its agenda reads both.
    "reviews",
    # Commands for the whole project (backup, restore); no models.
    "config",
]

# WhiteNoise serves static files, precompressed at collectstatic, in every setting (the
# demo's runserver included); Django's GZip compresses pages and the API's JSON, with its
# BREACH mitigation (random bytes in each gzip header, since 4.2). A phone on a
# settlement's mobile network pays for every byte.
# PrivateResponsesMiddleware stands outside WhiteNoise, so that it can tell a static file
# (cached for ever) from everything else (no-store); NoPersonalDataInURLMiddleware after
# authentication, so that its refusal is audited with the user.
MIDDLEWARE = [
    # Health probes and /metrics before the host check and the HTTPS redirect; every
    # other request timed, for the metrics (config.operations).
    "config.operations.OperationsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PrivateResponsesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.TextGZipMiddleware",
    # Inside gzip: a GET whose If-None-Match names the ETag (an API record's) is a bodiless 304.
    "django.middleware.http.ConditionalGetMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.NoPersonalDataInURLMiddleware",
    "config.middleware.SessionLimitsMiddleware",
    "accounts.otp_middleware.SecondFactorMiddleware",
    # After the second factor: a locked account's session ends, a password due is changed.
    "accounts.middleware.AccountGuardMiddleware",
    # Which views may read from a replica, and when the user last wrote (common.replicas).
    "common.replicas.ReplicaReadsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: it turns a login that axes locked out into the locked-out page or JSON.
    "axes.middleware.AxesMiddleware",
]

# What a page may load and run: our own files, nothing inline. An injected <script> or
# onclick="" does not run, and nothing can be sent to another host (connect-src, img-src,
# form-action). Photos are previewed from data: and blob: URLs before they are sent.
# Styles: <style> elements and stylesheets from our own files only (style-src-elem);
# style="" attributes are allowed (style-src-attr), because a tier's colour is chosen in
# the admin and drawn as one (templates/includes/tier.html), as are the admin's own
# indentation and swatches. An attribute cannot load anything (img-src and font-src are
# 'self') nor read the page; what CSS injection needs to leak data, a <style> element with
# attribute selectors and outside URLs, stays forbidden. Browsers older than
# style-src-elem/-attr (Chrome 75, Firefox 108, Safari 15.4) read style-src, which keeps
# the pages drawn on them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
    },
}
# Never send a page's address (which may name a household) to another site.
SECURE_REFERRER_POLICY = "same-origin"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "monitoring.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT spends ~0.4 s compiling each large set-based statement (follow-up
    # generation, snapshots) that then runs in less; it never pays off at our sizes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# Streaming replicas (PostgreSQL standbys of DATABASE_URL), comma-separated: the wall,
# reports, exports and the API's lists read from them (common.replicas says when not).
# Aliases replica_1, replica_2, ... in the order given.
REPLICA_DATABASES = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    _replica = dj_database_url.parse(_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must name PostgreSQL standbys (postgres://...).")
    _replica.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # A replica gone dark must not hold a page for the system's TCP timeout: the router
    # falls back to the primary once it fails to connect.
    _replica["OPTIONS"].setdefault("connect_timeout", 2)
    # A test run makes no database of its own on a replica: it reads the primary's.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    REPLICA_DATABASES.append(f"replica_{_number}")
DATABASE_ROUTERS = ["common.replicas.ReplicaRouter"]
# After a user's write, their reads stay on the primary this long: longer than a replica
# may lag (REPLICA_MAX_LAG_SECONDS), so that they always see what they did.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 20)
# A replica further behind than this is not read from until it catches up.
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 10)
# How long each process trusts its last look at a replica's lag.
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 5)
if REPLICA_DATABASES and REPLICA_PIN_SECONDS <= REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS:
    # A replica may be behind by its allowed lag plus the time since it was measured: a
    # shorter pin would let a user read a page that does not yet hold their own write.
    raise ImproperlyConfigured(
        "REPLICA_PIN_SECONDS must be longer than REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# 等保 level 3 (身份鉴别 a): at least 10 characters of at least three kinds, none of the
# last 5 passwords (accounts.validators), and Django's checks against the user's own name
# and common passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.LengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.validators.CharacterKindsValidator", "OPTIONS": {"min_kinds": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]
# Days a password lasts before its user must change it; 0: for ever.
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "monitoring:today"
# Axes first: a locked-out account or address is refused before its password is checked.
AUTHENTICATION_BACKENDS = ["accounts.authentication.LockoutBackend", "grids.backends.UsernameOrMobileBackend"]

# Password guessing (身份鉴别 b; accounts.lockout): LOGIN_FAILURE_LIMIT failures on one
# account, or from one address, lock it for LOGIN_COOLOFF_MINUTES (a security
# administrator can unlock it sooner). The login page, the admin's and the API's token
# endpoint all count. A mobile number counts for the account it belongs to.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 30)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = "accounts.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Axes' own log of every login duplicates the audit log's; its failures are what locks.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# API tokens (accounts.models.ApiToken) live this many days.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
# A POST's Idempotency-Key is remembered, with its answer, this many hours (accounts.idempotency).
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24)
# A PATCH or PUT of the API without If-Match is refused (428) when on (common.concurrency).
API_REQUIRE_IF_MATCH = env_bool("API_REQUIRE_IF_MATCH", False)
# A working day, and no longer; two idle hours end it sooner (config.middleware).
SESSION_MAX_SECONDS = env_int("SESSION_MAX_SECONDS", 12 * 60 * 60)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 2 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
LOGOUT_REDIRECT_URL = "login"
# No cookie of ours is read by a script or sent along by another site's form or image.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# A second factor after the password (accounts.second_factor): for administrators and
# anyone who may see full ID numbers, or everyone. On unless a settings module turns it
# off, so that a new or mistyped settings module fails closed: production fixes it on,
# the demo (local.py) and the test suite turn it off; OTP_REQUIRED=1 turns it on there.
OTP_REQUIRED = env_bool("OTP_REQUIRED", True)
OTP_REQUIRED_FOR_EVERYONE = env_bool("OTP_REQUIRED_FOR_EVERYONE", False)
OTP_TOTP_ISSUER = "红黄绿"
# After n wrong codes in a row, the next is tried only after 2^(n-1) s: 6 guesses in the
# first minute, 12 in the first hour, 17 in a day (against a one-in-333,000 chance each,
# with the previous and next 30-second codes accepted too); a right code resets it. Each
# device counts for itself, so recovery codes give as many guesses again, at 32^8 each.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin's device pages never show a user's key (it would let an administrator
# generate that user's codes).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Chinese first: the people who use this read Chinese; English is for visitors.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Photos of households and visits are private: no URL serves the folder; views that
# check the viewer's scope stream each file (households.views.photo).
MEDIA_URL = "media/"  # never routed
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes each file under a name carrying its hash (cached for ever) and a
    # .gz beside it; pages name the hashed files through the manifest (unhashed in DEBUG).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Photos: what a phone takes, not what a scanner makes (households.photos).
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 5 * 1024 * 1024)
# A phone's main camera takes 12 MP (50 MP sensors save 12.5 MP by default); 24 MP lets
# any of them through and keeps a decompression bomb's decoded image under ~100 MB.
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 24_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploaded ledgers (households.ledger.workbook): a county's 100,000 households with their
# 274,000 other members, every column filled, unpack to about 230 MB in 4.1 million cells.
LEDGER_MAX_UNPACKED_BYTES = env_int("LEDGER_MAX_UNPACKED_BYTES", 512 * 1024 * 1024)
LEDGER_MAX_CELLS = env_int("LEDGER_MAX_CELLS", 10_000_000)
# A ledger import checking or importing, or an export preparing, for longer than this has
# lost its queue message or its worker: the hourly households.expire_files fails it and
# deletes its file. The slowest real runs take a minute or two (make bench: ledger_check,
# import_xlsx, export_xlsx_prepared), behind whatever else is queued.
STALLED_WORK_SECONDS = env_int("STALLED_WORK_SECONDS", 60 * 60)

# An urgent case's deadline at each level, in working days, whatever its tier allows.
CASE_URGENT_WORKING_DAYS = env_int("CASE_URGENT_WORKING_DAYS", 1)

# The phone keeps every household's pages for offline use only for a user who visits and
# whose scope holds at most this many (a grid worker's; not a community staff member's).
OFFLINE_MAX_HOUSEHOLDS = env_int("OFFLINE_MAX_HOUSEHOLDS", 500)

REST_FRAMEWORK = {
    # The browser's session, or a token for another system (admin → API tokens, or
    # POST /api/v1/auth/token/: each with its purpose, the user's scope, an expiry).
    # The token first: a bad, expired or revoked one is answered 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "accounts.otp_api.SecondFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "common.filters.ScopedFilterBackend",
        "common.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.api.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    # Bodies are JSON; the one endpoint that takes files (the visits' batch, with photos)
    # adds multipart itself. A form-encoded body is a 415, and the schema declares one
    # media type per body, which client generators need.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Where a user's scope is rooted, for the API's change feed (common.sync), which lies
# below the grid that knows it.
API_SCOPE_SIGNATURE = "grids.scope.scope_signature"
SPECTACULAR_SETTINGS = {
    # ASCII: a client generator makes its package's name from the title.
    "TITLE": "Hong Huang Lu API",
    "DESCRIPTION": "红黄绿 (Hong-Huang-Lü). Households, tiers, follow-ups, visits, cases, employment and "
    "points of the relocation settlements a user may see. Outside a user's scope a record does not "
    "exist (404).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.schema.ascii_titles"],
    "ENUM_NAME_OVERRIDES": {
        "FollowUpStatusEnum": "monitoring.models.followups.FollowUpStatus",
        "CaseStatusEnum": "services.models.CaseStatus",
        "HouseholdStatusEnum": "households.models.HouseholdStatus",
        "MemberStatusEnum": "households.models.MemberStatus",
        "LabourStatusEnum": "employment.models.LabourStatus",
        "HelpKindEnum": "services.door_cards.HELP_KIND_CHOICES",
    },
}

# Redis when REDIS_URL (or CELERY_BROKER_URL) is set; otherwise kombu's filesystem
# transport in var/celery, so that the embedded demo runs a worker and beat with no server.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_QUEUE_DIR = Path(env_str("CELERY_QUEUE_DIR", str(BASE_DIR / "var" / "celery")))
    CELERY_QUEUE_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        # The exchanges' bindings; kombu's default is ./control, wherever the worker starts.
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    if env_str("BROKER_KEY_PREFIX", ""):
        # Every key the broker writes starts with this, so that a Redis database can be
        # shared (the test suite's worker cleans up its own keys and nobody else's).
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env_str("BROKER_KEY_PREFIX")
    if CELERY_BROKER_URL.startswith("sentinel://"):
        # Redis Sentinel (sentinel://host:26379;sentinel://host2:26379): kombu asks the
        # sentinels which server is the master of this name, and asks again after a
        # failover. Without the name it cannot ask, and would fail only at the first task.
        CELERY_BROKER_MASTER_NAME = env_str("CELERY_BROKER_MASTER_NAME", "")
        if not CELERY_BROKER_MASTER_NAME:
            raise ImproperlyConfigured(
                "CELERY_BROKER_MASTER_NAME must be set when CELERY_BROKER_URL names Redis Sentinel "
                "(sentinel://…): the name of the master the sentinels watch."
            )
        CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = CELERY_BROKER_MASTER_NAME
CELERY_RESULT_BACKEND = None

# Queues by kind of work, so that a 100,000-row import or a county export never delays
# the hourly missed marking or an urgent message: each has workers of its own
# (docker-compose.yml), and the demo's one worker consumes them all (Makefile).
#   engine    what keeps the colours and due dates right: short, hourly and nightly
#   messages  sends to people and to webhooks: waits on outside servers, must not wait on us
#   bulk      imports, exports, reports, archives, purges: long, heavy, can wait
# Every task of ours is routed by name here (tests/config/test_celery_queues.py refuses
# one that is not); the default queue, "celery", is left for anything else.
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Each on an exchange of its own name and bound by its name: a Queue without them is bound
# to Celery's default exchange and key, and every queue would receive every task.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name)
    for name in ("engine", "messages", "bulk", CELERY_TASK_DEFAULT_QUEUE)
]
_ROUTES = {
    "engine": [
        "monitoring.generate_follow_ups",
        "monitoring.mark_missed",
        "monitoring.snapshot_tiers",
        "monitoring.count_walls",
        "employment.evaluate_warnings",
        "services.check_case_deadlines",
        # Beat's heartbeat (config.health's "beat"): on the queue that must stay on time,
        # so that a stale one says beat is down or the engine's workers are behind.
        "config.heartbeat",
    ],
    "messages": [
        "messaging.send_message",
        "messaging.send_due",
        "messaging.send_digests",
        "webhooks.deliver",
        "webhooks.deliver_due",
    ],
    "bulk": [
        "households.check_ledger",
        "households.import_ledger",
        "households.prepare_export",
        # Hourly, but only ends what is a day old or stalled for an hour: waiting behind
        # an import costs nothing, and its deletes must not hold up the engine.
        "households.expire_files",
        "reports.generate_monthly_reports",
        "reports.draw_file",
        "reports.generate_report",
        "audit.archive",
        # The retention purges delete in batches: heavy on the database, never urgent.
        "messaging.forget_old",
        "webhooks.forget_old",
        "accounts.forget_idempotency_keys",
        # Months made three ahead (a day late costs nothing), but moving rows out of a
        # DEFAULT partition takes the table for a moment: not beside the engine.
        "partitions.maintain",
    ],
}
CELERY_TASK_ROUTES = {task: {"queue": queue} for queue, tasks in _ROUTES.items() for task in tasks}

# The audit log keeps rows this many days in the database; the daily audit.archive moves
# older ones, chain intact, to gzip files in AUDIT_ARCHIVE_DIR (to be backed up off the
# machine). The Cybersecurity Law (art. 21) asks for six months: never fewer than 180.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS is {AUDIT_RETENTION_DAYS}: audit rows must be kept at least 180 days "
        "(six months, Cybersecurity Law art. 21)."
    )
AUDIT_ARCHIVE_DIR = Path(env_str("AUDIT_ARCHIVE_DIR", str(BASE_DIR / "var" / "audit-archive")))

# PostgreSQL's history tables are partitioned by month (common.partitions): the daily
# partitions.maintain creates this many months ahead of the current one (an insert for a
# later month lands in the DEFAULT partition meanwhile, and moves when its month is made).
PARTITION_MONTHS_AHEAD = env_int("PARTITION_MONTHS_AHEAD", 3)
# How many months before the current one stay attached to follow-ups, visits and
# notifications; older ones are detached, each left as a table of its own
# (<table>_pYYYY_MM) for whoever archives it (pg_dump, then DROP). 0: never detach.
# The audit log is not detached: audit.archive moves its rows to files and drops the
# months it has emptied.
PARTITION_ATTACHED_MONTHS = env_int("PARTITION_ATTACHED_MONTHS", 0)
# At least a year and a month: the reports' last twelve months of tier shares, a quarterly
# period still open with its 62 days of catch-up, and the cases and proposals that name a
# visit read back that far; a month detached under them would lose an open follow-up (and
# generate it again) or show a visit as never made.
PARTITION_ATTACHED_MONTHS_AT_LEAST = 13
if PARTITION_ATTACHED_MONTHS < 0 or 0 < PARTITION_ATTACHED_MONTHS < PARTITION_ATTACHED_MONTHS_AT_LEAST:
    raise ImproperlyConfigured(
        f"PARTITION_ATTACHED_MONTHS must be 0 (never detach) or at least "
        f"{PARTITION_ATTACHED_MONTHS_AT_LEAST} months."
    )

# Where a request's client address is (common.http.client_address): REMOTE_ADDR when the
# app faces the network, the proxy's header (e.g. HTTP_X_REAL_IP) behind one; of a list
# (HTTP_X_FORWARDED_FOR) the last address, the one the proxy saw. The door cards' help
# page and the login lockout limit by it, the audit log records it, and the health detail
# and /metrics open to it (HEALTH_ALLOWED_NETWORKS).
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "REMOTE_ADDR")
# The header is believed only on a connection from one of these networks (comma-separated
# CIDRs): our proxy's. Anyone who reaches the app's port straight could otherwise send
# "X-Real-IP: 127.0.0.1" and be an insider. Loopback by default: a proxy on the same
# machine, the setup the README describes. A proxy elsewhere (another host, a load
# balancer, the host's nginx seen from inside a container: the bridge network's gateway)
# must be named here, or every request is taken at the proxy's own address.
TRUSTED_PROXY_NETWORKS = env_list("TRUSTED_PROXY_NETWORKS", ["127.0.0.1/32", "::1/128"])
for _network in TRUSTED_PROXY_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXY_NETWORKS: {_network!r} is not a network (CIDR, e.g. 10.0.0.0/8)."
        ) from None

# The cache holds rate limits (the door cards' help page) and the ledger import's progress,
# so it is shared by every process: Redis at CACHE_URL, else each process's own memory (the
# demo). Never the broker's database: clearing the cache (FLUSHDB) would empty the queues,
# and the broker's data is kept on disk while the cache's need not be.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith("sentinel://"):
    # Django's Redis cache takes plain redis:// URLs only; it would fail at the first
    # request instead (the README's "Large deployments" says what to do instead).
    raise ImproperlyConfigured(
        "CACHE_URL must be a redis:// or rediss:// URL: the cache does not speak Sentinel "
        "(only the broker does, CELERY_BROKER_URL)."
    )
if CACHE_URL and redis_database(CACHE_URL) == redis_database(CELERY_BROKER_URL):
    raise ImproperlyConfigured(
        "CACHE_URL must name a Redis database of its own, not the Celery broker's "
        "(REDIS_URL / CELERY_BROKER_URL): clearing the cache would empty the queues."
    )
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "hhl"}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# A monthly report of more households than this is computed again (the page's button) and
# has its PDF and .xlsx drawn by a worker (reports.files: a province's PDF takes about as
# long as a request may, its figures a third of it), the files kept in the cache for the
# web to serve; 0, all in the request. Only with a shared cache: a file a worker kept in
# its own memory would never reach the web, nor its claim on the work the next request.
REPORTS_IN_WORKER_HOUSEHOLDS = env_int("REPORTS_IN_WORKER_HOUSEHOLDS", 50_000 if CACHE_URL else 0)
if REPORTS_IN_WORKER_HOUSEHOLDS and not CACHE_URL:
    raise ImproperlyConfigured(
        "REPORTS_IN_WORKER_HOUSEHOLDS needs CACHE_URL: the worker's file must reach the web."
    )
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
# The admin's edit history is for reading (households.admin_history): a revert would
# restore a whole old row at once, past the services an edit goes through (a tier moves
# only by monitoring.services.change_tier, with its reason and its follow-ups).
SIMPLE_HISTORY_REVERT_DISABLED = True

# Backups (manage.py backup / restore, config/backups.py): one sealed file a day of the
# database and MEDIA_ROOT, the newest BACKUP_KEEP kept. BACKUP_KEY (base64 text of 32
# random bytes) seals them; production settings start without it, since only the backup
# job and whoever restores need it: the command refuses to run without it.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)
BACKUP_KEY = env_str("BACKUP_KEY", "")
DEVELOPMENT_BACKUP_KEY = "aGhsLWRldmVsb3BtZW50LW9ubHktYmFja3VwLWtleSE="
if BACKUP_KEY:
    try:
        parse_key(BACKUP_KEY)
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from None
# Absolute paths, not whatever PATH finds first. pg_dump must be of the server's major
# version or newer (the image's postgresql-client and the compose file's postgres agree).
PG_DUMP = env_str("PG_DUMP", "/usr/bin/pg_dump")
PG_RESTORE = env_str("PG_RESTORE", "/usr/bin/pg_restore")

# Resident ID numbers are stored encrypted (common.crypto): SM4-GCM where this OpenSSL
# build has it, else AES-256-GCM; a keyed hash (HMAC-SM3, else HMAC-SHA-256) beside each
# for uniqueness and search. The keys are secrets: local.py and test.py carry fixed
# development keys, production.py refuses to start without real ones. The index hash must
# be the same on every machine sharing a database (changing it is an index-key change:
# run rotate_keys).
FIELD_ENCRYPTION_CIPHER = env_str("FIELD_ENCRYPTION_CIPHER", default_cipher())
FIELD_BLIND_INDEX_HASH = env_str("FIELD_BLIND_INDEX_HASH", default_hash())
# Published in this repository, so refused by production.py.
DEVELOPMENT_ENCRYPTION_KEYS = "dev1:aGhsLWRldmVsb3BtZW50LW9ubHktZmllbGQta2V5LTE="
DEVELOPMENT_BLIND_INDEX_KEYS = "dev1:aGhsLWRldmVsb3BtZW50LW9ubHktaW5kZXgta2V5LTE="

# seed_demo makes users, a superuser among them, whose password the README publishes:
# production settings turn this off, and no environment variable turns it back on.
DEMO_DATA_ALLOWED = True

# Every handler masks ID- and mobile-shaped numbers (config.logging); django.server, the
# demo's runserver log of each request with its query string, is redefined here so that
# its handler has the filter too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_personal_numbers": {"()": "config.logging.MaskPersonalNumbers"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_numbers"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_personal_numbers"],
        },
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "mask_personal_numbers"],
        },
    },
    "loggers": {
        # Printed by the root's handler; mailed to ADMINS (if any) through the filter too.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Webhooks (webhooks.delivery): how long a receiver may take to answer, how long a failing
# event is retried before it is given up (the admin can replay it), and whether a receiver
# must be https:// (production) except on the hosts listed (a receiver on the same private
# network).
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_RETRY_HOURS = env_int("WEBHOOK_RETRY_HOURS", 72)
WEBHOOK_REQUIRE_HTTPS = env_bool("WEBHOOK_REQUIRE_HTTPS", False)
WEBHOOK_PLAIN_HTTP_HOSTS = env_list("WEBHOOK_PLAIN_HTTP_HOSTS", [])
# The delivery log (and the events it names) is kept this long after delivery or giving up.
WEBHOOK_LOG_DAYS = env_int("WEBHOOK_LOG_DAYS", 90)

# The monthly review puts a household on its agenda when its tier has been neither changed
# nor reviewed for this many days.
REVIEW_TIER_STALE_DAYS = env_int("REVIEW_TIER_STALE_DAYS", 180)

# Messages (messaging): the channel of a user who chose none (email, wecom, wecom_robot,
# sms, console, inapp; one without an address on it gets the inbox only), quiet hours in
# local time ("" for none: non-urgent messages wait until they end), how long a message is
# retried, and the site's address for the links in messages. The morning digest runs at
# 07:00 (its periodic task, editable in the admin).
MESSAGES_DEFAULT_CHANNEL = env_str("MESSAGES_DEFAULT_CHANNEL", "email")
MESSAGES_QUIET_HOURS = env_str("MESSAGES_QUIET_HOURS", "21:00-07:00")
MESSAGES_RETRY_HOURS = env_int("MESSAGES_RETRY_HOURS", 24)
# The send log (each message and its attempts) is kept this long, then deleted nightly.
MESSAGES_LOG_DAYS = env_int("MESSAGES_LOG_DAYS", 90)
MESSAGES_TIMEOUT_SECONDS = env_int("MESSAGES_TIMEOUT_SECONDS", 10)
MESSAGES_SITE_URL = env_str("MESSAGES_SITE_URL", "")
# A help request from a household of these tiers is urgent: sent at once, whatever the hour.
MESSAGES_URGENT_TIERS = env_list("MESSAGES_URGENT_TIERS", ["red"])
# 企业微信: the corp's ID, the app's secret and agent ID (应用管理 → 自建应用), and the API's
# address (a proxy inside a network that reaches qyapi only through it; tests: loopback).
WECOM_API_URL = env_str("WECOM_API_URL", "https://qyapi.weixin.qq.com")
WECOM_CORP_ID = env_str("WECOM_CORP_ID", "")
WECOM_SECRET = env_str("WECOM_SECRET", "")
WECOM_AGENT_ID = env_int("WECOM_AGENT_ID", 0)
# Aliyun SMS (dysmsapi SendSms): the RAM user's key, the approved signature and template
# (its variables: ${kind} and ${summary}).
ALIYUN_SMS_URL = env_str("ALIYUN_SMS_URL", "https://dysmsapi.aliyuncs.com/")
ALIYUN_SMS_REGION = env_str("ALIYUN_SMS_REGION", "cn-hangzhou")
ALIYUN_SMS_ACCESS_KEY_ID = env_str("ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = env_str("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_SIGN_NAME = env_str("ALIYUN_SMS_SIGN_NAME", "")
ALIYUN_SMS_TEMPLATE_CODE = env_str("ALIYUN_SMS_TEMPLATE_CODE", "")

# Operations (config.health, config.metrics): /health/live/ answers anyone; /health/ and
# /health/ready/ answer everyone 200 or 503, and give their detail (each check's name,
# status and reason), as /metrics its series, only to a client whose address
# (common.http.client_address) lies in HEALTH_ALLOWED_NETWORKS, or who sends
# "Authorization: Bearer HEALTH_TOKEN" ("": no token opens them). Names of checks and
# short reasons only: no host, no URL, nothing personal.
HEALTH_ALLOWED_NETWORKS = env_list("HEALTH_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"])
HEALTH_TOKEN = env_str("HEALTH_TOKEN", "")
# Each of REPLICA_DATABASES (above) is checked for its lag against REPLICA_MAX_LAG_SECONDS:
# the limit past which the router stops reading it is the limit past which it is unhealthy.
# The heartbeat job runs every minute; older than this, beat or its workers are down.
HEARTBEAT_MAX_AGE_SECONDS = env_int("HEARTBEAT_MAX_AGE_SECONDS", 5 * 60)
# How long the workers' check waits for their answers to a ping.
HEALTH_CELERY_TIMEOUT_SECONDS = env_int("HEALTH_CELERY_TIMEOUT_SECONDS", 1)
# "json": one JSON object a line (level, logger, time, message), for a log collector;
# "text": lines for a person.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
if LOG_FORMAT == "json":
    LOGGING["formatters"]["json"] = {"()": "config.logging.JsonFormatter"}
    for _handler in ("console", "django.server"):
        LOGGING["handlers"][_handler]["formatter"] = "json"
