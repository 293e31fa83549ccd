"""Small FICTIONAL DfE files in the published layouts (authorities and codes invented), for the
authority lookup and the published statistical neighbours."""

from __future__ import annotations

from pathlib import Path

import openpyxl

# (old LA code, ONS code, name, region code, region name): EES geography columns
AUTHORITIES = [
    ("901", "E06000901", "Kestrelmoor", "E12000003", "Yorkshire and The Humber"),
    ("902", "E06000902", "Wrenfield", "E12000003", "Yorkshire and The Humber"),
    ("903", "E08000903", "Ravensby", "E12000003", "Yorkshire and The Humber"),
    ("904", "E09000904", "Kingston Marsh", "E12000007", "London"),
    ("905", "E09000905", "Kingston Vale", "E12000007", "London"),
    ("906", "E06000906", "Fernhall, City of", "E12000008", "South East"),
    ("907", "E08000907", "St. Aldric", "E12000002", "North West"),
    ("908", "E10000908", "Brackenshire", "E12000009", "South West"),
    ("908", "E06000908", "Brackenshire", "E12000009", "South West"),  # a county made unitary: two codes
    ("909", "E06000909", "Harrowmere and Lowdale", "E12000008", "South East"),
    ("910", "E06000910", "Saltmarsh", "E12000002", "North West"),
    ("911", "E06000911", "Ashby Fold", "E12000002", "North West"),
]
# Kestrelmoor's fictional neighbours, closest first (LA numbers; 912 is in no authority file)
KESTRELMOOR_LA = ("902", "903", "906", "907", "908", "909", "910", "911", "904", "912")
KESTRELMOOR = ("E06000902", "E08000903", "E06000906", "E08000907", "E06000908", "E06000909", "E06000910",
               "E06000911", "E09000904", "912")


def hierarchy_csv(path: Path, *, performance: bool = False) -> Path:
    """DfE's region_la_hierarchy.csv layout, or (``performance``) an EES performance file's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if performance:
        lines = ["time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
                 "new_la_code,old_la_code,la_name,rate",
                 "2024,Calendar year,National,E92000001,England,,,,,,50.1"]
        lines += [f'2024,Calendar year,Local authority,E92000001,England,{rc},{rn},{ons},{la},"{name}",55.0'
                  for la, ons, name, rc, rn in AUTHORITIES]
    else:
        lines = ["region_code,region_name,old_la_code,la_name,new_la_code"]
        lines += [f'{rc},{rn},{la},"{name}",{ons}' for la, ons, name, rc, rn in AUTHORITIES]
        lines.append('E12000007,London,904 / 905,Kingston Marsh / Kingston Vale,E09000904 / E09000905')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _sn_rows() -> list[list[object]]:
    header: list[object] = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]
    for i in range(1, 11):
        header += [f"SN{i}", "SNP"]
    rows: list[list[object]] = [["A", "B", "C", "D", "E", *range(3, 23)], list(range(1, 26)), header]
    rows.append([901, "Kestrelmoor", 901, 9, "Yorkshire and the Humber",
                 *[v for n in KESTRELMOOR_LA for v in (int(n), "Very close")]])
    rows.append([902, "Wrenfield", 902, 9, "Yorkshire and the Humber",
                 *[v for n in ("901", *KESTRELMOOR_LA[1:]) for v in (int(n), "Close")]])
    rows += [[None] * 25, [None, "Old SNs:"], [None] * 25,
             [913, "Oldshire (Pre LG)", 913, 7, "South West", *[v for n in range(10) for v in (901 + n, "Close")]]]
    return rows


def neighbours_workbook(path: Path) -> Path:
    """DfE's statistical neighbour workbook layout (sheet LA SN Groups), fictional rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "LA SN Groups"
    for row in _sn_rows():
        sheet.append(row)
    book.save(path)
    return path


def neighbours_csv(path: Path) -> Path:
    """The same sheet saved as CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(",".join("" if v is None else str(v) for v in r) for r in _sn_rows()) + "\n",
                    encoding="utf-8")
    return path
