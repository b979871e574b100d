"""DRF messages that DRF's own Korean catalogue lacks (some are hard-coded, untranslated, in
DRF). Listed so that ``makemessages`` keeps their Korean translations in ``config/locale``; the
exception handler passes validation messages through gettext. Nothing imports this module."""

from django.utils.translation import gettext_noop

MISSING_FROM_DRF_KOREAN = [
    gettext_noop("No data provided"),
]
