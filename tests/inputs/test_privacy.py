"""Privacy screen: NHS numbers, UPNs, dates of birth and names in free text, and the audit loader
refusing a file that holds any of them (naming file, row and column, never the data)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from toolkit.errors import ValidationFailed
from toolkit.inputs.audit import read_audit
from toolkit.inputs.privacy import (
    case_ref_problem,
    nhs_number_valid,
    screen_table,
    screen_text,
    upn_check_letter,
    upn_valid,
)
from toolkit.letter.audit import build_audit_section

YEAR = 2026  # fixed reference year: plausible birth years of children with plans are 2001-2023


def kinds(text: str, **kw: object) -> list[str]:
    return [h.kind for h in screen_text(text, reference_year=YEAR, **kw)]  # type: ignore[arg-type]


# NHS number 943 476 5919: digits 9,4,3,4,7,6,5,9,1 weighted 10..2 give
# 90+36+24+28+42+30+20+27+2 = 299; 299 mod 11 = 2; 11 - 2 = 9, the final digit: valid.
@pytest.mark.parametrize("text", ["NHS no. 943 476 5919 on file", "nhs 9434765919", "ref 943-476-5919.",
                                  "NHS 943.476.5919", "nhs no 943/476/5919 noted", "NHS 943  476   5919"])
def test_valid_nhs_numbers_are_flagged(text: str) -> None:
    assert kinds(text) == ["nhs_number"]


def test_nhs_check_digit_by_hand() -> None:
    # 401023213 -> 4*10+0*9+1*8+0*7+2*6+3*5+2*4+1*3+3*2 = 40+0+8+0+12+15+8+3+6 = 92;
    # 92 mod 11 = 4; 11 - 4 = 7, so 4010232137 is valid and 4010232138 is not.
    assert nhs_number_valid("4010232137") and not nhs_number_valid("4010232138")
    # 123456789 -> 10+18+24+28+30+30+28+24+18 = 210; 210 mod 11 = 1; 11 - 1 = 10: never valid.
    assert not any(nhs_number_valid(f"123456789{d}") for d in range(10))


@pytest.mark.parametrize("text", ["NHS 943 476 5918", "tel 4010232138", "1234567890", "943 476 59190"])
def test_ten_digit_numbers_failing_the_check_are_not_flagged(text: str) -> None:
    assert kinds(text) == []


def test_upns_with_a_correct_check_letter_are_flagged() -> None:
    assert upn_check_letter("938614025013") == "N" and upn_valid("N938614025013")
    assert kinds("UPN N938614025013") == ["upn"]
    assert kinds("temporary W93861402501A noted") == ["upn"]  # temporary UPN, final letter
    assert kinds("UPN A938614025013") == []  # wrong check letter


@pytest.mark.parametrize("text", ["upn n938614025013", "UPN N 9386 1402 5013", "upn n938-614-025-013",
                                  "temporary w93861402501a"])
def test_lower_case_and_spaced_upns_are_flagged(text: str) -> None:
    assert kinds(text) == ["upn"]


@pytest.mark.parametrize("text", ["DOB 14/03/2024", "d.o.b. 2024-03-14", "born on 3rd April 2025",
                                  "Date of birth: 3 Apr 2015", "seen 12/01/2013",
                                  "14/03/2015 (DOB)", "D.O.B. 14.03.2015", "Plan issued; born 14/03/2015"])
def test_dates_of_birth_are_flagged(text: str) -> None:
    assert kinds(text) == ["date_of_birth"]


@pytest.mark.parametrize("text", ["review held 12/01/2025", "issued March 2019", "scored 18/20",
                                  "plan dated 31/02/2015", "in 2014 the family moved",
                                  "review held 12/01/2013", "Plan finalised 14/03/2022",
                                  "Issued 2019-05-10", "request received 3 May 2019",
                                  "draft signed on 04/09/2018"])
def test_other_dates_and_numbers_are_not_flagged(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize("text", ["Master Jones attended", "spoke to Miss Smith", "Oliver Bennett's plan",
                                  "Amelia's views", "with Mrs. Khan", "Mohammed attended",
                                  "He said Jack is his friend", "OLIVER SMITH", "oliver twist",
                                  "Holly Baker attended", "Ruby's mum said", "Year 6: Max Hughes",
                                  "Miss Green attended", "Oliver's school", "Jacob's teacher said",
                                  "Master Jones, SENCo"])
def test_names_are_flagged(text: str) -> None:
    assert kinds(text) == ["name"]


def test_a_given_name_on_its_own_is_flagged_in_any_case() -> None:
    text = "Oliver was upset at transition; Jacob, aged 9, said little."
    assert [text[h.start:h.end] for h in screen_text(text, reference_year=YEAR)] == ["Oliver", "Jacob"]
    assert kinds("ZAINAB and aaliyah came") == ["name", "name"]


@pytest.mark.parametrize("text", ["Lily, aged 7, was anxious", "Grace (9) was anxious", "Daisy in Year 4",
                                  "Miss May wrote", "Holly's plan", "Florence Nightingale and Max"])
def test_names_that_are_also_words_are_flagged_with_context(text: str) -> None:
    assert "name" in kinds(text)


@pytest.mark.parametrize("text", ["Grace was shown", "In May the panel met", "Will Social Care attend?",
                                  "Max 5 hours a week", "Mark scheme used", "Hope and Faith Trust",
                                  "the Ruby Centre", "rose to 40%"])
def test_names_that_are_also_words_are_not_flagged_alone(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize("text", ["Social Care did not contribute", "Outcomes in Section E are vague",
                                  "The EHC Hub portal", "Short breaks via Harbour Lodge"])
def test_ordinary_text_is_not_flagged(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize("text", ["Mr Smith the SENCo agreed", "Mrs Patel (EP) wrote the advice",
                                  "See the SENCo, Ms Ahmed", "Mrs Jones, class teacher, said",
                                  "Dr Sarah Jones, paediatrician", "Sarah Khan (caseworker) said",
                                  "Headteacher Mr Oliver met us", "Mr Carter, SW, attended"])
def test_staff_named_with_their_role_are_not_flagged(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize("text", ["Master Plan agreed", "pupils Miss Out on lessons", "Ms Teams call"])
def test_a_title_before_an_ordinary_word_is_not_a_name(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize("text", ["Short breaks at Holly Lodge", "moved to Amber Valley",
                                  "the Daisy Chain project", "Florence Nightingale Ward",
                                  "the Harry Potter club", "St Oliver's School", "Oliver Street Primary"])
def test_places_and_projects_named_after_people_are_not_flagged(text: str) -> None:
    assert kinds(text) == []


def test_allow_list_suppresses_service_names() -> None:
    assert kinds("referred to Jacob Marsh Associates") == ["name"]
    assert kinds("referred to Jacob Marsh Associates", allow=["Jacob Marsh Associates"]) == []


def test_team_members_named_in_the_parameters_are_allowed() -> None:
    allow = ["Dr Ruth Mensah", "Priya Raman"]
    assert kinds("Ruth Mensah and Ms Raman read it; Dr Mensah agreed", allow=allow) == []
    assert kinds("Priya Raman read it with Oliver", allow=allow) == ["name"]


def test_screen_table_names_row_and_column_but_not_the_data() -> None:
    rows = [(2, {"notes": "fine", "other": "Oliver Bennett"}), (3, {"notes": "NHS 943 476 5919"})]
    errors = screen_table(rows, "audit.csv", ["notes"], reference_year=YEAR)
    assert len(errors) == 1
    e = errors[0]
    assert (e.file, e.row, e.column) == ("audit.csv", 3, "notes")
    assert "an NHS number" in e.message and "5919" not in str(e)


def test_case_refs_must_be_pseudonymous() -> None:
    assert case_ref_problem("KES-0142") is None and case_ref_problem("HAR0007") is None
    assert case_ref_problem("kes-0142") is None and case_ref_problem("MOD-01") is None
    for ref in ("Oliver Bennett", "oliver12", "KES 0142", "", "N938614025013", "XJACK-12", "SMITH01",
                "patel-0001", "KAHMED12"):
        assert case_ref_problem(ref), ref


# --- the audit loader refuses personal data, and nothing is written ---------------------------

ROW = {"case_ref": "KES-0001", "auditor": "Priya Raman", "phase": "KS3", "year_group": "8",
       "primary_need": "ASD", "setting_type": "mainstream", "plan_stage": "annual review",
       "a1": "y", "e4": "n", "notes": "Clear views section.", "note:e4": ""}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("column,text,label", [
    ("notes", "Spoke with Amelia Hughes about her plan.", "a person's name"),
    ("notes", "NHS number 943 476 5919 on the health advice.", "an NHS number"),
    ("note:e4", "Master Hughes has no social care outcome.", "a person's name"),
])
def test_audit_file_with_personal_data_is_refused_and_nothing_written(
        tmp_path: Path, column: str, text: str, label: str) -> None:
    rows = [dict(ROW), dict(ROW, case_ref="KES-0002", **{column: text})]
    audit = write_csv(tmp_path / "audit.csv", rows)
    out = tmp_path / "reports" / "audit.html"
    with pytest.raises(ValidationFailed) as exc:
        build_audit_section(audit, out)
    assert [(e.file, e.row, e.column) for e in exc.value.errors] == [(audit.as_posix(), 3, column)]
    message = str(exc.value)
    assert f"row 3, column {column}: this looks like {label}" in message
    assert "Hughes" not in message and "5919" not in message and "Amelia" not in message
    assert not out.exists() and not out.parent.exists()


def test_a_failing_ten_digit_number_in_a_note_is_accepted(tmp_path: Path) -> None:
    audit = write_csv(tmp_path / "audit.csv", [dict(ROW, notes="Invoice 9434765918 for therapy.")])
    assert len(read_audit(audit).plans) == 1


def test_loader_allow_list(tmp_path: Path) -> None:
    audit = write_csv(tmp_path / "audit.csv", [dict(ROW, notes="Short breaks with Jacob Marsh Care.")])
    with pytest.raises(ValidationFailed):
        read_audit(audit)
    assert read_audit(audit, allow=["Jacob Marsh Care"]).plans
