"""E-mail delivery of merged letters over SMTP."""

from segments_module.delivery.html import LetterBodyTemplate, docx_to_html
from segments_module.delivery.mail import DeliveryError, Mailer
from segments_module.delivery.message import build_message, message_id_for
from segments_module.delivery.settings import SmtpSettings

__all__ = [
    "DeliveryError",
    "LetterBodyTemplate",
    "Mailer",
    "SmtpSettings",
    "build_message",
    "docx_to_html",
    "message_id_for",
]
