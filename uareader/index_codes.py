"""Country named by the region and country number of an Amnesty International (AI) index.

An AI index such as "AMR 53/1059/2026" starts with a region (AFR, AMR, ASA, EUR, MDE) and a
two-digit country number. Knowing which country that pair stands for lets us name the country of
a document whose text never states it, and cross-check the country a document does state.

Source: entries without a note were each checked against at least one real Amnesty document that
shows the index next to the country it is about (Urgent Actions, reports and public statements on
amnesty.org and mirrors of them). Entries marked "general knowledge" were not found in a document
during that check but follow Amnesty's long-standing numbering; we only kept those we are sure of.
Left out on purpose, because one number covers more than one country or territory, or was
renumbered: MDE 15 (Israel and the Occupied Palestinian Territories), MDE 29 (Morocco/Western
Sahara), EUR 70 (Serbia, also used for Kosovo) and ASA 19 (Hong Kong, later filed under ASA 17).
A code missing here means "unknown", never "no country".
"""

from __future__ import annotations

#: Region and country number of an AI index ("AMR 53") -> ISO 3166-1 alpha-2 code.
INDEX_COUNTRIES: dict[str, str] = {
    "AFR 12": "AO",  # Angola (general knowledge)
    "AFR 16": "BI",  # Burundi (general knowledge)
    "AFR 17": "CM",  # Cameroon
    "AFR 19": "CF",  # Central African Republic (general knowledge)
    "AFR 20": "TD",  # Chad (general knowledge)
    "AFR 25": "ET",  # Ethiopia
    "AFR 27": "GM",  # Gambia (general knowledge)
    "AFR 29": "GN",  # Guinea (general knowledge)
    "AFR 31": "CI",  # Côte d'Ivoire (general knowledge)
    "AFR 32": "KE",  # Kenya (general knowledge)
    "AFR 34": "LR",  # Liberia (general knowledge)
    "AFR 35": "MG",  # Madagascar (general knowledge)
    "AFR 36": "MW",  # Malawi (general knowledge)
    "AFR 37": "ML",  # Mali (general knowledge)
    "AFR 38": "MR",  # Mauritania (general knowledge)
    "AFR 41": "MZ",  # Mozambique (general knowledge)
    "AFR 43": "NE",  # Niger (general knowledge)
    "AFR 44": "NG",  # Nigeria
    "AFR 46": "ZW",  # Zimbabwe
    "AFR 47": "RW",  # Rwanda (general knowledge)
    "AFR 49": "SN",  # Senegal (general knowledge)
    "AFR 51": "SL",  # Sierra Leone (general knowledge)
    "AFR 52": "SO",  # Somalia (general knowledge)
    "AFR 53": "ZA",  # South Africa (general knowledge)
    "AFR 54": "SD",  # Sudan
    "AFR 56": "TZ",  # Tanzania (general knowledge)
    "AFR 57": "TG",  # Togo (general knowledge)
    "AFR 59": "UG",  # Uganda (general knowledge)
    "AFR 60": "BF",  # Burkina Faso (general knowledge)
    "AFR 62": "CD",  # Democratic Republic of the Congo (general knowledge)
    "AFR 63": "ZM",  # Zambia (general knowledge)
    "AFR 64": "ER",  # Eritrea (general knowledge)
    "AFR 65": "SS",  # South Sudan (general knowledge)
    "AMR 13": "AR",  # Argentina (general knowledge)
    "AMR 18": "BO",  # Bolivia
    "AMR 19": "BR",  # Brazil
    "AMR 20": "CA",  # Canada (general knowledge)
    "AMR 22": "CL",  # Chile
    "AMR 23": "CO",  # Colombia
    "AMR 25": "CU",  # Cuba
    "AMR 27": "DO",  # Dominican Republic (general knowledge)
    "AMR 28": "EC",  # Ecuador
    "AMR 29": "SV",  # El Salvador
    "AMR 34": "GT",  # Guatemala
    "AMR 36": "HT",  # Haiti
    "AMR 37": "HN",  # Honduras
    "AMR 38": "JM",  # Jamaica (general knowledge)
    "AMR 41": "MX",  # Mexico
    "AMR 43": "NI",  # Nicaragua
    "AMR 45": "PY",  # Paraguay (general knowledge)
    "AMR 46": "PE",  # Peru
    "AMR 49": "TT",  # Trinidad and Tobago (general knowledge)
    "AMR 51": "US",  # United States of America
    "AMR 52": "UY",  # Uruguay (general knowledge)
    "AMR 53": "VE",  # Venezuela
    "ASA 11": "AF",  # Afghanistan (general knowledge)
    "ASA 12": "AU",  # Australia (general knowledge)
    "ASA 13": "BD",  # Bangladesh (general knowledge)
    "ASA 16": "MM",  # Myanmar
    "ASA 17": "CN",  # China
    "ASA 20": "IN",  # India
    "ASA 21": "ID",  # Indonesia (general knowledge)
    "ASA 22": "JP",  # Japan (general knowledge)
    "ASA 23": "KH",  # Cambodia (general knowledge)
    "ASA 24": "KP",  # North Korea (general knowledge)
    "ASA 25": "KR",  # South Korea (general knowledge)
    "ASA 26": "LA",  # Laos (general knowledge)
    "ASA 28": "MY",  # Malaysia (general knowledge)
    "ASA 29": "MV",  # Maldives (general knowledge)
    "ASA 31": "NP",  # Nepal (general knowledge)
    "ASA 33": "PK",  # Pakistan
    "ASA 34": "PG",  # Papua New Guinea (general knowledge)
    "ASA 35": "PH",  # Philippines (general knowledge)
    "ASA 36": "SG",  # Singapore (general knowledge)
    "ASA 37": "LK",  # Sri Lanka (general knowledge)
    "ASA 38": "TW",  # Taiwan (general knowledge)
    "ASA 39": "TH",  # Thailand (general knowledge)
    "ASA 41": "VN",  # Viet Nam
    "ASA 57": "TL",  # Timor-Leste (general knowledge)
    "EUR 21": "FR",  # France (general knowledge)
    "EUR 25": "GR",  # Greece (general knowledge)
    "EUR 27": "HU",  # Hungary (general knowledge)
    "EUR 30": "IT",  # Italy (general knowledge)
    "EUR 37": "PL",  # Poland (general knowledge)
    "EUR 41": "ES",  # Spain (general knowledge)
    "EUR 44": "TR",  # Türkiye
    "EUR 45": "GB",  # United Kingdom (general knowledge)
    "EUR 46": "RU",  # Russian Federation
    "EUR 49": "BY",  # Belarus (general knowledge)
    "EUR 50": "UA",  # Ukraine (general knowledge)
    "EUR 54": "AM",  # Armenia (general knowledge)
    "EUR 55": "AZ",  # Azerbaijan (general knowledge)
    "EUR 56": "GE",  # Georgia (general knowledge)
    "EUR 57": "KZ",  # Kazakhstan (general knowledge)
    "EUR 58": "KG",  # Kyrgyzstan (general knowledge)
    "EUR 59": "MD",  # Moldova (general knowledge)
    "EUR 60": "TJ",  # Tajikistan (general knowledge)
    "EUR 61": "TM",  # Turkmenistan (general knowledge)
    "EUR 62": "UZ",  # Uzbekistan (general knowledge)
    "EUR 63": "BA",  # Bosnia and Herzegovina (general knowledge)
    "EUR 64": "HR",  # Croatia (general knowledge)
    "EUR 65": "MK",  # North Macedonia (general knowledge)
    "MDE 11": "BH",  # Bahrain
    "MDE 12": "EG",  # Egypt
    "MDE 13": "IR",  # Iran
    "MDE 14": "IQ",  # Iraq
    "MDE 16": "JO",  # Jordan (general knowledge)
    "MDE 17": "KW",  # Kuwait (general knowledge)
    "MDE 18": "LB",  # Lebanon (general knowledge)
    "MDE 19": "LY",  # Libya (general knowledge)
    "MDE 22": "QA",  # Qatar (general knowledge)
    "MDE 23": "SA",  # Saudi Arabia
    "MDE 24": "SY",  # Syria
    "MDE 25": "AE",  # United Arab Emirates (general knowledge)
    "MDE 28": "DZ",  # Algeria (general knowledge)
    "MDE 30": "TN",  # Tunisia (general knowledge)
    "MDE 31": "YE",  # Yemen (general knowledge)
}
