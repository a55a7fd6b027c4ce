from accounts.tokens import issue_token


def api_token(user, purpose="测试同步", **kwargs) -> str:
    """A new API token for ``user``; returns its key, as a client would hold it."""
    return issue_token(user=user, purpose=purpose, **kwargs)[1]


def security_administrator(**kwargs):
    from accounts.roles import SECURITY_ADMINISTRATOR
    from tests.grids.factories import UserFactory

    return UserFactory(is_staff=True, groups=[SECURITY_ADMINISTRATOR], **kwargs)
