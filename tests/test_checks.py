"""uareader.checks and the recipients it lets through: each shape organisers met, written
here in our own words with invented people, read right or left empty and flagged."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import fixture_bytes
from uareader.checks import name_problem
from uareader.contacts import Contact
from uareader.document import UADocumentError, parse_text
from uareader.vocabulary import country_named, index_country

HEAD = (
    "URGENT ACTION\nPROTESTER HELD WITHOUT CHARGE\nUA: 118/25 Index: {index} Date: 3 March 2025\n"
)
LETTER = (
    "Dear Minister,\nI am writing to ask you to release Tomas Quispe at once and without "
    "conditions, and to protect him from torture while he is held.\nYours sincerely,\n"
)


def read(addresses: str, index: str = "AMR 46/2201/2025", story: str = "") -> list[Contact]:
    story = story or "Tomas Quispe was detained on 1 March 2025.\n"
    text = f"{HEAD.format(index=index)}\n{story}\nTAKE ACTION\n\n{addresses}\n\n{LETTER}"
    return parse_text(text).targets


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("Av. Abancay s/n, PO Box 1823", "address"),
        ("Chemin du Lac 28", "address"),
        ("BACKGROUND INFORMATION", "heading"),
        ("CONTACT INFORMATION:", "heading"),
        ("Page 2 of 3", "debris"),
        ("Index: AMR 46/2201/2025", "debris"),
        ("Lima, 3 de marzo de 2025", "debris"),
        ("IRAN: Amina Yusuf (f)", "person at risk"),
        ("Tomas Quispe, 34, journalist", "person at risk"),
        ("Fax: +51 1 555 0101", "phone"),
        ("Please write to the authorities before the trial opens next week.", "sentence"),
        ("Minister Carla Méndez", None),
        ("His Excellency, Gholamhossein Mohseni Ejei", None),
        ("Sra. Irene Solís", None),
    ],
)
def test_a_line_is_checked_for_being_a_name(line: str, problem: str | None) -> None:
    assert name_problem(line) == problem


def test_a_street_and_post_box_are_never_the_name() -> None:
    (target,) = read("Av. Abancay s/n, PO Box 1823\nLima Central Post Office")
    assert target.name == "" and target.title is None
    assert target.address == ["Av. Abancay s/n, PO Box 1823", "Lima Central Post Office"]
    assert target.marks == {"name": "doubtful"}


def test_headings_footers_and_index_lines_are_not_recipients() -> None:
    targets = read(
        "CONTACT INFORMATION\nMinister Carla Méndez\nMinistry of the Interior\nJr. Junín 210\n"
        "Lima 1, Peru\n\nPage 2 of 3\n\nBACKGROUND INFORMATION"
    )
    assert [t.name for t in targets] == ["Minister Carla Méndez"]
    assert targets[0].address == ["Jr. Junín 210", "Lima 1, Peru"]


@pytest.mark.parametrize("person", ["IRAN: Amina Yusuf (f)", "Amina Yusuf, 34", "Kamal Idris (m)"])
def test_the_person_at_risk_is_not_the_official(person: str) -> None:
    targets = read(f"Minister Carla Méndez\nJr. Junín 210\nLima 1, Peru\n\n{person}")
    assert [t.name for t in targets] == ["Minister Carla Méndez"]


def test_an_office_and_its_excellency_on_the_next_block_are_one_recipient() -> None:
    targets = read(
        "Head of the Judiciary\n\nHis Excellency, Gholamhossein Mohseni Ejei\n"
        "c/o Permanent Mission of Iran to the UN\nChemin du Petit-Saconnex 28\n"
        "1209 Geneva, Switzerland",
        index="MDE 13/7001/2025",
    )
    (target,) = targets
    assert (target.name, target.title) == (
        "His Excellency, Gholamhossein Mohseni Ejei",
        "Head of the Judiciary",
    )
    assert target.address[0] == "c/o Permanent Mission of Iran to the UN"


def test_a_care_of_line_above_the_name_goes_to_the_address() -> None:
    (target,) = read(
        "c/o Embassy of Peru\nMinister Carla Méndez\n1700 Massachusetts Avenue NW\nWashington DC"
    )
    assert target.name == "Minister Carla Méndez"
    assert target.address[0] == "c/o Embassy of Peru"


def test_web_copy_debris_is_removed_or_flagged_never_shown() -> None:
    hidden, glued, spelt = read(
        "Minister Carla Méndez\nJr. Junín 210, Lima\nEmail: [email protected]\n\n"
        "Prosecutor Luis Vera\nAv. Abancay 491, Lima\n"
        "Email: fiscal@mp.example opens in a new tab\n\n"
        "Judge Ana Paz\nJr. Azángaro 1, Lima\nEmail: ana.paz [at] pj [dot] example"
    )
    assert hidden.email is None and hidden.marks == {"email": "doubtful"}
    assert glued.email == "fiscal@mp.example" and not glued.marks
    assert spelt.email == "ana.paz@pj.example"


def test_a_letter_that_names_its_addressee_gives_the_recipient_when_none_is_listed() -> None:
    text = (
        HEAD.format(index="AMR 46/2201/2025")
        + "\nTomas Quispe was detained.\n\nDear Director Juan Pérez,\nI am writing to ask you "
        "to release Tomas Quispe at once and without conditions, and to protect him.\n"
        "Yours sincerely,\n"
    )
    draft = parse_text(text)
    assert [(t.name, t.marks) for t in draft.targets] == [
        ("Director Juan Pérez", {"name": "assumed"})
    ]
    assert "taken from the letter's salutation" in str(draft.warnings)


def test_a_letter_to_an_office_alone_gives_no_recipient() -> None:
    text = HEAD.format(index="AMR 46/2201/2025") + "\nTomas Quispe was detained.\n\n" + LETTER
    assert parse_text(text).targets == []


def test_a_spanish_block_is_read_as_one_recipient() -> None:
    text = (
        "ACCIÓN URGENTE\nPERIODISTA DETENIDO SIN CARGOS\nAU: 118/25 Índice: AMR 46/2201/2025 "
        "Fecha: 3 de marzo de 2025\n\nTomás Quispe fue detenido el 1 de marzo.\n\nACTÚA:\n\n"
        "Fiscal de la Nación\nSra. Delia Espinoza\nAv. Abancay 491, Lima 1\n"
        "Correo-e: fiscalia@mp.example\nTratamiento: Señora Fiscal\n\n"
        "Señora Fiscal:\nLe escribo para pedirle que ponga en libertad a Tomás Quispe de "
        "inmediato y sin condiciones.\nAtentamente,\n"
    )
    draft = parse_text(text)
    (target,) = draft.targets
    assert (target.name, target.title, target.email) == (
        "Sra. Delia Espinoza",
        "Fiscal de la Nación",
        "fiscalia@mp.example",
    )
    assert draft.country == "Perú" and draft.marks == {"country": "assumed"}


def test_the_country_comes_from_the_index_when_the_text_names_none() -> None:
    draft = parse_text(HEAD.format(index="AMR 53/1059/2026") + "\nSomeone was detained.\n")
    assert draft.country == "Venezuela" and draft.marks == {"country": "assumed"}


def test_a_country_the_index_contradicts_is_flagged() -> None:
    text = "UA: 12/26 Index: AMR 53/1059/2026 Colombia Date: 2 May 2026\nURGENT ACTION\n"
    draft = parse_text(text)
    assert draft.country == "Colombia" and draft.marks == {"country": "doubtful"}
    assert "filed under Venezuela" in str(draft.warnings)


@pytest.mark.parametrize(
    "value", ["Distr: UA/SC", "Tel: +58 212 555 0101", "Zulia State", "Provincia de Lima 15001"]
)
def test_what_is_no_country_is_not_taken_as_one(value: str) -> None:
    assert country_named(value) is None
    text = f"UA: 12/26 Index: AMR 99/1059/2026 {value} Date: 2 May 2026\nURGENT ACTION\n"
    assert parse_text(text).country is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("USA (Texas)", "USA"), ("Burma", "Myanmar"), ("Zaire", "Zaire"), ("IRÁN", "Irán")],
)
def test_countries_by_any_name_amnesty_has_used(value: str, expected: str) -> None:
    assert country_named(value) == expected


def test_index_codes_name_countries() -> None:
    assert index_country("AMR 53/1059/2026") == "VE"
    assert index_country("MDE 13/7001/2024") == "IR"
    assert index_country("ACT 50/1/2024") is None and index_country(None) is None


def test_a_story_date_after_until_is_not_the_deadline() -> None:
    text = (
        HEAD.format(index="AMR 46/2201/2025")
        + "\nHe was held incommunicado until around 28 February 2025. Please act now.\n"
    )
    assert parse_text(text).deadline is None
    appeal = text + "\nPlease send appeals until 30 April 2025.\n"
    assert str(parse_text(appeal).deadline) == "2025-04-30"


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("Acción UrgenteMéxico: Liberen a la defensora", "México: Liberen a la defensora"),
        ("URGENT ACTION\nTitle: Release the protesters now", "Release the protesters now"),
    ],
)
def test_a_title_loses_its_label_and_the_heading_glued_to_it(heading: str, title: str) -> None:
    assert parse_text(f"{heading}\nUA: 12/26\n").title == title


def test_an_appeal_page_without_a_number_is_read() -> None:
    text = (
        "Defensora indígena amenazada en Guatemala\n\n"
        "Escriban al Fiscal General pidiendo protección para ella, o usen la carta modelo.\n\n"
        "Fiscal General\nSra. Consuelo Porras\n15 Avenida 15-16, Zona 1\nCiudad de Guatemala\n\n"
        "Señora Fiscal General:\nLe escribo para pedirle que proteja a la defensora y a su "
        "familia de inmediato.\nAtentamente,\n"
    )
    draft = parse_text(text)
    assert draft.ua_number is None and draft.missing == ["ua_number", "deadline"]
    assert [t.name for t in draft.targets] == ["Sra. Consuelo Porras"]


def test_the_refusal_says_what_would_make_the_text_readable() -> None:
    with pytest.raises(UADocumentError) as refused:
        parse_text("Minutes of the meeting.\nWe agreed to print leaflets.\n")
    assert "URGENT ACTION at the top" in str(refused.value) and "/newua" in str(refused.value)


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9)
_PARAGRAPH = st.lists(_WORDS, min_size=14, max_size=30).map(
    lambda w: " ".join(w).capitalize() + "."
)
_HEADING = st.sampled_from(["BACKGROUND INFORMATION", "ADDITIONAL INFORMATION", "CONTEXTO"])
_PERSON = st.sampled_from(["IRAN: Amina Yusuf (f)", "Kamal Idris (m)", "Nadia Salem, 29"])
_FILLER = st.one_of(_PARAGRAPH, _HEADING, _PERSON)


@settings(max_examples=60, deadline=None)
@given(before=st.lists(_FILLER, max_size=3), after=st.lists(_FILLER, max_size=3))
def test_a_recipient_among_other_paragraphs_is_read_as_exactly_that(
    before: list[str], after: list[str]
) -> None:
    block = (
        "Minister of the Interior\nMr. Rafael Ortiz\nCalle Larga 12\n28001 Madrid, Spain\n"
        "Email: ministro@interior.example"
    )
    story = "\n\n".join(before) + "\n"
    targets = read("\n\n".join([block, *after]), story=story)
    assert len(targets) == 1
    target = targets[0]
    assert (target.name, target.title, target.email) == (
        "Mr. Rafael Ortiz",
        "Minister of the Interior",
        "ministro@interior.example",
    )
    assert target.address == ["Calle Larga 12", "28001 Madrid, Spain"] and not target.marks


HEAD_ES = (
    "ACCIÓN URGENTE\nPERIODISTA DETENIDO SIN CARGOS\n"
    "AU: 118/25 Índice: {index} Fecha: 3 de marzo de 2025\n"
)
LETTER_ES = (
    "Señor Ministro:\nLe escribo para pedirle que ponga en libertad a Tomás Quispe de "
    "inmediato y sin condiciones, y que lo proteja de la tortura mientras esté detenido.\n"
    "Atentamente,\n"
)


def read_es(addresses: str, index: str = "AMR 46/2201/2025", story: str = "") -> list[Contact]:
    story = story or "Tomás Quispe fue detenido el 1 de marzo de 2025.\n"
    text = f"{HEAD_ES.format(index=index)}\n{story}\nACTÚA:\n\n{addresses}\n\n{LETTER_ES}"
    return parse_text(text).targets


@pytest.mark.parametrize(
    ("addresses", "expected"),
    [
        ("Av. Abancay s/n, Apartado 1823\nCorreo Central de Lima", [""]),
        (
            "INFORMACIÓN DE CONTACTO\nMinistra Carla Méndez\nJr. Junín 210\nLima 1, Perú\n\n"
            "INFORMACIÓN ADICIONAL",
            ["Ministra Carla Méndez"],
        ),
        ("Ministra Carla Méndez\nJr. Junín 210\nLima 1, Perú\n\nTomás Quispe (h)", None),
        ("Ministra Carla Méndez\nJr. Junín 210\nLima 1, Perú\n\nTomás Quispe, 41 años", None),
        (
            "a/c Embajada del Perú\nMinistra Carla Méndez\nCalle Príncipe de Vergara 36\n"
            "28001 Madrid",
            ["Ministra Carla Méndez"],
        ),
    ],
)
def test_spanish_shapes_are_read_right_or_left_empty(
    addresses: str, expected: list[str] | None
) -> None:
    names = [target.name for target in read_es(addresses)]
    assert names == (expected if expected is not None else ["Ministra Carla Méndez"])


def test_a_spanish_hidden_email_is_flagged_and_the_story_date_is_no_deadline() -> None:
    story = "Estuvo desaparecido hasta el 28 de febrero de 2025. Actúa ya.\n"
    text = (
        f"{HEAD_ES.format(index='AMR 46/2201/2025')}\n{story}\nACTÚA:\n\n"
        "Ministra Carla Méndez\nJr. Junín 210, Lima\nCorreo-e: [email protected]\n\n"
        f"{LETTER_ES}"
    )
    draft = parse_text(text)
    assert draft.deadline is None
    (target,) = draft.targets
    assert target.email is None and target.marks == {"email": "doubtful"}


def test_a_spanish_letter_names_its_addressee() -> None:
    text = (
        HEAD_ES.format(index="AMR 46/2201/2025")
        + "\nTomás Quispe fue detenido.\n\nEstimado Fiscal General Juan Pérez:\nLe escribo "
        "para pedirle que ponga en libertad a Tomás Quispe de inmediato y sin condiciones.\n"
        "Atentamente,\n"
    )
    draft = parse_text(text)
    assert [(t.name, t.marks) for t in draft.targets] == [
        ("Fiscal General Juan Pérez", {"name": "assumed"})
    ]


def test_a_web_copy_with_a_blank_line_after_every_line_keeps_its_recipients_whole() -> None:
    targets = read(
        "Prosecutor General Nuno Reis\n\nOffice of the Prosecutor General\n\n"
        "Rua Augusta 10, Lisbon\n\nFax: +351 21 555 0101\n\nTwitter/X: @ProsecutorNR\n\n"
        "Embassy of Portugal in the United States\n\nAmbassador Clara Mota\n\n"
        "2012 Massachusetts Ave NW, Washington DC 20036\n\nEmail: [email protected]"
    )
    assert [(t.name, t.title, t.organisation) for t in targets] == [
        ("Prosecutor General Nuno Reis", "Office of the Prosecutor General", None),
        ("Ambassador Clara Mota", None, "Embassy of Portugal in the United States"),
    ]
    assert targets[0].social == "@ProsecutorNR" and targets[1].marks == {"email": "doubtful"}


def test_an_office_written_out_above_the_name_is_the_title() -> None:
    (target,) = read_es(
        "Directora de la Oficina Nacional de Protección\n\nMarta Quiroga Ríos\n\n"
        "Carrera 9 No. 12-40, Bogotá, Colombia\n\nCorreo-e: despacho@onp.example"
    )
    assert (target.name, target.title) == (
        "Marta Quiroga Ríos",
        "Directora de la Oficina Nacional de Protección",
    )


def test_the_letter_s_greeting_says_which_line_is_the_name() -> None:
    text = (
        f"{HEAD_ES.format(index='MDE 13/7001/2025')}\nUn hombre fue condenado.\n\nACTÚA:\n\n"
        "Presidente del Poder Judicial\nHead of the Judiciary Karim Tavakoli\n"
        "c/o Permanent Mission of Iran to the UN\nChemin du Lac 28, 1209 Ginebra, Suiza\n\n"
        "Señor Tavakoli:\nLe escribo para pedirle que anule la condena a muerte y que se "
        "celebre un nuevo juicio justo.\nAtentamente,\n"
    )
    (target,) = parse_text(text).targets
    assert target.name == "Head of the Judiciary Karim Tavakoli"
    assert target.title == "Presidente del Poder Judicial"


def test_a_one_line_recipient_with_its_mission_after_c_o() -> None:
    (target,) = read_es(
        "Presidente del Poder Judicial / Head of the Judiciary, Karim Tavakoli c/o Embassy of "
        "Iran to the European Union, Avenue Franklin Roosevelt 15, 1050 Bruselas (Bélgica)",
        index="MDE 13/7001/2025",
    )
    assert (target.name, target.title) == (
        "Karim Tavakoli",
        "Presidente del Poder Judicial / Head of the Judiciary",
    )
    assert target.address[0] == "c/o Embassy of Iran to the European Union"


@pytest.mark.parametrize(
    ("title", "country"),
    [
        ("Irán: Riesgo de ejecución inminente de un manifestante", "Irán"),
        ("Urgent Action Update: Student Held Incommunicado (Egypt: UA 41.25)", "Egypt"),
    ],
)
def test_a_country_in_the_title_is_read(title: str, country: str) -> None:
    draft = parse_text(
        f"{title}\n\nSomeone was detained. Please write to the minister.\nUA 41/25\n"
    )
    assert draft.country == country and not draft.marks


def test_a_long_form_state_name_is_a_country() -> None:
    assert country_named("Arab Republic of Egypt") == "Egypt"
    assert country_named("República Bolivariana de Venezuela") == "Venezuela"
    assert country_named("Republic of Nowhere") is None


def test_a_members_greeting_a_sign_off_and_a_team_are_not_the_letter_or_recipients() -> None:
    text = (
        "URGENT ACTION 3-2-26\n\nDear friends,\n\nThe new prosecutor was named yesterday, so "
        "please use the new name when you send your appeals this week:\n\n"
        "SEND APPEALS BEFORE 25 MARCH 2026 TO:\n\nActing Prosecutor General\nRuth Okafor\n"
        "Office of the Prosecutor, 16th Floor, Liberty Tower\nAbuja 900211, Nigeria\n"
        "Salutation: Dear Acting Prosecutor General\n\nIn solidarity,\n\n"
        "Individuals at Risk Team\n\nTo learn about recent Urgent Action successes, go to\n"
    )
    draft = parse_text(text)
    assert [t.name for t in draft.targets] == ["Ruth Okafor"]
    assert draft.letter == "" or not draft.letter.startswith("The new prosecutor")
    assert draft.salutation != "Dear friends,"


def test_a_sentence_ending_in_a_colon_is_no_salutation() -> None:
    text = (
        "Write A Letter:\n\nHis Majesty King Tomas II\nRoyal Palace, Harbour Road 1\n"
        "Port Alder 1102\n\nOr you can take action by:\nsigning the petition that our group "
        "will deliver to the embassy next month, together with the letters.\n"
    )
    draft = parse_text(text)
    assert draft.salutation == "" and [t.name for t in draft.targets] == [
        "His Majesty King Tomas II"
    ]


def test_an_office_before_a_name_on_one_line_keeps_the_name() -> None:
    targets = read("Governor Ana Whitfield\nState Capitol Building\n600 Main Avenue\nSpringfield")
    assert [(t.name, t.address[0]) for t in targets] == [
        ("Governor Ana Whitfield", "State Capitol Building")
    ]


def test_a_lone_office_above_the_name_and_an_and_copy_block() -> None:
    text = (
        f"{HEAD.format(index='ASA 17/9001/2025')}\nA lawyer was detained.\n\n"
        "PLEASE SEND APPEALS BEFORE 18 OCTOBER 2025 TO:\nProcurator\nWang Lin\n"
        "City People's Procuratorate\n166 Xianghua Road\nZhuhai 519000\n"
        "Salutation: Dear Procurator\nAnd copy:\nMr. Chen Bo\nChargé d'affaires\n"
        "Embassy of China\n275 Slater Street\nOttawa K1P 5H9\n"
    )
    draft = parse_text(text)
    assert [(t.name, t.title) for t in draft.targets] == [("Wang Lin", "Procurator")]
    assert [c.name for c in draft.cc] == ["Mr. Chen Bo"]


def test_a_letter_page_with_the_person_at_risk_as_its_subject_line() -> None:
    text = (
        "Head of the Judiciary\nKarim Tavakoli\nc/o Permanent Mission of Iran to the UN\n"
        "Chemin du Lac 28\n1209 Geneva\n\nLeila Hosseini\n\nDear Mr. Karim Tavakoli,\n\n"
        "On 10 August human rights lawyer Leila Hosseini began a hunger strike in prison.\n\n"
        "I urge you to release Leila Hosseini immediately and unconditionally.\n\n"
        "Yours sincerely,\n"
    )
    draft = parse_text(text)
    assert draft.title == ""  # no street or name taken for a title
    assert [(t.name, t.title) for t in draft.targets] == [
        ("Karim Tavakoli", "Head of the Judiciary")
    ]


def test_an_ayatollah_is_a_recipient_not_a_title() -> None:
    text = (
        "Ayatollah Sayed Reza Navabi\nLíder de la República\n\nExcelencia,\n"
        "Me dirijo a usted para expresarle mi gran preocupación por la situación de una mujer "
        "condenada a muerte tras un juicio injusto.\nAtentamente,\n"
    )
    draft = parse_text(text)
    assert [t.name for t in draft.targets] == ["Ayatollah Sayed Reza Navabi"]


def test_a_date_in_a_long_sentence_of_the_story_is_no_deadline() -> None:
    story = (
        "Más de cien personas siguen presas, a pesar de los llamamientos del Consejo de "
        "Derechos Humanos y del Consejo Permanente de la OEA en favor de su liberación, y del "
        "compromiso del gobierno de ponerlas a todas en libertad antes del 18 de junio de 2025.\n"
    )
    text = f"{HEAD_ES.format(index='AMR 43/0001/2025')}\n{story}"
    assert parse_text(text).deadline is None


def test_points_to_make_then_write_to_and_a_double_spaced_block() -> None:
    text = (
        "Freedonia: Release the arrested reporters\n\nAt least ten reporters are held.\n\n"
        "Write to the President urging him to:\n\n  • Release all the reporters.\n"
        "  • Stop the raids on newsrooms.\n\nWrite to:\n\nOskar Brandt\n\nPresident\n\n"
        "19 Independence Street\n\nPort Alder 1066\n\nEmail: office@president.example\n\n"
        "Salutation: Your Excellency:\n"
    )
    draft = parse_text(text)
    assert [(t.name, t.title, t.email) for t in draft.targets] == [
        ("Oskar Brandt", "President", "office@president.example")
    ]


def test_a_name_and_office_above_a_double_spaced_address() -> None:
    text = (
        f"{HEAD_ES.format(index='AMR 23/0001/2025')}\nSiete mil personas están atrapadas.\n\n"
        "ACTÚA:\n\nSr. Pablo Ríos\nPresidente de la República\n\n"
        "Palacio Central, Carrera 8 No. 7-26\n\nBogotá, Colombia\n\n"
        "Correo-e: contacto@presidencia.example\n\nTwitter: @PabloRios\n\n \n\n"
        "Señor Presidente Ríos:\n\n \n\nMe dirijo a usted para expresarle mi alarma por la "
        "situación de las comunidades atrapadas entre las hostilidades.\n\nAtentamente,\n"
    )
    draft = parse_text(text)
    assert [(t.name, t.title, t.social) for t in draft.targets] == [
        ("Sr. Pablo Ríos", "Presidente de la República", "@PabloRios")
    ]
    assert draft.salutation == "Señor Presidente Ríos:" and draft.letter.startswith("Me dirijo")


def test_an_office_in_a_sentence_above_the_name_is_left_out() -> None:
    (target,) = read_es(
        "Al fiscal federal a cargo de la Fiscalía Nacional en lo Criminal y Correccional "
        "Federal Nº 4\nDr. Carlos Méndez\nCorreo-e: fiscalia4@mpf.example"
    )
    assert (target.name, target.email) == ("Dr. Carlos Méndez", "fiscalia4@mpf.example")


def test_the_country_the_text_names_most_is_assumed_when_nothing_else_says() -> None:
    text = (
        "Call on the authorities to free Ana\n\nAna was arrested in Nicaragua in May. Courts in "
        "Nicaragua have held her since, and a judge in Costa Rica refused to hear her family. "
        "Please write to the minister in Nicaragua.\n\nDear Minister,\nI urge you to release "
        "Ana at once and without conditions, and to let her see her family.\nYours sincerely,\n"
    )
    draft = parse_text(text)
    assert draft.country == "Nicaragua" and draft.marks == {"country": "assumed"}
    assert "taken from the text, which names it most" in str(draft.warnings)


def test_an_urgent_action_network_letter_and_a_contact_by_deadline() -> None:
    text = (
        "UAN Letter: 74/25 Freedonia\n\nContact below official by 25 May, 2025:\n\n"
        "To: Oskar Brandt\n    Minister of Human Rights\n\nDear Minister:\nI am writing to ask you "
        "to release the two activists at once, as they are held for speaking their minds.\n"
        "Sincerely,\n"
    )
    draft = parse_text(text)
    assert (draft.ua_number, str(draft.deadline)) == ("74/25", "2025-05-25")
    assert [(t.name, t.title) for t in draft.targets] == [
        ("Oskar Brandt", "Minister of Human Rights")
    ]
    assert draft.title == ""  # "To: Oskar Brandt" is whom the letter goes to, not a title
    story = text.replace("Contact below official by", "He had no contact with anyone until")
    assert parse_text(story).deadline is None


def test_a_greeting_left_without_its_comma_opens_the_letter() -> None:
    text = (
        "Urgent action: release the prisoners of conscience\n\nThree men are held.\n\n"
        "Dear Prime Minister / Dear Minister\n\nI am deeply concerned that the prisoners of "
        "conscience are held for their peaceful views, and I ask you to release them.\n\n"
        "Yours sincerely,\n"
    )
    draft = parse_text(text)
    assert draft.salutation == "Dear Prime Minister / Dear Minister"
    assert draft.letter.startswith("I am deeply concerned")


def test_a_background_sentence_does_not_close_a_case() -> None:
    text = fixture_bytes("ua-en-second-update.txt").decode()
    said = "ADDITIONAL INFORMATION\nNo further action is required against them, the court said.\n"
    closed_by_story = parse_text(text.replace("ADDITIONAL INFORMATION\n", said))
    assert closed_by_story.closing_notice is False and closed_by_story.letter
    notice = parse_text(
        text.replace(
            "ADDITIONAL INFORMATION\n",
            "No further action is requested.\n\nADDITIONAL INFORMATION\n",
        )
    )
    assert notice.closing_notice is True
