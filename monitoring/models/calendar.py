"""Holidays and 调休 working days entered by an administrator.

The State Council publishes next year's schedule each November, often before the
chinesecalendar package knows it; entries here win over the package.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official schedule an administrator has entered.

    Once a year is here its days are known: the listed days are holidays or 调休
    working days, every other day a plain weekday or weekend.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the schedule comes from, e.g. the State Council notice."),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("official calendar year")
        verbose_name_plural = _("official calendar years")

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    calendar = models.ForeignKey(
        CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("year")
    )
    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"), help_text=_("Ticked for a 调休 weekend day worked; unticked for a holiday.")
    )
    name = models.CharField(_("name"), max_length=32, blank=True, help_text=_("e.g. 春节, 国庆节"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or 调休 day")
        verbose_name_plural = _("holidays and 调休 days")

    def __str__(self):
        return f"{self.date} {self.name}"

    def clean(self):
        if self.calendar_id and self.date and self.date.year != self.calendar.year:
            raise ValidationError({"date": _("This date is not in %(year)s.") % {"year": self.calendar.year}})
