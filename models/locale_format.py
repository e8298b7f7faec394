"""Dates as the reader reads them: their language's date and time format, their time zone, no seconds."""

import babel.dates
import pytz

from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml


def format_datetime_local(env, value, tz=None, lang_code=None):
    """`value` (naive UTC) in `tz`, with the date and time formats of `lang_code` less the seconds."""
    if not value:
        return ""
    lang = get_lang(env, lang_code)
    locale = babel_locale_parse(lang.code)
    posix = f"{lang.date_format} {lang.time_format}".replace(":%S", "")
    try:
        tzinfo = pytz.timezone(tz or "UTC")
    except pytz.UnknownTimeZoneError:
        tzinfo = pytz.utc
    return babel.dates.format_datetime(
        pytz.utc.localize(value), posix_to_ldml(posix, locale=locale), tzinfo=tzinfo, locale=locale
    )


def format_month(env, month, lang_code=None):
    """'December 2026', '2026年12月': the month as each language writes it."""
    if not month:
        return ""
    locale = babel_locale_parse(get_lang(env, lang_code).code)
    return babel.dates.format_skeleton("yMMMM", month, locale=locale)
