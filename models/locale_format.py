"""Dates, times, months and time zones as the reader writes them: their language's formats (Odoo's, or
CLDR's through Babel), the time zone that matters (the customer's or the company's), no seconds.

Every date the addon formats itself (queue, dialogs, chatter, activities, mails, script, warnings, PDF)
goes through here, so that a zh_TW reader sees "12月5日（週六）00:28（台北時間）" where an en_US one sees
"Sat, Dec 5, 12:28 AM (Taipei Time)".
"""

from datetime import datetime

import babel.dates
import pytz

from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

# CLDR's Chinese "M月d日 E" reads as two words; Chinese writes the weekday in brackets after the date, and
# the time right after it: 12月5日（週六）00:28. Other languages use CLDR's pattern and glue.
DAY_PATTERNS = {"zh": "M月d日（E）"}
DAY_TIME_GLUE = {"zh": "{1}{0}"}
# Brackets around a time zone or any aside: full-width in Chinese.
BRACKETS = {"zh": "{}（{}）"}
UTC_NAMES = {"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Universal", "Zulu", "Etc/Universal", "Etc/Zulu"}


def _lang_locale(env, lang_code):
    lang = get_lang(env, lang_code or None)
    return lang, babel_locale_parse(lang.code or lang_code or "en_US")


def _tzinfo(tz):
    try:
        return pytz.timezone(tz or "UTC")
    except pytz.UnknownTimeZoneError:
        return pytz.utc


def _localize(value, tz):
    """`value` (naive UTC) as an aware datetime in `tz`."""
    return pytz.utc.localize(value).astimezone(_tzinfo(tz))


def _time_pattern(lang, locale):
    """The language's time format (Odoo's, the user may change it) less the seconds."""
    return posix_to_ldml(lang.time_format.replace(":%S", ""), locale=locale)


def format_datetime_local(env, value, tz=None, lang_code=None):
    """`value` (naive UTC) in `tz`, with the date and time formats of `lang_code` less the seconds:
    "2026/12/05 00:28", "12/05/2026 12:28 AM". For dates that need the year (deadlines in the chatter)."""
    if not value:
        return ""
    lang, locale = _lang_locale(env, lang_code)
    posix = f"{lang.date_format} {lang.time_format}".replace(":%S", "")
    return babel.dates.format_datetime(_localize(value, tz), posix_to_ldml(posix, locale=locale), locale=locale)


def format_moment(env, value, tz=None, lang_code=None):
    """A moment of the coming days, weekday first, no year: "12月5日（週六）00:28", "Sat, Dec 5, 12:28 AM"."""
    if not value:
        return ""
    lang, locale = _lang_locale(env, lang_code)
    day = DAY_PATTERNS.get(locale.language) or locale.datetime_skeletons["MMMEd"].pattern
    glue = DAY_TIME_GLUE.get(locale.language) or str(locale.datetime_formats["medium"])
    pattern = glue.replace("{1}", day).replace("{0}", _time_pattern(lang, locale))
    return babel.dates.format_datetime(_localize(value, tz), pattern, locale=locale)


def format_time_local(env, value, tz=None, lang_code=None):
    """The time of day of `value` (naive UTC) in `tz`: "00:28", "12:28 AM"."""
    if not value:
        return ""
    lang, locale = _lang_locale(env, lang_code)
    return babel.dates.format_datetime(_localize(value, tz), _time_pattern(lang, locale), locale=locale)


def format_tz_name(env, tz, lang_code=None):
    """A time zone as people name it: "台北時間", "Taipei Time", "Eastern Time" (not "Asia/Taipei")."""
    if not tz:
        return ""
    _lang, locale = _lang_locale(env, lang_code)
    if tz in UTC_NAMES:
        return "UTC"
    tzinfo = _tzinfo(tz)
    if tz.startswith("Etc/") or tzinfo is pytz.utc:  # no place: its offset
        return babel.dates.get_timezone_gmt(datetime.now(tzinfo), locale=locale)
    return babel.dates.get_timezone_name(tzinfo, zone_variant="generic", locale=locale)


def bracket(env, text, aside, lang_code=None):
    """`text (aside)`, with the brackets of the language: "09:00 (Taipei Time)", "09:00（台北時間）"."""
    _lang, locale = _lang_locale(env, lang_code)
    return (BRACKETS.get(locale.language) or "{} ({})").format(text, aside)


def format_moment_tz(env, value, tz=None, lang_code=None):
    """A moment in the customer's time, their time zone named: "12月5日（週六）00:28（台北時間）"."""
    if not value:
        return ""
    return bracket(env, format_moment(env, value, tz, lang_code), format_tz_name(env, tz, lang_code), lang_code)


def format_long_date(env, value, lang_code=None):
    """A date to read aloud, month in words: "2026年12月5日", "December 5, 2026"."""
    if not value:
        return ""
    _lang, locale = _lang_locale(env, lang_code)
    return babel.dates.format_date(value, "long", locale=locale)


def format_month(env, month, lang_code=None):
    """'December 2026', '2026年12月': the month as each language writes it."""
    if not month:
        return ""
    _lang, locale = _lang_locale(env, lang_code)
    return babel.dates.format_skeleton("yMMMM", month, locale=locale)
