from webhooks.models import EventType, Webhook

SECRET = "whsec_test-secret-of-the-suite"


def webhook(unit, url: str, *, events=None, secret: str = SECRET, **kwargs) -> Webhook:
    hook = Webhook(
        name=kwargs.pop("name", "指挥中心"), url=url, unit=unit, events=events or EventType.values, **kwargs
    )
    hook.set_secret(secret)
    hook.full_clean()
    hook.save()
    return hook
