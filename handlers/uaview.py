"""How a UA reads in a chat: the texts of each walkthrough step, in one language.

Every function takes the ``Translator`` explicitly, so broadcasts and reminders format the
same words for many people in their own languages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from handlers.i18n import Translator
from storage.models import UAText, UAUpdate
from storage.statuses import UpdateStatus
from uareader.phrases import N_, Phrase

STEPS = 5
#: A title is a line; 300 characters keep any message far under Telegram's 4,096 however
#: long a document's title ran.
TITLE_LIMIT = 300


def shortened(text: str, limit: int) -> str:
    """``text`` cut at a word before ``limit`` characters, with an ellipsis."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


KIND_LABELS = {
    "letter": N_("I sent a letter"),
    "email": N_("I sent an email"),
    "social": N_("I posted on social media"),
}
STATUS_LABELS: dict[str, str] = {
    UpdateStatus.DRAFT: N_("draft"),
    UpdateStatus.PUBLISHED: N_("published"),
    UpdateStatus.SUPERSEDED: N_("superseded"),
}
LANGUAGE_LABELS = {
    "en": N_("English"),
    "es": N_("Spanish"),
    "fr": N_("French"),
    "pt": N_("Portuguese"),
    "ar": N_("Arabic"),
    "ru": N_("Russian"),
    "zh": N_("Chinese"),
    "de": N_("German"),
}


def pick_text(update: UAUpdate, language: str) -> tuple[UAText, bool]:
    """The update's text in ``language``, else English, else any; True when it fell back."""
    by_language = {text.language: text for text in update.texts}
    if language in by_language:
        return by_language[language], False
    fallback = by_language.get("en") or next(iter(by_language.values()))
    return fallback, True


# Amnesty names a case's documents "Second UA", "Seventh UA", and actions are reported
# against that name ("report your action(s) on Seventh UA 72.24"), so the bot names them
# the same way; "update N" did not, since documents number their updates from 1 as well
# ("Update No. 1" is the second document).
NTH_UA = (
    N_("First UA"),
    N_("Second UA"),
    N_("Third UA"),
    N_("Fourth UA"),
    N_("Fifth UA"),
    N_("Sixth UA"),
    N_("Seventh UA"),
    N_("Eighth UA"),
    N_("Ninth UA"),
    N_("Tenth UA"),
    N_("Eleventh UA"),
    N_("Twelfth UA"),
)


def nth_ua(ordinal: int) -> Phrase:
    """ "Seventh UA": the document's place in its case's series, in words up to twelve."""
    if 1 <= ordinal <= len(NTH_UA):
        return Phrase(NTH_UA[ordinal - 1])
    if ordinal % 100 in (11, 12, 13) or ordinal % 10 not in (1, 2, 3):
        return Phrase(N_("{ordinal}th UA"), ordinal=ordinal)
    suffixed = (N_("{ordinal}st UA"), N_("{ordinal}nd UA"), N_("{ordinal}rd UA"))
    return Phrase(suffixed[ordinal % 10 - 1], ordinal=ordinal)


def ua_phrase(number: str | None, ordinal: int) -> Phrase:
    """ "UA 72/24" for a case's first document, "Seventh UA 72/24" for its seventh."""
    if number is None:
        unnumbered = Phrase(N_("UA without a number yet"))
        return (
            unnumbered
            if ordinal == 1
            else Phrase("{ua} · {nth}", ua=unnumbered, nth=nth_ua(ordinal))
        )
    if ordinal == 1:
        return Phrase(N_("UA {number}"), number=number)
    return Phrase("{nth} {number}", nth=nth_ua(ordinal), number=number)


def ua_label(tr: Translator, update: UAUpdate) -> str:
    return tr.say(ua_phrase(update.case.number, update.ordinal))


def deadline_line(tr: Translator, update: UAUpdate, today: date) -> str:
    if update.deadline is None:  # only a draft, seen by staff
        return tr.gettext("No deadline set yet.")
    days = (update.deadline - today).days
    when = tr.date(update.deadline)
    if days < 0:
        return tr.gettext("The deadline was {date}.").format(date=when)
    if days == 0:
        return tr.gettext("Deadline: today, {date}.").format(date=when)
    return tr.ngettext(
        "Deadline: {date} ({days} day left).", "Deadline: {date} ({days} days left).", days
    ).format(date=when, days=days)


def _fallback_note(tr: Translator, fell_back: bool) -> list[str]:
    if not fell_back:
        return []
    return [tr.gettext("(This Urgent Action is not yet available in your language.)"), ""]


def case_step(tr: Translator, update: UAUpdate, today: date) -> str:
    text, fell_back = pick_text(update, tr.language)
    lines = [*_fallback_note(tr, fell_back), ua_label(tr, update), "", text.title, ""]
    if text.summary:
        lines += [text.summary, ""]
    if text.name_pronoun:
        lines.append(tr.gettext("Who is at risk: {who}").format(who=text.name_pronoun))
    lines.append(deadline_line(tr, update, today))
    return "\n".join(lines)


def format_contact(tr: Translator, contact: dict[str, Any]) -> str:
    """A recipient as supporters see it, ready to copy onto an envelope."""
    return "\n".join(contact_lines(tr, contact))


def contact_lines(
    tr: Translator,
    contact: dict[str, Any],
    marked: Callable[[str | None, str | None], str] | None = None,
) -> list[str]:
    """A recipient's lines in envelope order: organisation, name, office, address, email,
    social media. With ``marked`` (the organiser's preview) a field the reader doubted or
    assumed shows its mark, and a missing name shows, marked doubtful, unless an
    organisation stands in for it."""
    marks: dict[str, str] = (contact.get("marks") or {}) if marked else {}
    show = marked or (lambda value, _mark: value or "")
    name, organisation = contact.get("name") or "", contact.get("organisation")
    lines = [organisation] if organisation else []
    name_mark = marks.get("name") or (None if name or organisation or not marked else "doubtful")
    if name or name_mark:
        lines.append(show(name, name_mark))
    if contact.get("title"):
        lines.append(contact["title"])
    lines += list(contact.get("address") or [])
    if contact.get("email") or marks.get("email"):
        email = show(contact.get("email"), marks.get("email"))
        lines.append(tr.gettext("Email: {email}").format(email=email))
    if contact.get("social"):
        lines.append(tr.gettext("Social media: {handle}").format(handle=contact["social"]))
    return lines


def language_name(tr: Translator, code: str | None) -> str:
    return tr.gettext(LANGUAGE_LABELS[code]) if code in LANGUAGE_LABELS else (code or "")


def recipients(update: UAUpdate, which: str, text: UAText | None = None) -> list[dict[str, Any]]:
    """Who to write to (``which``: "targets") or to copy ("cc"): ``text``'s list, else the
    first version's that has one, English first. The list is one for every language (the
    chat writes it to each version), so a version a document gave none shows another's."""
    versions = [text] if text is not None else []
    versions += sorted(update.texts, key=lambda version: version.language != "en")
    return next((list(getattr(v, which)) for v in versions if getattr(v, which)), [])


def targets_step(tr: Translator, update: UAUpdate) -> str:
    text, fell_back = pick_text(update, tr.language)
    lines = [*_fallback_note(tr, fell_back), tr.gettext("Who to write to:"), ""]
    targets = recipients(update, "targets", text)
    if not targets:
        lines.append(tr.gettext("This UA names no official; the letter step says whom to address."))
    for contact in targets:
        lines += [format_contact(tr, contact), ""]
    if update.preferred_language:
        lines.append(
            tr.gettext("Write in {language} if you can, or in your own language.").format(
                language=language_name(tr, update.preferred_language)
            )
        )
    return "\n".join(lines).strip()


def letter_language(update: UAUpdate, supporter_language: str) -> str:
    """The letter shown first: the target's preferred language where the UA has it."""
    languages = {text.language for text in update.texts}
    if update.preferred_language in languages:
        return update.preferred_language
    return pick_text(update, supporter_language)[0].language


def letter_body(text: UAText) -> str:
    return "\n\n".join(part for part in (text.salutation, text.letter) if part)


def letter_text(update: UAUpdate, language: str) -> UAText:
    """The version whose letter a supporter gets in ``language``: another version's where
    this one has none yet (an organiser typed its title, not its letter)."""
    text, _ = pick_text(update, language)
    if not text.letter:
        text = next((other for other in update.texts if other.letter), text)
    return text


def letter_step(tr: Translator, update: UAUpdate, language: str) -> str:
    text = letter_text(update, language)
    intro = tr.gettext("The sample letter, in {language}. Use it as it is or in your own words.")
    body = letter_body(text) or tr.gettext("This UA has no sample letter: write in your own words.")
    return intro.format(language=language_name(tr, text.language)) + "\n\n" + body


def cc_step(tr: Translator, update: UAUpdate) -> str:
    text, _ = pick_text(update, tr.language)
    copies = recipients(update, "cc", text)
    if not copies:
        return tr.gettext("This UA asks for no copy. Go on to report your action.")
    lines = [tr.gettext("Send a copy of your letter to:"), ""]
    for contact in copies:
        lines += [format_contact(tr, contact), ""]
    return "\n".join(lines).strip()


def report_step(tr: Translator, update: UAUpdate, reported: set[str]) -> str:
    lines = [tr.gettext("Did you act? Tell me, so we can report the numbers to the officials.")]
    if reported:
        done = ", ".join(tr.gettext(KIND_LABELS[kind]) for kind in sorted(reported))
        lines += ["", tr.gettext("Already reported: {done}").format(done=done)]
    return "\n".join(lines)


def acted_line(tr: Translator, update: UAUpdate, people: int) -> str:
    """What a person who just acted is told: ``people`` counts everyone who acted on the UA
    number, each once whatever the updates they acted on, them included."""
    ua = tr.gettext("UA {number}").format(number=update.case.number)
    if people <= 1:
        return tr.gettext("You are the first to act on {ua}.").format(ua=ua)
    others = people - 1
    return tr.ngettext(
        "You and {count} other person have acted on {ua}.",
        "You and {count} other people have acted on {ua}.",
        others,
    ).format(count=tr.number(others), ua=ua)


def deep_link(bot_username: str, number: str) -> str:
    """The link that opens a UA's walkthrough in a private chat with the bot."""
    return "https://t.me/{}?start=ua-{}".format(bot_username, number.replace("/", "-"))


def share_link(bot_username: str, number: str, line: str) -> str:
    """Telegram's share sheet, filled with the UA's deep link and ``line``: the supporter
    picks the chats to send it to."""
    return "https://t.me/share/url?" + urlencode(
        {"url": deep_link(bot_username, number), "text": line}
    )
