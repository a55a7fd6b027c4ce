import datetime
import zoneinfo

import pytest
import time_machine


@pytest.fixture
def late_november():
    """25 November 2026, whatever day the suite runs on (HHL_TEST_TODAY): October, the
    month the pages show, has ended and December has not begun."""
    start = datetime.datetime(2026, 11, 25, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=True):
        yield
