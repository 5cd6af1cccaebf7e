"""The municipality's reference data: data that another municipality replaces, never code."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from .base import Model, UTCDateTime, utcnow


class Organisation(Model):
    """The one municipality this installation serves (a single row)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    address_th: Mapped[str] = mapped_column(Text, default="")
    address_en: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    line_id: Mapped[str] = mapped_column(String(100), default="")
    line_url: Mapped[str] = mapped_column(String(300), default="")
    facebook_name: Mapped[str] = mapped_column(String(200), default="")
    facebook_url: Mapped[str] = mapped_column(String(300), default="")
    office_hours_th: Mapped[str] = mapped_column(String(200), default="")
    office_hours_en: Mapped[str] = mapped_column(String(200), default="")
    # The executive's title, as data: it is not "นายก" + the organisation's name (the mayor of เทศบาลตำบล
    # บ่อปลาทอง is นายกเทศมนตรีตำบลบ่อปลาทอง; an อบต. has a นายกองค์การบริหารส่วนตำบล).
    executive_title_th: Mapped[str] = mapped_column(String(200), default="")
    executive_title_en: Mapped[str] = mapped_column(String(200), default="")
    tracking_prefix: Mapped[str] = mapped_column(String(10))
    # Set by administrators (issue 4). The logo is a re-encoded PNG or JPEG, served at /organisation/logo;
    # the texts, when set, replace the built-in service standard and PDPA notice on the public pages.
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    logo_content_type: Mapped[str] = mapped_column(String(50), default="")
    service_standard_th: Mapped[str] = mapped_column(Text, default="")
    service_standard_en: Mapped[str] = mapped_column(Text, default="")
    pdpa_notice_th: Mapped[str] = mapped_column(Text, default="")
    pdpa_notice_en: Mapped[str] = mapped_column(Text, default="")
    # The day the e-Service went into use (Bangkok date). Statistics and reports say "no data" for periods
    # before it rather than "0": nothing was recorded then, which is not the same as nothing happening.
    in_use_since: Mapped[date | None] = mapped_column(Date, nullable=True)

    def service_standard(self, locale: str) -> str:
        return self.service_standard_en if locale == "en" and self.service_standard_en else self.service_standard_th

    def pdpa_notice(self, locale: str) -> str:
        return self.pdpa_notice_en if locale == "en" and self.pdpa_notice_en else self.pdpa_notice_th

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_th

    def executive_title(self, locale: str) -> str:
        return self.executive_title_en if locale == "en" and self.executive_title_en else self.executive_title_th

    def address(self, locale: str) -> str:
        return self.address_en if locale == "en" and self.address_en else self.address_th

    def office_hours(self, locale: str) -> str:
        return self.office_hours_en if locale == "en" and self.office_hours_en else self.office_hours_th


class Division(Model):
    """A division (กอง/สำนัก) of the municipality; cases are routed to exactly one at a time."""

    __tablename__ = "division"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("division.id"))
    # The integrity unit receives every corruption and gift report, and only it does.
    is_integrity_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    # The division that receives objections to budget spending when the citizen names none.
    receives_objections: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped["Division | None"] = relationship(remote_side=[id])
    categories: Mapped[list["Category"]] = relationship(back_populates="division")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_th


class Category(Model):
    """A category (Open311 ``service_code``) with the division that handles it and its time limits."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("division.id"))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    # Space-separated case type codes this category is offered for (see eservice.domain.case_types).
    case_types: Mapped[str] = mapped_column(String(200), default="complaint suggestion inquiry")
    ack_days: Mapped[int] = mapped_column(Integer, default=1)
    resolve_days: Mapped[int] = mapped_column(Integer, default=15)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    division: Mapped[Division] = relationship(back_populates="categories")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_th

    def offered_for(self, case_type: str) -> bool:
        return case_type in self.case_types.split()


class Village(Model):
    """A village (หมู่ที่) of the subdistrict."""

    __tablename__ = "village"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name_th: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Channel(Model):
    """An intake channel: this e-Service (``web``) and every way a case reaches the office in person."""

    __tablename__ = "channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_th


class HolidaySource(StrEnum):
    """Where a row of the days-off calendar comes from (see eservice.domain.days_off)."""

    PACKAGE = "package"  # Thailand's public and government holidays, from the ``holidays`` package
    ADMIN_ADDED = "admin_added"  # a day off an administrator added (the Cabinet's special days, local days)
    ADMIN_REMOVED = "admin_removed"  # a package day an administrator took out: not a day off, kept through syncs


class Holiday(Model):
    """A day of the days-off calendar: no working-day clock runs on it, unless an administrator removed it
    (``source`` = admin_removed, kept so that the next sync does not bring it back)."""

    __tablename__ = "holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")  # Thai
    name_en: Mapped[str] = mapped_column(String(200), default="", server_default="")
    source: Mapped[str] = mapped_column(String(20), default=HolidaySource.PACKAGE.value,
                                        server_default=HolidaySource.PACKAGE.value)

    @property
    def is_day_off(self) -> bool:
        return self.source != HolidaySource.ADMIN_REMOVED

    def local_name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


class CalendarYear(Model):
    """A calendar year whose public and government holidays have been loaded from the ``holidays`` package."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    package_version: Mapped[str] = mapped_column(String(40), default="")


def village_label(village: Village, locale: str) -> str:
    """"หมู่ที่ 3 บ้านหนองบัว" / "Moo 3 (Ban Nong Bua)"."""
    if locale == "en":
        name = village.name_en or village.name_th
        return f"Moo {village.number}" + (f" ({name})" if name else "")
    return f"หมู่ที่ {village.number}" + (f" {village.name_th}" if village.name_th else "")
