"""Every message has a Korean translation, compiled and committed (no gettext needed at run time)."""

import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from config.errors import ApiError

PO_FILES = sorted(Path(settings.BASE_DIR).glob("*/locale/ko/LC_MESSAGES/django.po"))


def _po_entries(path: Path) -> dict[str, str]:
    entries, msgid, msgstr, current = {}, None, None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgid "):
            if msgid:
                entries[msgid] = msgstr
            msgid, msgstr, current = line[7:-1], "", "id"
        elif line.startswith("msgstr "):
            msgstr, current = line[8:-1], "str"
        elif line.startswith('"') and current == "id":
            msgid += line[1:-1]
        elif line.startswith('"') and current == "str":
            msgstr += line[1:-1]
    if msgid:
        entries[msgid] = msgstr
    return entries


@pytest.mark.parametrize("po_path", PO_FILES, ids=[str(path.parts[-5]) for path in PO_FILES])
def test_catalogue_is_complete_and_compiled(po_path):
    entries = _po_entries(po_path)
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert not untranslated, f"untranslated in {po_path}: {untranslated}"
    with open(po_path.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid in entries if compiled.gettext(msgid.encode().decode("unicode_escape")) == msgid]
    assert not stale, f"{po_path.with_suffix('.mo')} is out of date; run msgfmt: {stale}"


def _all_error_classes(cls=ApiError):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _all_error_classes(subclass)


def test_every_error_code_has_a_korean_message():
    from django.apps import apps

    for app_config in apps.get_app_configs():
        try:
            __import__(f"{app_config.name}.errors")
        except ModuleNotFoundError:
            continue
    missing = []
    for error_class in _all_error_classes():
        with translation.override("en"):
            english = str(error_class.default_message)
        with translation.override("ko"):
            korean = str(error_class.default_message)
        if korean == english:
            missing.append(f"{error_class.__module__}.{error_class.__name__}")
    assert not missing, f"no Korean message for: {missing}"
