"""The words that head the parts of a UA document, in English and Spanish: the UA
heading, the action block, who to write to, the copy, the background and the labelled
lines at the end ("PREFERRED LANGUAGE:", "UNTIL:"). Layouts from 1990 on write each in
many ways; one place for them keeps the reader and the letter's finder in step."""

from __future__ import annotations

import re

#: The heading, also run into the title a copy glued to it ("Acción UrgenteMéxico: ...").
HEADING = re.compile(
    r"^\W*(?:URGENT ACTION|ACCI[OÓ]N URGENTE)(?:\b|(?=(?-i:[A-ZÁÉÍÓÚÑ][a-záéíóúñ])))\s*(.*)$",
    re.I,
)

#: "Title:", and the review form's "URGENT ACTION TITLE:" (2017 template).
TITLE_LABEL = re.compile(
    r"(?i)^(?:(?:urgent\s+action|acci[oó]n\s+urgente)\s+)?(?:title|t[ií]tulo)\s*:\s*"
)

#: What an appeal page without a number says: an invitation to write, a model letter.
APPEAL_SIGNS = re.compile(
    r"(?i)\b(?:carta\s+modelo|modelo\s+de\s+carta|llamamientos?|escriban|escribe\s+a|"
    r"escrib[ae]\s+una\s+carta|write\s+to|write\s+a\s+letter|sample\s+letter|model\s+letter|"
    r"send\s+appeals?|send\s+(?:\w+\s+)?letters|env[ií]en?\s+(?:sus\s+)?(?:cartas|llamamientos)|"
    r"i\s+am\s+writing\s+to|le\s+escribo|me\s+dirijo\s+a\s+usted|i\s+urge\s+you|"
    r"i\s+call\s+on\s+you|le\s+insto|le\s+ruego|le\s+pido)\b"
)

#: How an official is addressed on an envelope ("His Majesty ...", "Su Excelencia ..."):
#: with an invitation to write, the page is an appeal even without a letter.
ENVELOPE_HONORIFIC = re.compile(
    r"(?i)^(?:his|her|their|su|sus)\s+(?:excellency|majesty|highness|excelencia|majestad|alteza)\b"
)

#: "Urgent Action update: <title>", "Acción urgente: <title>": a title run into the heading.
RUN_IN_TITLE = re.compile(
    r"(?i)^\s*(?:[:|–—-]\s*)?(?:(?:update|actualizaci[oó]n)\b\s*[:|–—-]?|[:|–—-])\s*"
)

UA_WORDS = re.compile(r"(?i)\burgent\s+action|\bacci[oó]n\s+urgente")

#: The heading of the action block: alone on its line or followed by a colon, so that
#: "ACTÚA LO ANTES POSIBLE Y NO MÁS TARDE DEL: ..." (a deadline) is not taken for it.
TAKE_ACTION = re.compile(
    r"^(?:TAKE ACTION|ACT[UÚ]A(?:N)?|ACT[UÚ]EN|TOMA ACCI[OÓ]N|PASA A LA ACCI[OÓ]N|"
    r"RECOMMENDED ACTION|ACCI[OÓ]N RECOMENDADA|WHAT YOU CAN DO|QU[EÉ] PUEDES HACER)"
    r"\s*(?::|[.?!]?$)",
    re.I,
)

POINTS_INTRO = re.compile(
    r"(?i)^(?:please\s+)?(?:write|escrib\w*|env[ií]en)\b.*(?:language|idioma|lengua|"
    r"immediately|inmediatamente|urgently|urgentemente|urging|calling\s+on|pidi[eé]ndole|"
    r"inst[aá]ndole)[^:]*:\s*$|^recommended action\b.*:"
)

APPEALS_TO = re.compile(
    r"(?i)^(?:appeals?\s+to\b|write\s+to\b|escrib[eií]\s+a\b|escriban\s+a\b|"
    r"(?:write|send)\s+a\s+letter\s*:\s*$|escrib[ae]\s+una\s+carta\s*:\s*$|"
    r"contact\b.*\bofficials?\b.*:\s*$|"
    r"env[ií]\w*\s+(?:sus\s+)?llamamientos\s+a\b)|"
    r"(?:\bsend\s+appeals\b|\bwrite\b|llamamientos\b|\bescrib\w*\b).{0,150}\b(?:to|a)\s*:\s*$"
)

#: Who to write to under a heading of its own after the letter (the 2017 review form:
#: "TARGET'S CONTACT DETAILS & "COPIES TO"").
CONTACT_DETAILS = re.compile(
    r"(?i)^(?:target[’']?s?\s+)?contact\s+details\b|^datos\s+de\s+contacto\b"
)

#: The review form's label over the summary: "URGENT ACTION SUMMARY:", "RESUMEN:".
SUMMARY_LABEL = re.compile(
    r"(?i)^(?:(?:urgent\s+action|acci[oó]n\s+urgente)\s+)?(?:summary|resumen)\s*:\s*(.*)$"
)
#: A form's label in capitals, alone or before its value ("APPEAL DEADLINE NOTICE: ...",
#: "PREFERRED LANGUAGE TO ADDRESS TARGET: Spanish"): the end of the block above it.
CAPS_LABEL = re.compile(r"^[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ'’&/ ]{5,}(?::|$)")

COPY_INTRO = re.compile(
    r"(?i)^(?:send a copy|(?:and\s+|also\s+send\s+)?copies\s+to|copy\s+to|(?:and\s+)?copy\s*:|"
    r"env[ií]\w*\s+(?:una\s+)?copias?|(?:y\s+)?copias?\s+a\b)"
)

ADDITIONAL = re.compile(
    r"^(?:ADDITIONAL INFORMATION|INFORMACI[OÓ]N ADICIONAL|BACKGROUND(?: INFORMATION)?|"
    r"INFORMACI[OÓ]N (?:GENERAL|DE CONTEXTO|COMPLEMENTARIA)|CONTEXTO)\b\s*:?\s*",
    re.I,
)

PREFERRED_LANGUAGE = re.compile(
    r"^(?:PREFERRED LANGUAGE(?: TO ADDRESS (?:THE )?TARGETS?)?|IDIOMA PREFERENTE[^:]*|"
    r"IDIOMA PREFERIDO[^:]*|LENGUA PREFERIDA[^:]*)\s*:\s*(.*)$",
    re.I,
)

DEADLINE_TRAILER = re.compile(
    r"^(?:.*?\b(?:UNTIL|ANTES DEL|HASTA(?: EL)?|NO M[AÁ]S TARDE DEL?)|DEADLINE|"
    r"FECHA L[IÍ]MITE[^:]*)\s*:\s*(.*)$",
    re.I,
)

NAME_PRONOUN = re.compile(
    r"^(?:NAME AND PREFERRED PRONOUNS?|NOMBRE Y (?:PRONOMBRE|G[EÉ]NERO)[^:]*)\s*:\s*(.*)$", re.I
)

PREVIOUS_LINK = re.compile(
    r"^(?:LINK TO (?:THE )?PREVIOUS UA|ENLACE A LA (?:AU|ACCI[OÓ]N)[^:]*)\s*:\s*(.*)$", re.I
)

#: "Please write immediately in Arabic, English or your own language:", "Escriban ... en
#: persa, en inglés o en su propio idioma:": older layouts name the officials' language here.
LANGUAGES_ASKED = re.compile(
    r"(?i)\b(?:in|en)\s+([^:]{3,80}?)\s*,?\s+(?:or|o|u)\s+(?:in\s+|en\s+)?(?:your|su|tu)\s+"
    r"(?:own\s+|propio\s+)?(?:language|idioma|lengua)"
)

TRAILERS = (PREFERRED_LANGUAGE, DEADLINE_TRAILER, NAME_PRONOUN, PREVIOUS_LINK)

#: Lines of a web page's navigation or footer, copied along with a UA.
NAVIGATION = re.compile(
    r"(?i)^(?:skip to (?:main )?content|log ?in|sign ?in|sign up|donate|dona(?:r)?|menu|"
    r"men[uú]|search|buscar|share|compartir|home|inicio|english|español|français|"
    r"português|العربية|ir al contenido(?: principal)?|iniciar sesi[oó]n|hazte soci[oa]|"
    r"[uú]nete|join|contact(?: us)?|contacto|privacy(?: policy)?|cookies?|"
    r"pol[ií]tica de privacidad|take action|act[uú]a|facebook|twitter|instagram|youtube|"
    r"tiktok|x|linkedin|whatsapp|email|print|imprimir|back to top|volver arriba|"
    r"©.*|copyright.*)$"
)
