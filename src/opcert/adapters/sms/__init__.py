"""SMS gateways (``OPCERT_SMS_GATEWAY``): ``development`` (the /dev/outbox page), ``http`` (a
relay that takes JSON) and ``none``; ``SmsNotifier`` puts a gateway behind the reminders'
``sms`` channel."""

from opcert.adapters.sms.http import HttpSmsGateway
from opcert.adapters.sms.notifier import SmsNotifier
from opcert.adapters.sms.outbox import DevelopmentSmsOutbox, OutboxMessage
from opcert.adapters.sms.unconfigured import UnconfiguredSmsGateway

__all__ = [
    "DevelopmentSmsOutbox",
    "HttpSmsGateway",
    "OutboxMessage",
    "SmsNotifier",
    "UnconfiguredSmsGateway",
]
