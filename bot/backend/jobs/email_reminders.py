"""Booking reminders by e-mail, over SMTP (issue 24).

Only for a booking with an e-mail address: the resident gave it for this appointment. The mail says
when and where, the booking code and how to cancel, with the calendar file attached. An empty
`SMTP_HOST` switches e-mail reminders off: none are scheduled, and the log says so once.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy.orm import Session

from bot.backend.jobs.delivery import DeliveryFailed
from bot.backend.models import Booking, BookingStatus, ScheduledMessage
from bot.backend.services.booking_calendar import booking_ics, cancel_hint, slot_times
from bot.backend.services.booking_reminders import email_enabled
from bot.backend.settings import BackendSettings
from bot.shared.dutch_calendar import full_date_label

log = logging.getLogger(__name__)


class EmailNotSent(DeliveryFailed):
    """The SMTP server did not take the reminder (or e-mail is off); the caller tries again later."""


def reminder_email(settings: BackendSettings, booking: Booking) -> EmailMessage:
    """The reminder mail: plain Dutch text and the .ics file."""
    assert booking.email is not None
    slot = booking.slot
    location = slot.schedule.location
    start, end = slot_times(booking, settings.tz)
    when = f"{full_date_label(slot.date)}, van {start:%H:%M} tot {end:%H:%M}"
    mail = EmailMessage()
    mail["Subject"] = f"Herinnering: je afspraak bij het wijkteam op {full_date_label(slot.date)}"
    mail["From"] = settings.smtp_from
    mail["To"] = booking.email
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = make_msgid(domain="voordeur.local")
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(
        f"Hallo {booking.first_name},\n\n"
        f"Je hebt een afspraak bij het wijkteam.\n\n"
        f"Wanneer: {when}\n"
        f"Waar: {location.name}, {location.address}\n"
        f"Je code: {booking.code}\n\n"
        f"{cancel_hint(settings, booking)}\n\n"
        "In de bijlage staat de afspraak voor je agenda.\n\n"
        "Groet,\nHet wijkteam\n\n"
        "Je krijgt dit bericht omdat je dit e-mailadres gaf bij je afspraak.\n"
    )
    mail.add_attachment(
        booking_ics(settings, booking),
        maintype="text",
        subtype="calendar",
        filename="afspraak-wijkteam.ics",
        params={"method": "PUBLISH"},
    )
    return mail


def send_email(settings: BackendSettings, mail: EmailMessage) -> None:
    """Hand one mail to the SMTP server; raises EmailNotSent when it did not take it."""
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            refused = smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as error:
        raise EmailNotSent(f"SMTP server did not take the reminder: {type(error).__name__}") from error
    if refused:
        raise EmailNotSent("SMTP server refused the address")


def send_booking_reminder(session: Session, message: ScheduledMessage, settings: BackendSettings) -> None:
    """Send a scheduled e-mail reminder; raises EmailNotSent when it could not go out."""
    if not email_enabled(settings):
        raise EmailNotSent("e-mail reminders are off (SMTP_HOST is empty)")
    booking = message.booking
    if booking is None or booking.email is None or booking.status is not BookingStatus.CONFIRMED:
        raise EmailNotSent("the booking has no e-mail address or is cancelled")
    send_email(settings, reminder_email(settings, booking))
    log.info("E-mail reminder %s sent", message.id)
