from accounts.tokens import issue_token


def api_token(user, purpose="测试同步", **kwargs) -> str:
    """A new API token for ``user``; returns its key, as a client would hold it."""
    return issue_token(user=user, purpose=purpose, **kwargs)[1]
