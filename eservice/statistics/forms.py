"""The period chooser of the statistics pages. Read from the query string (GET): choosing a period
changes nothing, so it needs no CSRF token and the address can be bookmarked or shared."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..domain.stats import EN_MONTHS_LONG
from ..domain.thai import THAI_MONTHS_LONG
from ..input_guard import calendar_date


def int_or_none(value):
    """Numbers from the address; anything else becomes None and is refused with a message."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _given(field) -> bool:
    """Whether the address gave the field a value (``?fy=`` gives none: the default applies)."""
    return bool(field.raw_data and str(field.raw_data[0]).strip())


class DayField(DateField):
    """An HTML date input whose refusal speaks the page's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date as year-month-day, e.g. 2025-01-31.")) from None


FISCAL_MONTHS = (10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)


class PeriodForm(Form):
    period = SelectField(
        _l("Kind of period"),
        choices=[
            SelectChoice("fy", _l("A fiscal year")),
            SelectChoice("half", _l("A half of the fiscal year")),
            SelectChoice("quarter", _l("A quarter of the fiscal year")),
            SelectChoice("month", _l("A month")),
            SelectChoice("range", _l("Any range of dates")),
        ],
        default="fy",
    )
    fy = SelectField(_l("Fiscal year (B.E.)"), coerce=int_or_none, validate_choice=False)
    half = SelectField(
        _l("Half"),
        choices=[SelectChoice(1, _l("First half (October–March)")),
                 SelectChoice(2, _l("Second half (April–September)"))],
        coerce=int_or_none,
        validate_choice=False,
    )
    quarter = SelectField(
        _l("Quarter"),
        choices=[SelectChoice(1, _l("Quarter 1 (October–December)")), SelectChoice(2, _l("Quarter 2 (January–March)")),
                 SelectChoice(3, _l("Quarter 3 (April–June)")), SelectChoice(4, _l("Quarter 4 (July–September)"))],
        coerce=int_or_none,
        validate_choice=False,
    )
    month = SelectField(_l("Month"), coerce=int_or_none, validate_choice=False)
    start = DayField(_l("From"), validators=[Optional(), calendar_date])
    end = DayField(_l("To (included)"), validators=[Optional(), calendar_date])

    def set_choices(self, fiscal_years: list[int], locale: str, default: int | None = None) -> None:
        """``fiscal_years`` from :func:`eservice.domain.stats.fiscal_years` (the next year first);
        ``default`` (the current year) is chosen when the address names none."""
        self.fy.choices = [SelectChoice(year, str(year)) for year in fiscal_years]
        if self.fy.data is None and not _given(self.fy):
            self.fy.data = default if default in fiscal_years else fiscal_years[0]
        names = THAI_MONTHS_LONG if locale == "th" else EN_MONTHS_LONG
        self.month.choices = [SelectChoice(month, names[month - 1]) for month in FISCAL_MONTHS]

    def chosen_part(self):
        field = {"half": self.half, "quarter": self.quarter, "month": self.month}.get(self.period.data)
        return field.data if field is not None else None


class PublicYearForm(Form):
    fy = SelectField(_l("Fiscal year (B.E.)"), coerce=int_or_none, validate_choice=False)

    def set_choices(self, fiscal_years: list[int], default: int | None = None) -> None:
        self.fy.choices = [SelectChoice(year, str(year)) for year in fiscal_years]
        if self.fy.data is None and not _given(self.fy):
            self.fy.data = default if default in fiscal_years else fiscal_years[0]
