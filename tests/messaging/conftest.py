import pytest
from django.core.cache import cache

from messaging.channels import TOKEN_CACHE_KEY
from tests.messaging import providers


@pytest.fixture
def wecom(settings):
    """企业微信's API on loopback, and the settings that point at it."""
    server = providers.WeCom().start()
    settings.WECOM_API_URL = server.url
    settings.WECOM_CORP_ID = providers.CORP_ID
    settings.WECOM_SECRET = providers.SECRET
    settings.WECOM_AGENT_ID = providers.AGENT_ID
    settings.MESSAGES_TIMEOUT_SECONDS = 1
    # No token from another test's server (only this key: the cache may be Redis, shared).
    cache.delete(TOKEN_CACHE_KEY.format(corp=providers.CORP_ID))
    yield server
    server.stop()


@pytest.fixture
def aliyun(settings):
    server = providers.AliyunSms().start()
    settings.ALIYUN_SMS_URL = server.url + "/"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = providers.ACCESS_KEY_ID
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = providers.ACCESS_KEY_SECRET
    settings.ALIYUN_SMS_SIGN_NAME = providers.SIGN_NAME
    settings.ALIYUN_SMS_TEMPLATE_CODE = providers.TEMPLATE_CODE
    settings.MESSAGES_TIMEOUT_SECONDS = 1
    yield server
    server.stop()


@pytest.fixture
def worker(db):
    from messaging.models import Contact
    from tests.grids.factories import UserFactory

    user = UserFactory(username="floor", email="floor@example.org")
    Contact.objects.create(
        user=user, wecom_userid="ZhangSan", wecom_robot_key=providers.ROBOT_KEY, mobile="13800138000"
    )
    return user
